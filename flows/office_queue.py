"""The person's place in a Balcão Virtual queue: join, see it (/fila), leave it, answer the call
("Estou aqui"), and be told when a closed office opens. Buttons name what they act on (`q:...`),
so they work from old messages and from any state."""

from __future__ import annotations

from datetime import datetime

from . import answers, article_answers, office_choice, office_rating
from .actions import Reply
from .keyboards import button
from .ports import Services
from .queue_actions import ConfirmPresence, JoinQueue, LeaveQueue, NotifyWhenOpen
from .queue_ports import CALLED, SERVING, EntryView
from .state import ConversationState, Step

# Typed instead of the button "Sair da fila".
LEAVE_WORDS = frozenset({"sair da fila", "sair fila", "deixar a fila", "desistir da fila"})


def on_button(state: ConversationState, payload: str, services: Services) -> Step | None:
    """`q:o:OFFICE` screen, `q:j:OFFICE` join, `q:n:OFFICE` notify, `q:l:ID` leave,
    `q:h:ID` "Estou aqui", `q:r:ID:N` rating, `q:c:OFFER` its offices, `q:a:ARTICLE` how it
    works."""
    verb, _, rest = payload.partition(":")
    if verb == "c":
        offer = services.kb.offers.get(rest)
        if offer is None or not offer.offices:
            return None
        return office_choice.start(offer, "", services)
    if verb == "a":
        return article_answers.on_article_button(state, rest, services)
    if verb in ("o", "j", "n"):
        office = office_choice.offices_of(services.kb).get(rest)
        if office is None:
            return None
        is_open = office.calendar.is_open(services.now)
        if verb == "j" and is_open:
            return _join(state, office.id, services)
        at = office.calendar.next_opening(services.now)
        if verb == "n" and not is_open and at is not None:
            return Step(state, (NotifyWhenOpen(office.id, at), _notify_set(office.name, at)))
        # The screen as it is now: the office opened or closed since the button was shown.
        return Step(state, (office_choice.screen(office, services.now),))
    if verb == "r":
        return office_rating.on_score_button(state, rest, services)
    entry = _own_entry(rest, services)
    if verb == "l":
        if entry is None:  # an old button of an entry gone, or not theirs: not the current one
            return Step(state, (Reply("queue/not_in_queue"),))
        return leave(state, entry, services)
    if verb == "h":
        if entry is not None and entry.status == SERVING:  # pressed twice
            return Step(state, (Reply("queue/confirmed"),))
        if entry is None or entry.status != CALLED:
            return Step(state, (Reply("queue/call_expired"),))
        # The desk answers: confirmed, or too late if the minute ran out meanwhile.
        return Step(state, (ConfirmPresence(entry.id),))
    return None


def show_position(state: ConversationState, args: str, services: Services) -> Step:
    """/fila: the person's position and estimated wait, or that they are in no queue."""
    entry = services.queue.current() if services.queue is not None else None
    if entry is None:
        return Step(state, (Reply("queue/not_in_queue"),))
    return Step(state, (position_reply(entry, _office_name(entry, services)),))


def wants_to_leave(text: str, services: Services) -> bool:
    """Whether typed text is "sair da fila" from someone holding a place."""
    return services.queue is not None and answers.normalize(text) in LEAVE_WORDS


def leave(state: ConversationState, entry: EntryView | None, services: Services) -> Step:
    """Give up the place (waiting, or called and not yet confirmed)."""
    if entry is None and services.queue is not None:
        entry = services.queue.current()
    if entry is None or not entry.leavable:
        return Step(state, (Reply("queue/not_in_queue"),))
    params = {"office": _office_name(entry, services)}
    return Step(state, (LeaveQueue(entry.id), Reply("queue/left", params)))


def leaving_before_erasure(services: Services) -> tuple[LeaveQueue, ...]:
    """Erasing the person's data: give up their place first (those behind move up)."""
    entry = services.queue.current() if services.queue is not None else None
    return (LeaveQueue(entry.id),) if entry is not None and entry.leavable else ()


def position_reply(entry: EntryView, office: str, notice: str = "") -> Reply:
    """The position message (also what the desk pushes, edited in place, as the queue moves)."""
    params = {
        "office": office,
        "notice": notice,
        "status": entry.status,
        "position": entry.position,
        "minutes": entry.estimate_minutes,
    }
    keys = ((button("queue_leave", f"q:l:{entry.id}"),),) if entry.leavable else ()
    return Reply("queue/position", params, keys)


def _join(state: ConversationState, office_id: str, services: Services) -> Step:
    if services.queue is None:
        return Step(state, (Reply("queue/unavailable"),))
    current = services.queue.current()
    if current is not None:
        already = Reply("queue/already", {"office": _office_name(current, services)})
        return Step(state, (already, position_reply(current, _office_name(current, services))))
    # The position message (pushed by the desk, then edited in place) says it joined.
    return Step(state, (JoinQueue(office_id),))


def _own_entry(digits: str, services: Services) -> EntryView | None:
    if services.queue is None or not digits.isdigit():
        return None
    return services.queue.entry(int(digits))


def _office_name(entry: EntryView, services: Services) -> str:
    office = office_choice.offices_of(services.kb).get(entry.office_id)
    return office.name if office else entry.office_id


def _notify_set(office: str, at: datetime) -> Reply:
    return Reply("queue/notify_set", {"office": office, "at": at})
