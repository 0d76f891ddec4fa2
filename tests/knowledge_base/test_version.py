"""A knowledge base version is named by its files' content: equal copies, equal names."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.version import content_version

from .kb_files import TINY_KB, article_path, copy_tiny_kb, replace_in


def test_two_copies_have_the_same_version_and_an_edit_changes_it(tmp_path: Path) -> None:
    first = copy_tiny_kb(tmp_path / "a")
    second = copy_tiny_kb(tmp_path / "b")
    assert content_version(first) == content_version(second) == content_version(TINY_KB)
    assert len(content_version(first)) == 12
    replace_in(article_path(second, "eproc-login"), "navegador", "browser")
    assert content_version(second) != content_version(first)


def test_a_renamed_article_is_another_version(tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    before = content_version(root)
    article_path(root, "eproc-login").rename(article_path(root, "eproc-entrar"))
    assert content_version(root) != before


def test_files_the_base_is_not_read_from_do_not_count(tmp_path: Path) -> None:
    root = copy_tiny_kb(tmp_path)
    before = content_version(root)
    (root / "articles" / ".eproc-login.md.swp").write_bytes(b"editor state")
    (root / "LEIA-ME.txt").write_text("notas do editor", encoding="utf-8")
    assert content_version(root) == before


def test_the_watcher_reacts_to_articles_and_toml_files_only() -> None:
    from watchfiles import Change

    from bot.kb_reload import kb_files_only

    assert kb_files_only(Change.modified, "/kb/articles/eproc-login.md")
    assert kb_files_only(Change.added, "/kb/offers.toml")
    assert not kb_files_only(Change.modified, "/kb/articles/.eproc-login.md.swp")
    assert not kb_files_only(Change.modified, "/kb/articles/#eproc-login.md#")
    assert not kb_files_only(Change.modified, "/kb/articles/eproc-login.md~")
