"""Choosing a Balcão Virtual office: by name (fuzzy), from a short list, then its welcome screen
(with its hours and "Entrar na fila") or, outside its hours, the closed screen with the next
opening and "Avise-me quando abrir"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from knowledge_base.models import KnowledgeBase, Offer, OfficeHours
from knowledge_base.offices import asking_words, match_offices, office_words

from . import menu, office_intent
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
    ignored = asking_words(services.kb)
    found = match_offices(offer.offices, text, ignored)
    if len(found) == 1:
        return Step(IDLE, (screen(found[0], services.now),))
    typed = office_words(text, ignored) if not found else ""
    if not found and len(offer.offices) == 1 and not typed:
        return Step(IDLE, (screen(offer.offices[0], services.now),))
    return _choose(found or list(offer.offices), typed=typed)


def for_article(article_id: str, text: str, services: Services) -> Step | None:
    """A Balcão Virtual article decision, taken as an attendant would: an office named ("qual o
    horário do cartório da 2ª vara cível?") gets its own screen; the service's bare name gets
    the two ways (join a queue, or how it works); a request to be attended ("atendimento online
    com o cartório") gets the office choice; a question keeps its article (None)."""
    article = services.kb.articles.get(article_id)
    if services.queue is None or article is None:
        return None
    offers = [
        services.kb.offers[o]
        for o in article.offers
        if o in services.kb.offers and services.kb.offers[o].offices
    ]
    if not offers:
        return None
    ignored = asking_words(services.kb)
    found = match_offices([o for offer in offers for o in offer.offices], text, ignored)
    if len(found) == 1:
        return Step(IDLE, (screen(found[0], services.now),))
    offer = offers[0]
    if office_intent.names_only(text, offer, services.kb):
        return Step(IDLE, (ways(offer, article_id),))
    if office_intent.asks_attendance(text, offer, services.kb):
        return start(offer, text, services)
    if office_intent.asks_hours(text, article.office_hours, services.kb):
        return Step(IDLE, (hours(offer, article_id, services.now),))
    return None


def hours(offer: Offer, article_id: str, now: datetime) -> Reply:
    """ "Qual o horário do balcão virtual?": each office's hours and whether it attends now,
    a button to each office's screen and one to the article."""
    shown = offer.offices[:LIST_LIMIT]
    keys = column(named(o.name, f"q:o:{o.id}") for o in shown)
    keys += ((button("queue_how", f"q:a:{article_id}"),),)
    params = {
        "offer": offer.name,
        "offices": [office_params(o, now) for o in shown],
        "more": len(offer.offices) > LIST_LIMIT,
    }
    return Reply("queue/hours", params, keys)


def ways(offer: Offer, article_id: str) -> Reply:
    """The service named and nothing else: join a queue now, or read how it works."""
    keys = (
        (button("queue_choose", f"q:c:{offer.id}"),),
        (button("queue_how", f"q:a:{article_id}"),),
    )
    return Reply("queue/ways", {"offer": offer.name, "offices": len(offer.offices)}, keys)


def on_choosing(state: ConversationState, event: Event, services: Services) -> Step | None:
    """An office named in typed text; anything else is a new message for triage."""
    known = offices_of(services.kb)
    listed = [known[i] for i in get_strs(state.data, "offices") if i in known]
    if isinstance(event, Text) and event.text.strip():
        typed = event.text.strip()
        if typed.isdigit() and 1 <= int(typed) <= len(listed):
            return Step(IDLE, (screen(listed[int(typed) - 1], services.now),))
        found = match_offices(list(known.values()), typed, asking_words(services.kb))
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
        "typed": typed[:60],
        "offices": [o.name for o in shown],
        "more": len(listed) > LIST_LIMIT,
    }
    return Reply("queue/offices", params, column(named(o.name, f"q:o:{o.id}") for o in shown))
