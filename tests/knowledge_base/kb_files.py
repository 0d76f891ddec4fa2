"""Build knowledge base directories for tests: the tiny fixture KB, copies, broken variants."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge_base.loader import read_knowledge_base
from knowledge_base.problems import Problem

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_KB = FIXTURES / "tiny_kb"
TINY_CASES = FIXTURES / "tiny_cases.jsonl"
BUNDLED_KB = Path(__file__).resolve().parents[2] / "knowledge_base"

VALID_ARTICLE = """\
---
id: {id}
title: "Artigo de teste {id}"
system: eproc
offers: [eproc-1g]
tags: ["teste"]
updated: 2025-01-31
---
Corpo do artigo de teste.
"""


def copy_tiny_kb(dest: Path) -> Path:
    """A writable copy of the tiny valid knowledge base under dest; returns its root."""
    root = dest / "kb"
    shutil.copytree(TINY_KB, root)
    return root


def article_path(root: Path, name: str) -> Path:
    """Path of articles/<name>.md under a knowledge base root."""
    return root / "articles" / f"{name}.md"


def write_article(root: Path, name: str, text: str) -> Path:
    """Write articles/<name>.md with exactly this text."""
    path = article_path(root, name)
    path.write_text(text, encoding="utf-8")
    return path


def replace_in(path: Path, old: str, new: str) -> Path:
    """Replace one exact occurrence of old in a file (fails loudly if it is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def append_to(path: Path, text: str) -> Path:
    """Append text to a file."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
    return path


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the nth occurrence of needle."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} (occurrence {occurrence}) not found in {path}")


def problems_of(root: Path) -> list[Problem]:
    """Every lint problem of the knowledge base at root."""
    _, problems = read_knowledge_base(root)
    return problems


def assert_reported(
    problems: list[Problem], path: Path, line: int, code: str, fragment: str = ""
) -> Problem:
    """Exactly one problem is `code` at `path:line`, its Portuguese text holding `fragment`;
    both languages render it as one line starting with `path:line: `."""
    hits = [p for p in problems if (p.path, p.line, p.code) == (path, line, code)]
    shown = "\n".join(f"{p} [{p.code}]" for p in problems)
    assert len(hits) == 1, f"expected one {code} at {path}:{line}, got:\n{shown}"
    found = hits[0]
    assert fragment in found.text("pt"), found.text("pt")
    for language in ("pt", "en"):
        text = found.line_text(language)
        assert text.startswith(f"{path}:{line}: ") and "\n" not in text, text
    assert found.text("en") != found.text("pt")
    return found
