"""The pure relay flow: messages about tickets in attendance, and choosing among several."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from flows.actions import RelayToTicket, Reply
from flows.events import Attachment, Button, Text
from flows.machine import advance
from flows.ports import Services, TicketView
from flows.state import IDLE, ConversationState
from tests.flows.kb_fixture import build_kb

AT = datetime(2025, 12, 1, 12, tzinfo=UTC)


@dataclass
class Tickets:
    views: list[TicketView]

    def tickets_of_user(self) -> Sequence[TicketView]:
        return self.views

    def ticket(self, code: str) -> TicketView | None:
        return next((v for v in self.views if v.code == code), None)

    def in_attendance(self) -> Sequence[TicketView]:
        return [v for v in self.views if v.in_attendance]


class NoTriage:
    def decide(self, text: str) -> object:
        raise AssertionError("a message in attendance is not triaged")


def view(
    code: str, minutes: int, *, with_agent: bool = True, status: str = "em_atendimento"
) -> TicketView:
    return TicketView(
        code, "sei", None, status, AT + timedelta(minutes=minutes), with_agent=with_agent
    )


def services(*views: TicketView) -> Services:
    return Services(build_kb(), NoTriage(), Tickets(list(views)), AT, 1)  # type: ignore[arg-type]


def test_one_ticket_in_attendance_gets_the_message_with_its_id() -> None:
    state, actions = advance(
        IDLE, Text("segue o print", message_id=31), services(view("SEI-AAAAAA", 0))
    )
    assert state == IDLE
    assert actions == [RelayToTicket("SEI-AAAAAA", text="segue o print", message_id=31)]


def test_files_are_relayed_too() -> None:
    file = Attachment("BQAC", "erro.pdf", 10, "application/pdf", "document")
    _, actions = advance(IDLE, file, services(view("SEI-AAAAAA", 0)))
    assert actions == [RelayToTicket("SEI-AAAAAA", attachment=file)]


@pytest.mark.parametrize(
    "other", [view("SEI-BBBBBB", 1, with_agent=False), view("SEI-CCCCCC", 2, status="resolvido")]
)
def test_tickets_nobody_attends_do_not_take_messages(other: TicketView) -> None:
    _, actions = advance(IDLE, Text("oi"), services(other, view("SEI-AAAAAA", 0)))
    assert actions == [RelayToTicket("SEI-AAAAAA", text="oi")]


def test_several_tickets_ask_which_and_the_choice_relays_the_kept_message() -> None:
    both = services(view("SEI-AAAAAA", 0), view("SUP-BBBBBB", 5))
    state, actions = advance(IDLE, Text("segue o print", message_id=7), both)
    assert state.name == "relay_choose"
    [question] = actions
    assert isinstance(question, Reply) and question.template == "desk/relay_choose"
    data = [b.data for row in question.buttons for b in row]
    assert data == ["rl:SUP-BBBBBB", "rl:SEI-AAAAAA", "rl:new"]

    done, actions = advance(state, Button("rl:SEI-AAAAAA"), both)
    assert done == IDLE
    assert actions == [
        RelayToTicket("SEI-AAAAAA", text="segue o print", message_id=7),
        Reply("desk/relay_sent", {"code": "SEI-AAAAAA"}),
    ]
    _, typed = advance(state, Text("2"), both)
    assert typed[0] == RelayToTicket("SEI-AAAAAA", text="segue o print", message_id=7)


def test_a_ticket_closed_meanwhile_is_not_relayed_and_garbage_state_is_lost() -> None:
    state = ConversationState("relay_choose", {"message": {"text": "oi"}})
    _, actions = advance(
        state, Button("rl:SEI-ZZZZZZ"), services(view("SEI-AAAAAA", 0), view("SEI-BBBBBB", 1))
    )
    assert isinstance(actions[0], Reply) and actions[0].template == "desk/relay_unavailable"
    broken = replace(state, data={"message": 5})
    _, lost = advance(broken, Button("rl:SEI-AAAAAA"), services())
    assert isinstance(lost[0], Reply) and lost[0].template == "state_lost"
