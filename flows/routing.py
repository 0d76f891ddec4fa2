"""Where a message goes next: a triage decision or a list of candidate offers becomes a step."""

from __future__ import annotations

from typing import Any

from knowledge_base.decision import Decision
from knowledge_base.models import Offer
from knowledge_base.sections import best_section

from . import guards, intake, office_choice
from .actions import NoteGap, Reply
from .keyboards import MENU
from .ports import Services
from .state import IDLE, ConversationState, Step
from .triage_context import Context

Origin = dict[str, Any] | None


def follow(decision: Decision, context: Context, services: Services) -> Step:
    """The step a triage decision leads to."""
    kb = services.kb
    if decision.kind == "article" and decision.target in kb.articles:
        named = office_choice.for_article(decision.target, context.text, services)
        if named:
            return named
        section = best_section(kb.articles[decision.target], context.text, kb.language)
        return show_article(decision.target, context, services, section)
    if decision.kind == "offer" and decision.target in kb.offers:
        return to_offer(kb.offers[decision.target], context, services, None)
    if decision.kind == "clarify" and decision.target == "grau":
        options = [o for o in decision.options if o in kb.offers]
        graus = options or [o.id for o in kb.offers.values() if o.grau]
        return route(graus, context, services, None)
    if decision.kind == "clarify" and decision.target == "sistema":
        return ask_system(context, services, None)
    gap = NoteGap("none", context.text) if context.text else None
    return Step(IDLE, (Reply("triage_none", {}, MENU),) + ((gap,) if gap else ()))


def show_article(
    article_id: str, context: Context, services: Services, section: int | None = None
) -> Step:
    """Show an article (or the one section a short question is about); it asks whether it
    solved the problem unless it never leads to a ticket."""
    article = services.kb.articles.get(article_id)
    if article is not None and article.no_ticket:
        params = {"article_id": article_id, "ticket_option": False, "section": None}
        return Step(IDLE, (Reply("article", params, MENU),))
    data = {**context.to_data(), "article": article_id, "section": section}
    return Step(ConversationState("article", data), prompt=True)


def route(offer_ids: list[str], context: Context, services: Services, origin: Origin) -> Step:
    """Go to the one fitting offer, or ask the grau or the offer when several remain."""
    kb = services.kb
    offers = [kb.offers[i] for i in offer_ids if i in kb.offers]
    if context.support:
        support = [o for o in offers if not o.support_redirect]
        if offers and not support:
            return redirect(offers[0], context, services, origin)
        offers = support
    if not offers:
        return ask_system(context, services, origin)
    if len(offers) == 1:
        return to_offer(offers[0], context, services, origin)
    if all(o.grau for o in offers):
        chosen = [o for o in offers if o.grau == context.grau]
        if chosen:
            return to_offer(chosen[0], context, services, origin)
        return _ask("ask_grau", {"offers": [o.id for o in offers]}, context, origin)
    return _ask("ask_offer", {"offers": [o.id for o in offers]}, context, origin)


def to_offer(offer: Offer, context: Context, services: Services, origin: Origin) -> Step:
    """The offer's form, unless a support problem is aimed at a service-only offer."""
    if guards.aimed_wrong(offer, context, services.kb):
        return redirect(offer, context, services, origin)
    if offer.offices and services.queue is not None:
        # Balcão Virtual: a live queue per office instead of a ticket.
        return office_choice.start(offer, context.text, services)
    return intake.start(offer, context, origin)


def redirect(offer: Offer, context: Context, services: Services, origin: Origin) -> Step:
    """Explain that this offer is not support and continue with the offers it points to."""
    kb = services.kb
    targets = [
        i for i in offer.support_redirect if i in kb.offers and not kb.offers[i].support_redirect
    ]
    note = Reply(
        "support_redirect",
        {
            "offer": offer.name,
            "explanation": offer.support_redirect_notice or offer.not_for,
            "targets": [kb.offers[i].name for i in targets],
        },
    )
    if not targets:
        return ask_system(context, services, origin).after(note)
    return route(targets, context, services, origin).after(note)


def ask_system(context: Context, services: Services, origin: Origin) -> Step:
    """Ask which system the problem is about; a problem is never sent to a service-only one."""
    kb = services.kb
    systems = [
        s.id
        for s in kb.systems.values()
        if not context.support
        or any(o in kb.offers and not kb.offers[o].support_redirect for o in s.offers)
    ]
    return _ask("ask_system", {"systems": systems}, context, origin)


def _ask(name: str, data: dict[str, Any], context: Context, origin: Origin) -> Step:
    state = ConversationState(name, {**context.to_data(), **data, "origin": origin})
    return Step(state, prompt=True)
