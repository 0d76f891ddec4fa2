"""The desk's decisions as pure functions: a view in, actions out. No database, no Telegram."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.agents.commands import BY_NAME, COMMANDS, card_buttons, help_text, may_run, menu
from bot.agents.decisions import lookups, offer_moves, ticket_work
from bot.agents.decisions.card_press import press
from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    Alert,
    Assign,
    ChangeStatus,
    Escalate,
    PostInThread,
    Record,
    RelayReply,
    RelayText,
    Say,
    SetPriority,
    TellRequester,
    Transfer,
    Unlock,
)
from bot.agents.desk_view import AgentFacts, DeskView, TicketFacts
from bot.agents.settings import DeskSettings
from bot.rendering import Renderer
from storage import OPEN_STATUSES, EventKind, Role, Status
from tests.flows.kb_fixture import build_kb

NOW = datetime(2025, 6, 2, 12, tzinfo=UTC)
KB = build_kb()
ANA = AgentFacts(id=7, telegram_user_id=700, name="Ana", supervisor=False)
TICKET = TicketFacts(
    code="EPS-7K3Q9A",
    status=Status.NOVO,
    offer_id="eproc-2g",
    category="tramitacao",
    priority=3,
    assigned_agent_id=None,
    escalated=False,
    agent_chat_id=-1001,
    requester_reachable=True,
)


@dataclass
class FakeReader:
    """What the store would answer, held in memory."""

    waiting: list[Mapping[str, Any]] = field(default_factory=list)
    agents: dict[int, str] = field(default_factory=dict)

    def queues(self) -> Sequence[Mapping[str, Any]]:
        return self.waiting

    def search(self, text: str) -> Sequence[Mapping[str, Any]]:
        return [{"code": TICKET.code}] if text in TICKET.code else []

    def ticket_info(self, code: str) -> Mapping[str, Any] | None:
        return {"code": code} if code == TICKET.code else None

    def audit(self, code: str | None, limit: int) -> Sequence[Any]:
        return []

    def agent_name(self, telegram_user_id: int) -> str | None:
        return self.agents.get(telegram_user_id)


def view(
    ticket: TicketFacts | None = TICKET,
    settings: DeskSettings | None = None,
    reader: FakeReader | None = None,
    agent: AgentFacts = ANA,
) -> DeskView:
    return DeskView(agent, ticket, NOW, KB, settings or DeskSettings(), reader or FakeReader())


def with_(**changes: Any) -> TicketFacts:
    return replace(TICKET, **changes)


def outcomes(actions: Sequence[object]) -> list[tuple[str, str]]:
    return [(a.action, a.outcome) for a in actions if isinstance(a, Record)]


# -- taking, answering, resolving ------------------------------------------------------------


def test_take_from_the_queue_assigns_moves_and_announces() -> None:
    assert ticket_work.take(view(), "") == [
        Assign(),
        ChangeStatus(Status.EM_ATENDIMENTO, "take"),
        PostInThread("desk/taken", {"agent": "Ana"}),
    ]


def test_take_from_another_agent_reassigns_without_a_status_change() -> None:
    taken = with_(status=Status.EM_ATENDIMENTO, assigned_agent_id=9)
    actions = ticket_work.take(view(taken), "")
    assert actions[0] == Assign()
    assert not any(isinstance(a, ChangeStatus) for a in actions)
    assert Record("take", details={"previous_agent": 9}) in actions


@pytest.mark.parametrize("status", [Status.RESOLVIDO, Status.FECHADO, Status.CANCELADO])
def test_take_never_reopens_a_ticket_the_desk_is_done_with(status: Status) -> None:
    actions = ticket_work.take(view(with_(status=status)), "")
    assert [type(a) for a in actions] == [Say, Record]
    assert actions[0] == Say(
        "desk/invalid_transition", {"code": TICKET.code, "status": status, "to": "em_atendimento"}
    )
    assert outcomes(actions) == [("take", "refused")]


def test_an_answer_on_an_untaken_ticket_takes_it_then_relays() -> None:
    actions = ticket_work.reply(view())
    assert actions[:2] == [Assign(), ChangeStatus(Status.EM_ATENDIMENTO, "take")]
    assert actions[-1] == RelayReply()


def test_an_answer_on_a_taken_ticket_is_only_relayed() -> None:
    assert ticket_work.reply(view(with_(status="em_atendimento", assigned_agent_id=7))) == [
        RelayReply()
    ]


def test_an_answer_on_a_closed_ticket_is_refused() -> None:
    actions = ticket_work.reply(view(with_(status=Status.FECHADO)))
    assert actions[0] == Say("desk/ticket_final", {"code": TICKET.code})
    assert outcomes(actions) == [("reply", "refused")]


def test_resolve_with_text_relays_it_first_and_asks_for_the_rating_through_the_status() -> None:
    assert ticket_work.resolve(view(with_(assigned_agent_id=7)), " Corrigido. ") == [
        RelayText("Corrigido."),
        ChangeStatus(Status.RESOLVIDO, "resolve"),
        PostInThread("desk/resolved", {"agent": "Ana"}),
    ]


def test_resolving_twice_is_refused_without_a_second_rating_request() -> None:
    actions = ticket_work.resolve(view(with_(status=Status.RESOLVIDO)), "de novo")
    assert not any(isinstance(a, ChangeStatus | RelayText) for a in actions)
    assert outcomes(actions) == [("resolve", "refused")]


def test_close_and_reopen_apply_only_to_a_resolved_ticket() -> None:
    resolved = view(with_(status=Status.RESOLVIDO, assigned_agent_id=7))
    assert ticket_work.close(resolved, "")[0] == ChangeStatus(Status.FECHADO, "close")
    assert ticket_work.reopen(resolved, "")[0] == ChangeStatus(Status.EM_ATENDIMENTO, "reopen")
    assert outcomes(ticket_work.close(view(), "")) == [("close", "refused")]
    assert outcomes(ticket_work.reopen(view(), "")) == [("reopen", "refused")]


def test_priority_must_be_one_to_five() -> None:
    assert outcomes(ticket_work.priority(view(), "9")) == [("priority", "refused")]
    actions = ticket_work.priority(view(), " 1 ")
    assert actions[0] == SetPriority(1)
    assert Record("priority", details={"old": 3, "new": 1}) in actions


def test_article_goes_to_the_requester_and_into_the_history() -> None:
    actions = ticket_work.article(view(), "eproc-perfis")
    assert actions[0] == TellRequester(
        "desk/article_for_user", {"code": TICKET.code, "article_id": "eproc-perfis"}
    )
    assert isinstance(actions[1], AddRenderedToHistory)
    assert outcomes(ticket_work.article(view(), "nao-existe")) == [("article", "refused")]
    gone = ticket_work.article(view(with_(requester_reachable=False)), "eproc-perfis")
    assert gone == [Say("desk/requester_gone", {"code": TICKET.code})]


def test_a_note_is_kept_acknowledged_and_audited_and_an_empty_one_is_answered() -> None:
    assert ticket_work.note(view(), "  ligar amanhã ") == [
        AddToHistory(EventKind.NOTE, "ligar amanhã"),
        Say("desk/note_saved", {"code": TICKET.code}),
        Record("note"),
    ]
    assert outcomes(ticket_work.note(view(), " ")) == [("note", "refused")]


# -- moving ----------------------------------------------------------------------------------


def test_transfer_without_an_offer_lists_the_other_offers_as_buttons() -> None:
    [say] = offer_moves.transfer(view(), "")
    assert isinstance(say, Say) and say.template == "desk/transfer_choose"
    data = [b.data for row in say.buttons for b in row]
    assert f"d:to:{TICKET.code}:eproc-1g" in data
    assert f"d:to:{TICKET.code}:eproc-2g" not in data


def test_transfer_to_the_same_or_an_unknown_offer_is_refused() -> None:
    for typed in ("eproc-2g", "nenhuma"):
        assert outcomes(offer_moves.transfer(view(), typed)) == [("transfer", "refused")]


def test_transfer_moves_an_open_ticket_only() -> None:
    assert offer_moves.transfer(view(), "eproc-1g")[0] == Transfer("eproc-1g")
    closed = offer_moves.transfer(view(with_(status=Status.FECHADO)), "eproc-1g")
    assert outcomes(closed) == [("transfer", "refused")]


def test_escalation_needs_a_level_two_chat_and_happens_once() -> None:
    assert outcomes(offer_moves.escalate(view(), "")) == [("escalate", "refused")]
    settings = DeskSettings(level2_chat_id=-2002)
    assert offer_moves.escalate(view(settings=settings), "")[0] == Escalate(-2002)
    again = offer_moves.escalate(view(with_(escalated=True), settings=settings), "")
    assert again[0] == Say("desk/already_escalated", {"code": TICKET.code})


# -- card buttons --------------------------------------------------------------------------


def test_cards_show_only_the_buttons_valid_in_the_status() -> None:
    keys = {s: [key for _, key in card_buttons(s)] for s in Status}
    for status in OPEN_STATUSES:
        assert keys[status] == ["take", "res", "tr", "esc"]
    assert keys[Status.RESOLVIDO] == ["reo", "fec"]
    assert keys[Status.FECHADO] == keys[Status.CANCELADO] == []


def test_a_stale_press_is_answered_with_the_status_and_changes_nothing() -> None:
    take = BY_NAME["assumir"]
    assert take.button is not None
    resolved = view(with_(status=Status.RESOLVIDO))
    actions = press(take.name, take.handler, take.button.valid_in, resolved, "")
    assert actions == [
        Alert("desk/stale_button", {"status": Status.RESOLVIDO}),
        Record("assumir", "refused", {"reason": "stale_button", "status": Status.RESOLVIDO}),
    ]
    text = Renderer(KB).render("desk/stale_button", {"status": Status.RESOLVIDO})
    assert "Este chamado já está Resolvido" in text


# -- the table, help and look-ups -------------------------------------------------------------


def test_the_help_lists_each_command_of_the_table_the_agent_may_use() -> None:
    renderer = Renderer(KB)
    [say] = help_text(view(), "")
    assert isinstance(say, Say)
    shown = renderer.render(say.template, say.params)
    boss = view(agent=replace(ANA, supervisor=True))
    [boss_say] = help_text(boss, "")
    assert isinstance(boss_say, Say)
    everything = renderer.render(boss_say.template, boss_say.params)
    for command in COMMANDS:
        assert f"/{command.name}" in everything
        assert (f"/{command.name}" in shown) == may_run(command, Role.AGENT)


def test_the_group_menu_comes_from_the_table() -> None:
    assert [name for name, _ in menu()] == [c.name for c in COMMANDS]
    assert "auditoria" not in [name for name, _ in menu(Role.AGENT)]


def test_queues_show_ages_from_the_view_clock() -> None:
    reader = FakeReader(
        waiting=[
            {
                "name": "eproc 2º Grau",
                "tickets": [
                    {"code": "EPS-1", "priority": 1, "created_at": NOW - timedelta(hours=26)},
                    {"code": "EPS-2", "priority": 3, "created_at": NOW - timedelta(minutes=5)},
                ],
            }
        ]
    )
    [say, record] = lookups.queues(view(reader=reader), "")
    assert isinstance(say, Say)
    [offer] = say.params["offers"]  # type: ignore[index]
    assert offer["count"] == 2
    assert offer["oldest"] == {"days": 1, "hours": 2, "minutes": 0}
    assert record == Record("queues")


def test_unlock_names_a_registered_agent_only() -> None:
    reader = FakeReader(agents={555: "Bia"})
    assert lookups.unlock(view(reader=reader), "555")[0] == Unlock(555)
    assert outcomes(lookups.unlock(view(reader=reader), "556")) == [("unlock", "refused")]
