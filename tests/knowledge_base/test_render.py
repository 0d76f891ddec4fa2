"""Article Markdown becomes Telegram HTML: formatting, escaping, article links, split parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.models import Article, KnowledgeBase
from knowledge_base.render import SPLIT_MARKER, article_links, render_article, render_markdown


def _article(body: str, title: str = "Título") -> Article:
    return Article(id="teste", title=title, system="eproc", body=body, path=Path("teste.md"))


@pytest.mark.parametrize("level", ["#", "##", "###", "######"])
def test_heading_becomes_bold_line(level: str) -> None:
    assert render_markdown(f"{level} O que fazer") == "<b>O que fazer</b>"


def test_heading_after_text_gets_a_blank_line_before_it() -> None:
    assert render_markdown("Texto.\n## Passos") == "Texto.\n\n<b>Passos</b>"


def test_hash_without_space_is_not_a_heading() -> None:
    assert render_markdown("#eproc") == "#eproc"


def test_bold_and_italic_become_tags() -> None:
    assert render_markdown("**Atenção** e *calma*") == "<b>Atenção</b> e <i>calma</i>"


def test_asterisks_in_arithmetic_are_left_alone() -> None:
    assert render_markdown("2 * 3 * 4 e a*b*c") == "2 * 3 * 4 e a*b*c"


@pytest.mark.parametrize("marker", ["-", "*", "+"])
def test_bullets_become_dots(marker: str) -> None:
    assert render_markdown(f"{marker} primeiro\n  {marker} segundo") == "• primeiro\n• segundo"


def test_numbered_steps_are_kept_as_written() -> None:
    assert render_markdown("1. Abra.\n2. Clique.") == "1. Abra.\n2. Clique."


def test_web_link_becomes_anchor_with_escaped_href() -> None:
    html = render_markdown("Veja o [portal](https://example.org/a?x=1&y=2).")
    assert html == 'Veja o <a href="https://example.org/a?x=1&amp;y=2">portal</a>.'


def test_quote_in_href_cannot_break_the_attribute() -> None:
    assert 'href="https://x.org/&quot;onclick"' in render_markdown('[a](https://x.org/"onclick)')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a < b", "a &lt; b"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Use **<Enter>**", "Use <b>&lt;Enter&gt;</b>"),
        (
            "[<b>rótulo</b> & cia](https://x.org)",
            '<a href="https://x.org">&lt;b&gt;rótulo&lt;/b&gt; &amp; cia</a>',
        ),
    ],
)
def test_user_visible_markup_characters_are_escaped(text: str, expected: str) -> None:
    assert render_markdown(text) == expected


def test_article_link_is_shown_as_its_label_only() -> None:
    html = render_markdown("Veja [Como desativar o 2FA](artigo:eproc-2fa-desativar).")
    assert html == "Veja <i>Como desativar o 2FA</i>."
    assert "artigo:" not in html


def test_article_links_lists_targets_with_line_offsets() -> None:
    body = "linha\n[a](artigo:um) e [b](https://x.org)\n\n[c](artigo:dois) [d](artigo:tres)"
    assert article_links(body) == [(1, "um"), (3, "dois"), (3, "tres")]


def test_runs_of_blank_lines_collapse_to_one() -> None:
    assert render_markdown("um\n\n\n\n\ndois") == "um\n\ndois"


def test_article_starts_with_its_escaped_bold_title() -> None:
    parts = render_article(_article("Corpo.", title="Erros <graves> & cia"))
    assert parts == ["<b>Erros &lt;graves&gt; &amp; cia</b>\n\nCorpo."]


def test_split_marker_makes_separate_messages() -> None:
    parts = render_article(_article(f"Parte um.\n\n{SPLIT_MARKER}\n\n## Dois\nParte dois."))
    assert parts == ["<b>Título</b>\n\nParte um.", "<b>Dois</b>\nParte dois."]
    assert all(SPLIT_MARKER not in p and "&lt;!--" not in p for p in parts)


def test_empty_part_after_a_trailing_marker_is_dropped() -> None:
    assert render_article(_article(f"Só isto.\n{SPLIT_MARKER}\n")) == ["<b>Título</b>\n\nSó isto."]


def test_tiny_kb_article_renders_every_feature(tiny_kb: KnowledgeBase) -> None:
    (html,) = render_article(tiny_kb.articles["eproc-login"])
    assert html.startswith("<b>Como acessar o eproc com usuário e senha</b>\n\n")
    assert "<b>navegador</b>" in html
    assert "<b>Com usuário e senha</b>" in html
    assert "• O usuário <i>não</i> diferencia" in html
    assert "<i>Código inválido</i>" in html
