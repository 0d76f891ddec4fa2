"""The rating of a finished Balcão Virtual attendance: 1-5 by button, then an optional comment."""

from __future__ import annotations

from . import answers
from .actions import Action, Keyboard, Reply
from .events import Event, Text
from .keyboards import SKIP, button
from .ports import Services
from .queue_actions import RateAttendance
from .queue_ports import DONE
from .state import ConversationState, Step, get_int, interrupt, resume

COMMENT = "queue_comment"
SCORES = range(1, 6)


def rating_buttons(entry_id: int) -> Keyboard:
    """The 1-5 buttons of an attendance."""
    return (tuple(button("score", f"q:r:{entry_id}:{n}", score=n) for n in SCORES),)


def on_score_button(state: ConversationState, payload: str, services: Services) -> Step | None:
    """`q:r:ID:N`: the score; the comment is asked next (a form in progress is kept)."""
    digits, _, score = payload.partition(":")
    if not digits.isdigit() or not score.isdigit() or int(score) not in SCORES:
        return None
    entry = services.queue.entry(int(digits)) if services.queue is not None else None
    if entry is None or entry.status != DONE or entry.rated:
        return Step(state, (Reply("queue/rating_unavailable"),))
    base = resume(state).state if state.name == COMMENT else state
    return interrupt(base, COMMENT, {"entry": entry.id, "score": int(score)})


def on_comment(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The optional comment, or "pular"."""
    entry_id, score = get_int(state.data, "entry"), get_int(state.data, "score")
    if answers.said(event, SKIP, answers.SKIP):
        comment = None
    elif isinstance(event, Text) and event.text.strip():
        comment = event.text.strip()[:2000]
    else:
        return None
    thanks = Reply("queue/rating_thanks", {"score": score, "commented": comment is not None})
    return resume(state, RateAttendance(entry_id, score, comment), thanks)


def prompt_comment(state: ConversationState, services: Services) -> list[Action]:
    """Ask for an optional comment."""
    params = {"score": get_int(state.data, "score")}
    return [Reply("queue/rating_comment", params, ((button("skip", SKIP),),))]
