"""Build knowledge base directories for tests: the tiny fixture KB, copies, broken variants."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge_base.loader import read_knowledge_base

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


def problems_of(root: Path) -> list[str]:
    """Every lint problem of the knowledge base at root, as `file:line: message`."""
    _, problems = read_knowledge_base(root)
    return [str(p) for p in problems]


def assert_reported(problems: list[str], path: Path, line: int, fragment: str) -> None:
    """Exactly one problem is `path:line: ...fragment...`."""
    prefix = f"{path}:{line}: "
    hits = [p for p in problems if p.startswith(prefix) and fragment in p]
    assert len(hits) == 1, f"expected one '{prefix}...{fragment}...', got:\n" + "\n".join(problems)
