"""Article sections for short questions, and "Veja também" lists left to buttons."""

from __future__ import annotations

from dataclasses import replace

from knowledge_base.models import KnowledgeBase
from knowledge_base.render import linked_articles, render_article, render_section
from knowledge_base.sections import best_section, sections

BODY = """Introdução.

## Com usuário e senha

Preencha usuário e senha e clique em Entrar.

## Com certificado digital

Clique em Certificado Digital e digite a senha do token.

Veja também:

- [Código inválido](artigo:eproc-2fa-codigo-invalido)
- [Perdi o celular](artigo:eproc-2fa-desativar)
"""


def test_sections_are_the_level_two_headings(kb: KnowledgeBase) -> None:
    article = replace(kb.articles["eproc-login"], body=BODY)
    assert [heading for heading, _ in sections(article)] == [
        "Com usuário e senha",
        "Com certificado digital",
    ]


def test_a_short_question_about_one_section_picks_it(kb: KnowledgeBase) -> None:
    article = replace(kb.articles["eproc-login"], body=BODY)
    asked = "como entro com o certificado digital e a senha do token?"
    assert best_section(article, asked, kb.language) == 1
    assert best_section(article, "não consigo entrar", kb.language) is None


def test_numbered_steps_are_never_cut_apart(kb: KnowledgeBase) -> None:
    article = kb.articles["eproc-2fa-ativar"]
    assert sections(article)[0][0][:1].isdigit()
    assert best_section(article, "como leio o código QR no celular?", kb.language) is None


def test_see_also_lists_leave_the_text_and_become_links(kb: KnowledgeBase) -> None:
    article = replace(kb.articles["eproc-login"], body=BODY)
    (html,) = render_article(article)
    assert "Veja também" not in html and "Perdi o celular" not in html
    assert linked_articles(BODY) == ["eproc-2fa-codigo-invalido", "eproc-2fa-desativar"]
    heading, markdown = sections(article)[1]
    section = render_section(article, heading, markdown)
    assert "<b>Com certificado digital</b>" in section
    assert "Preencha usuário" not in section and "Veja também" not in section
