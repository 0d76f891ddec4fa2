"""The Balcão Virtual's attendant commands as desk decisions: the desk authorizes the attendant
(the command table's role, the second factor), then hands the command to the live queue, whose
pure decisions (flows/counter_decisions.py) read the offices' queues."""

from __future__ import annotations

from bot.agents.decisions import lookups
from bot.agents.desk_actions import AtCounter, DeskAction
from bot.agents.desk_view import DeskView


def queues(view: DeskView, args: str) -> list[DeskAction]:
    """/fila: the tickets' queues, then (in a group serving offices) each busy office's queue."""
    return [*lookups.queues(view, args), AtCounter("fila", args)]


def call_next(view: DeskView, args: str) -> list[DeskAction]:
    """/proximo [CARTÓRIO] [LINK]: call the first person in line."""
    return [AtCounter("proximo", args)]


def end_attendance(view: DeskView, args: str) -> list[DeskAction]:
    """/encerrar: end the attendance in progress; the person is asked for a rating."""
    return [AtCounter("encerrar", args)]
