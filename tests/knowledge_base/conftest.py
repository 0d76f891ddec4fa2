"""Shared fixtures: the bundled knowledge base and its engine, the tiny knowledge base and
writable copies of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.language_file import read_language
from knowledge_base.loader import load_knowledge_base
from knowledge_base.models import KnowledgeBase, Language
from knowledge_base.triage import Triage

from .kb_files import BUNDLED_KB, TINY_KB, copy_tiny_kb


@pytest.fixture(scope="session")
def language() -> Language:
    """The bundled language.toml, as the engine reads it."""
    lang, _ = read_language(BUNDLED_KB / "language.toml")
    return lang


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The bundled knowledge base, loaded once."""
    return load_knowledge_base(BUNDLED_KB)


@pytest.fixture(scope="session")
def triage(kb: KnowledgeBase) -> Triage:
    """A triage engine over the bundled knowledge base, built once."""
    return Triage(kb)


@pytest.fixture(scope="session")
def tiny_kb() -> KnowledgeBase:
    """The tiny valid knowledge base of tests/knowledge_base/fixtures/tiny_kb."""
    return load_knowledge_base(TINY_KB)


@pytest.fixture(scope="session")
def tiny_triage(tiny_kb: KnowledgeBase) -> Triage:
    """A triage engine over the tiny knowledge base, built once."""
    return Triage(tiny_kb)


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """A writable copy of the tiny knowledge base, for breaking one thing at a time."""
    return copy_tiny_kb(tmp_path)
