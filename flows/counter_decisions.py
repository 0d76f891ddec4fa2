"""The attendants' side of the Balcão Virtual, as pure decisions: a group command (or the queue
card's button, or a call window running out) and a read-only view in, actions out.

    /proximo [OFFICE] [LINK]  call the first person in line (the office's meeting link, or LINK)
    /encerrar                 end the attendance in progress; the person is asked for a rating

Both are rows of the agents' command table (bot/agents/commands.py: menu, help, role); the desk
authorizes the attendant, then bot/live_queue/counter.py builds the view and applies the actions
in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .queue_ports import CALLED


@dataclass(frozen=True)
class OfficeSeat:
    """An office the group serves, as the attendant's decision needs it."""

    id: str
    name: str
    meeting_url: str
    anyone_waiting: bool


@dataclass(frozen=True)
class Attendance:
    """An entry an attendant is calling or serving."""

    id: int
    office_id: str
    status: str
    name: str


@dataclass(frozen=True)
class CounterView:
    """Who typed the command and what the group's offices look like now."""

    offices: tuple[OfficeSeat, ...]
    # "ok" for an attendant past the second factor, else the desk's refusal reason.
    verdict: str
    current: Attendance | None = None


@dataclass(frozen=True)
class Answer:
    """A message in the group, replying to the command: bot/templates/<template>.j2."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    # (office id, office name): a "Chamar o próximo" button each.
    next_buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Call:
    """Call the first person waiting at the office, with this meeting link."""

    office_id: str
    meeting_url: str


@dataclass(frozen=True)
class Miss:
    """The person called did not confirm in time: their attendance ends."""

    entry_id: int


@dataclass(frozen=True)
class End:
    """End the attendance: thanks and the rating request go to the person."""

    entry_id: int


@dataclass(frozen=True)
class Record:
    """An audit entry for the attendant's step (refusals too)."""

    action: str
    outcome: str = "ok"
    details: Mapping[str, object] = field(default_factory=dict)


CounterAction = Answer | Call | Miss | End | Record


def decide(name: str, args: str, view: CounterView) -> list[CounterAction]:
    """What a group command does."""
    action = f"queue_{name}"
    if view.verdict != "ok":
        refusal = Answer(f"desk/refused_{view.verdict}")
        return [refusal, Record(action, "refused", {"reason": view.verdict})]
    if name == "encerrar":
        if view.current is None:
            return [Answer("queue/nothing_to_end"), Record(action, "refused", {"reason": "none"})]
        ending = view.current
        return [End(ending.id), Record(action, details={"entry": ending.id})]
    return _next(args, view, action)


def window_expired(entry: Attendance | None, next_office: OfficeSeat | None) -> list[CounterAction]:
    """A call's minute ran out: a person still called missed it; the next one is called."""
    if entry is None or entry.status != CALLED:
        return []
    missed = Record("queue_missed", details={"entry": entry.id})
    actions: list[CounterAction] = [Miss(entry.id), missed]
    if next_office is not None and next_office.anyone_waiting:
        actions.append(Call(next_office.id, next_office.meeting_url))
    return actions


def _next(args: str, view: CounterView, action: str) -> list[CounterAction]:
    words = args.split()
    link = next((w for w in words if w.startswith("https://")), "")
    named = [w for w in words if not w.startswith("https://")]
    offices = [o for o in view.offices if not named or o.id == named[0]]
    if not offices:
        offices = list(view.offices)
    if len(offices) > 1:
        # A group serving several offices: only those with someone waiting are a choice.
        offices = [o for o in offices if o.anyone_waiting] or offices
    if len(offices) > 1 and any(o.anyone_waiting for o in offices):
        listed = [{"id": o.id, "name": o.name} for o in offices]
        buttons = tuple((o.id, o.name) for o in offices)
        return [Answer("queue/which_office", {"offices": listed}, buttons)]
    if len(offices) > 1:
        names = ", ".join(o.name for o in offices)
        return [
            Answer("queue/empty", {"office": names}),
            Record(action, "refused", {"reason": "empty"}),
        ]
    office = offices[0]
    if view.current is not None:
        busy = "still_calling" if view.current.status == CALLED else "finish_first"
        params = {"name": view.current.name, "office": office.name}
        return [Answer(f"queue/{busy}", params), Record(action, "refused", {"reason": busy})]
    if not office.anyone_waiting:
        return [
            Answer("queue/empty", {"office": office.name}),
            Record(action, "refused", {"reason": "empty", "office": office.id}),
        ]
    meeting = link or office.meeting_url
    if not meeting:
        return [
            Answer("queue/need_link", {"office": office.name}),
            Record(action, "refused", {"reason": "no_link", "office": office.id}),
        ]
    return [Call(office.id, meeting)]
