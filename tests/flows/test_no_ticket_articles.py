"""Which answers never lead to a ticket is the knowledge base's call (front matter no_ticket)."""

from __future__ import annotations

from dataclasses import replace

from flows.ports import Services
from flows.routing import show_article
from flows.state import IDLE
from flows.triage_context import Context


def test_an_article_marked_no_ticket_offers_no_ticket_and_an_unmarked_one_does(
    services: Services,
) -> None:
    context = Context(text="qual a regra do serviço?")
    marked = show_article("regras-de-negocio", context, services)
    assert marked.state == IDLE
    assert marked.actions[0].params["ticket_option"] is False  # type: ignore[union-attr]

    article = services.kb.articles["regras-de-negocio"]
    kb = replace(
        services.kb,
        articles={**services.kb.articles, article.id: replace(article, no_ticket=False)},
    )
    unmarked = show_article("regras-de-negocio", context, replace(services, kb=kb))
    assert unmarked.state.name == "article"  # asks whether it solved, else opens a ticket
