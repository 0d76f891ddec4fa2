"""Ticket news from the desk, and the 1-5 rating with an optional comment once it is resolved."""

from __future__ import annotations

from . import answers, menu
from .actions import Action, CommentRating, RateTicket, Reply
from .events import Event, Text, TicketStatusChanged
from .keyboards import SKIP, button
from .ports import Services
from .state import IDLE, IDLE_NAME, ConversationState, Step, get_int, get_str, interrupt, resume

RESOLVED = "resolvido"
SCORES = range(1, 6)


def on_status_changed(state: ConversationState, event: TicketStatusChanged) -> Step:
    """Tell the user; a resolved ticket asks for a rating (a form in progress is kept)."""
    if event.status != RESOLVED:
        params = {"code": event.code, "status": event.status}
        return Step(state, (Reply("ticket_status_changed", params),))
    waiting = ConversationState("rating_score", {"code": event.code})
    replaceable = state.name in (IDLE_NAME, "rating_score")
    return Step(waiting if replaceable else state, tuple(_request(event.code)))


def on_score_button(state: ConversationState, payload: str, services: Services) -> Step | None:
    """A star button `r:CODE:N`, valid from any state because it names its ticket."""
    code, _, digits = payload.rpartition(":")
    if not code or not digits.isdigit() or int(digits) not in SCORES:
        return None
    return _scored(state, code, int(digits), services)


def on_rating_score(state: ConversationState, event: Event, services: Services) -> Step | None:
    """A typed score; anything else is a new message, and the rating buttons stay usable."""
    if isinstance(event, Text) and (score := answers.number(event.text, len(SCORES))):
        return _scored(state, get_str(state.data, "code"), score, services)
    return menu.on_idle(IDLE, event, services)


def on_rating_comment(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The optional comment, or "pular"."""
    code, score = get_str(state.data, "code"), get_int(state.data, "score")
    if answers.said(event, SKIP, answers.SKIP):
        comment = None
    elif isinstance(event, Text) and event.text.strip():
        comment = event.text.strip()
    else:
        return None
    thanks = Reply("rating_thanks", {"score": score, "commented": comment is not None})
    if comment is None:
        return resume(state, thanks)
    return resume(state, CommentRating(code, comment), thanks)


def prompt_rating_score(state: ConversationState, services: Services) -> list[Action]:
    """The rating request again."""
    return _request(get_str(state.data, "code"))


def prompt_rating_comment(state: ConversationState, services: Services) -> list[Action]:
    """Ask for an optional comment."""
    params = {"score": get_int(state.data, "score")}
    return [Reply("rating_comment", params, ((button("skip", SKIP),),))]


def _scored(state: ConversationState, code: str, score: int, services: Services) -> Step:
    view = services.tickets.ticket(code)
    base = IDLE if state.name == "rating_score" else state
    if view is None or not view.ratable:
        return Step(base, (Reply("rating_unavailable", {"code": code}),))
    # Stored at the tap: a user who leaves before the comment step keeps their rating.
    asked = interrupt(base, "rating_comment", {"code": view.code, "score": score})
    return asked.after(RateTicket(view.code, score))


def _request(code: str) -> list[Action]:
    keys = (tuple(button("score", f"r:{code}:{n}", score=n) for n in SCORES),)
    return [Reply("ticket_resolved", {"code": code}, keys)]
