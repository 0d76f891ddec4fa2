"""Choosing a Balcão Virtual office: by name (fuzzy), from a short list, then its welcome screen
(with its hours and "Entrar na fila") or, outside its hours, the closed screen with the next
opening and "Avise-me quando abrir"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from knowledge_base.models import KnowledgeBase, Offer, OfficeHours
from knowledge_base.offices import match_offices, office_words

from . import menu
from .actions import Action, Reply
from .events import Event, Text
from .keyboards import button, column, named
from .ports import Services
from .state import IDLE, ConversationState, Step, get_strs

CHOOSING = "queue_office"
# A longer list is not a choice: the person is asked to type the office's name.
LIST_LIMIT = 8


def offices_of(kb: KnowledgeBase) -> dict[str, OfficeHours]:
    """Every office of every offer, by id."""
    return {o.id: o for offer in kb.offers.values() for o in offer.offices}


def start(offer: Offer, text: str, services: Services) -> Step:
    """The office the message names, or a short list to choose from."""
    found = match_offices(offer.offices, text)
    if len(found) == 1:
        return Step(IDLE, (screen(found[0], services.now),))
    if not found and len(offer.offices) == 1 and not office_words(text):
        return Step(IDLE, (screen(offer.offices[0], services.now),))
    return _choose(found or list(offer.offices), typed=text if not found else "")


def for_article(article_id: str, text: str, services: Services) -> Step | None:
    """A Balcão Virtual article asked about one office by name ("qual o horário do cartório
    da 2ª vara cível?"): that office's own screen, with its hours, instead of the article."""
    article = services.kb.articles.get(article_id)
    if services.queue is None or article is None:
        return None
    offers = [services.kb.offers[o] for o in article.offers if o in services.kb.offers]
    found = match_offices([office for offer in offers for office in offer.offices], text)
    return Step(IDLE, (screen(found[0], services.now),)) if len(found) == 1 else None


def on_choosing(state: ConversationState, event: Event, services: Services) -> Step | None:
    """An office named in typed text; anything else is a new message for triage."""
    known = offices_of(services.kb)
    listed = [known[i] for i in get_strs(state.data, "offices") if i in known]
    if isinstance(event, Text) and event.text.strip():
        typed = event.text.strip()
        if typed.isdigit() and 1 <= int(typed) <= len(listed):
            return Step(IDLE, (screen(listed[int(typed) - 1], services.now),))
        found = match_offices(list(known.values()), typed)
        if len(found) == 1:
            return Step(IDLE, (screen(found[0], services.now),))
        if found:
            return _choose(found, typed="")
    return menu.on_idle(IDLE, event, services)


def prompt_choosing(state: ConversationState, services: Services) -> list[Action]:
    """The list again."""
    known = offices_of(services.kb)
    listed = [known[i] for i in get_strs(state.data, "offices") if i in known]
    return [_list_reply(listed, "")]


def screen(office: OfficeHours, now: datetime) -> Reply:
    """The welcome screen when the office attends now, else the closed screen."""
    params = office_params(office, now)
    if params["open"]:
        return Reply("queue/welcome", params, ((button("queue_join", f"q:j:{office.id}"),),))
    return Reply("queue/closed", params, ((button("queue_notify", f"q:n:{office.id}"),),))


def office_params(office: OfficeHours, now: datetime) -> dict[str, Any]:
    """What the office's screens show: name, hours grouped by day, open now, next opening."""
    calendar = office.calendar
    spans: dict[int, list[list[str]]] = {}
    for window in office.windows:
        spans.setdefault(window.weekday, []).append(
            [f"{window.start:%H:%M}", f"{window.end:%H:%M}"]
        )
    groups: list[dict[str, Any]] = []
    for day, day_spans in sorted(spans.items()):
        if groups and groups[-1]["spans"] == day_spans:
            groups[-1]["days"].append(day)
        else:
            groups.append({"days": [day], "spans": day_spans})
    return {
        "office": office.name,
        "hours": groups,
        "open": calendar.is_open(now),
        "next_opening": calendar.next_opening(now),
    }


def _choose(offices: Iterable[OfficeHours], typed: str) -> Step:
    listed = list(offices)
    state = ConversationState(CHOOSING, {"offices": [o.id for o in listed[:LIST_LIMIT]]})
    return Step(state, (_list_reply(listed, typed),))


def _list_reply(listed: list[OfficeHours], typed: str) -> Reply:
    shown = listed[:LIST_LIMIT]
    params = {
        "typed": office_words(typed)[:60],
        "offices": [o.name for o in shown],
        "more": len(listed) > LIST_LIMIT,
    }
    return Reply("queue/offices", params, column(named(o.name, f"q:o:{o.id}") for o in shown))
