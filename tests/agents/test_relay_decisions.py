"""The relay's decisions as pure functions: facts in, actions out. No database, no Telegram."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.agents.decisions import relay
from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    EditRequesterCopy,
    EditThreadCopy,
    KeepFile,
    NoteFirstResponse,
    Record,
    RelayFileToThread,
    RelayToRequester,
    RelayToThread,
    ReplyToUser,
    ResumeAttendance,
    Say,
)
from bot.agents.desk_view import DeskView, TicketFacts
from bot.agents.relay_facts import AgentMessage, LinkFacts, UserEdit, UserFacts
from bot.agents.settings import DeskSettings
from flows.actions import RelayToTicket
from flows.events import Attachment
from storage import OPEN_STATUSES, EventKind, Status
from tests.agents.test_decisions import ANA, KB, NOW, FakeReader

GROUP = -1001
BRUNO = UserFacts(id=41, chat_id=4100, name="Bruno")
TICKET = TicketFacts(
    code="EPS-7K3Q9A",
    status=Status.EM_ATENDIMENTO,
    offer_id="eproc-2g",
    category=None,
    priority=3,
    assigned_agent_id=7,
    escalated=False,
    agent_chat_id=GROUP,
    requester_reachable=True,
    requester_id=BRUNO.id,
)
SAID = RelayToTicket(TICKET.code, text="O processo sumiu", message_id=55)
PDF = Attachment(file_id="f-1", file_name="erro.pdf", size=2048, kind="document")
TEXT = AgentMessage(chat_id=GROUP, message_id=900, text="Qual é a vara?")
PHOTO = AgentMessage(chat_id=GROUP, message_id=901, text="Veja", caption="Veja", media="photo")


def ticket(**changes: object) -> TicketFacts:
    return replace(TICKET, **changes)


def view(facts: TicketFacts | None = TICKET, *, anonymous: bool = False) -> DeskView:
    settings = DeskSettings(anonymous_replies=anonymous)
    return DeskView(ANA, facts, NOW, KB, settings, FakeReader())


def link(direction: str = "in", **changes: object) -> LinkFacts:
    stored = LinkFacts(
        direction=direction,
        user_chat_id=BRUNO.chat_id,
        user_message_id=55,
        agent_chat_id=GROUP,
        agent_message_id=777,
    )
    return replace(stored, **changes)


# -- the user's messages to the thread -------------------------------------------------------


def test_a_user_message_to_a_ticket_in_attendance_is_recorded_and_relayed_linked() -> None:
    assert relay.from_user(TICKET, BRUNO, SAID, files=0) == [
        AddToHistory(EventKind.MESSAGE, "O processo sumiu"),
        RelayToThread(
            GROUP,
            "desk/from_user",
            {"name": "Bruno", "text": "O processo sumiu", "edited": False},
            user_chat_id=4100,
            user_message_id=55,
        ),
    ]


def test_a_user_message_to_a_ticket_waiting_for_them_resumes_it_first() -> None:
    actions = relay.from_user(ticket(status=Status.AGUARDANDO_USUARIO), BRUNO, SAID, files=0)
    assert actions[0] == ResumeAttendance()
    assert [type(a) for a in actions[1:]] == [AddToHistory, RelayToThread]


@pytest.mark.parametrize("status", sorted(OPEN_STATUSES - {Status.AGUARDANDO_USUARIO}))
def test_only_a_ticket_waiting_for_the_user_is_resumed(status: str) -> None:
    actions = relay.from_user(ticket(status=status), BRUNO, SAID, files=0)
    assert ResumeAttendance() not in actions
    assert any(isinstance(a, RelayToThread) for a in actions)


@pytest.mark.parametrize("status", [Status.RESOLVIDO, Status.FECHADO, Status.CANCELADO])
def test_a_user_message_to_a_ticket_no_longer_worked_on_is_answered_not_relayed(
    status: Status,
) -> None:
    assert relay.from_user(ticket(status=status), BRUNO, SAID, files=0) == [
        ReplyToUser(4100, "desk/relay_unavailable", {"code": TICKET.code})
    ]


@pytest.mark.parametrize(
    "facts",
    [None, ticket(requester_id=99), ticket(requester_id=None), ticket(agent_chat_id=None)],
    ids=["no ticket", "someone else's", "requester erased", "no agents' chat"],
)
def test_a_user_message_that_cannot_reach_a_thread_is_answered_not_relayed(
    facts: TicketFacts | None,
) -> None:
    long_code = RelayToTicket("X" * 60, text="oi")
    assert relay.from_user(facts, BRUNO, long_code, files=0) == [
        ReplyToUser(4100, "desk/relay_unavailable", {"code": "X" * 40})
    ]


def test_a_user_file_is_kept_recorded_by_its_caption_and_posted_unlinked() -> None:
    with_file = RelayToTicket(TICKET.code, attachment=PDF, message_id=56)
    caption = {
        "name": "Bruno",
        "file": {"name": "erro.pdf", "kind": "document", "size": 2048, "number": 3},
    }
    assert relay.from_user(TICKET, BRUNO, with_file, files=2) == [
        KeepFile(PDF),
        AddRenderedToHistory(EventKind.MESSAGE, "desk/from_user_file", caption),
        RelayFileToThread(GROUP, PDF, "desk/from_user_file", caption),
    ]


# -- the user's edits ------------------------------------------------------------------------

EDIT = UserEdit(name="Bruno S.", text="2ª Câmara")
EDITED = {"name": "Bruno S.", "text": "2ª Câmara", "edited": True}


def test_an_edit_of_a_message_never_relayed_does_nothing() -> None:
    assert relay.user_edit(None, TICKET, EDIT) == []


def test_an_edit_in_the_users_chat_of_an_agents_copy_does_nothing() -> None:
    assert relay.user_edit(link("out"), TICKET, EDIT) == []


@pytest.mark.parametrize("facts", [None, ticket(agent_chat_id=None)], ids=["gone", "no chat"])
def test_an_edit_for_a_ticket_without_a_thread_does_nothing(facts: TicketFacts | None) -> None:
    assert relay.user_edit(link(), facts, EDIT) == []


def test_a_user_edit_edits_the_threads_copy_and_is_kept_in_the_history() -> None:
    assert relay.user_edit(link(), TICKET, EDIT) == [
        AddToHistory(EventKind.EDIT, "2ª Câmara"),
        EditThreadCopy(GROUP, 777, "desk/from_user", EDITED),
    ]


def test_a_user_edit_before_the_copy_was_sent_is_posted_anew() -> None:
    actions = relay.user_edit(link(agent_message_id=None), TICKET, EDIT)
    assert actions[-1] == EditThreadCopy(GROUP, None, "desk/from_user", EDITED)


def test_a_user_edit_after_the_ticket_moved_is_posted_anew_where_the_copy_was() -> None:
    moved = ticket(agent_chat_id=-2002)
    actions = relay.user_edit(link(), moved, EDIT)
    assert actions[-1] == EditThreadCopy(GROUP, None, "desk/from_user", EDITED)


# -- the agents' messages to the requester ---------------------------------------------------


def signed(text: str, *, edited: bool = False, signature: str | None = "Ana") -> dict[str, object]:
    return {"signature": signature, "code": TICKET.code, "edited": edited, "text": text}


def test_an_agent_reply_is_recorded_timed_relayed_linked_and_audited() -> None:
    assert relay.reply(view(), BRUNO, TEXT) == [
        AddToHistory(EventKind.MESSAGE, "Qual é a vara?"),
        NoteFirstResponse(),
        RelayToRequester(4100, "desk/to_user", signed("Qual é a vara?"), GROUP, 900),
        Record("reply", details={"media": None}),
    ]


def test_an_agent_reply_to_a_requester_gone_tells_the_agent_and_relays_nothing() -> None:
    assert relay.reply(view(ticket(requester_reachable=False)), None, TEXT) == [
        Say("desk/requester_gone", {"code": TICKET.code})
    ]


def test_an_agent_media_is_copied_with_its_caption_signed() -> None:
    actions = relay.reply(view(), BRUNO, PHOTO)
    relayed = RelayToRequester(4100, "desk/to_user_caption", signed("Veja"), GROUP, 901, media=True)
    assert relayed in actions
    assert actions[-1] == Record("reply", details={"media": "photo"})


def test_anonymous_replies_are_unsigned() -> None:
    [*_, relayed, _] = relay.reply(view(anonymous=True), BRUNO, TEXT)
    assert isinstance(relayed, RelayToRequester)
    assert relayed.params["signature"] is None


def test_a_text_typed_after_a_command_is_relayed_but_not_audited_as_a_reply() -> None:
    typed = AgentMessage(chat_id=GROUP, message_id=0, text="Resolvido no sistema.")
    actions = relay.to_requester(view(), BRUNO, typed)
    assert [type(a) for a in actions] == [AddToHistory, NoteFirstResponse, RelayToRequester]


def test_a_text_typed_for_a_requester_gone_only_tells_the_agent() -> None:
    typed = AgentMessage(chat_id=GROUP, message_id=0, text="Resolvido.")
    assert relay.to_requester(view(), None, typed) == [
        Say("desk/requester_gone", {"code": TICKET.code})
    ]


# -- the agents' edits -----------------------------------------------------------------------


def test_an_agent_edit_edits_the_requesters_copy_records_and_audits() -> None:
    assert relay.agent_edit(view(), link("out"), BRUNO, TEXT) == [
        AddToHistory(EventKind.EDIT, "Qual é a vara?"),
        EditRequesterCopy(
            4100, 55, "desk/to_user", signed("Qual é a vara?", edited=True), GROUP, 900
        ),
        Record("edit"),
    ]


def test_an_agent_edit_of_a_media_message_edits_the_caption() -> None:
    [_, edited, _] = relay.agent_edit(view(), link("out"), BRUNO, PHOTO)
    assert edited == EditRequesterCopy(
        4100, 55, "desk/to_user_caption", signed("Veja", edited=True), GROUP, 901, media=True
    )


def test_an_agent_edit_before_the_copy_was_sent_goes_as_a_new_message() -> None:
    [_, edited, _] = relay.agent_edit(view(), link("out", user_message_id=None), BRUNO, TEXT)
    assert isinstance(edited, EditRequesterCopy) and edited.message_id is None


@pytest.mark.parametrize(
    ("facts", "found", "requester"),
    [
        (TICKET, None, BRUNO),
        (TICKET, link("in"), BRUNO),
        (None, link("out"), BRUNO),
        (TICKET, link("out"), None),
    ],
    ids=["never relayed", "a user's message", "ticket gone", "requester gone"],
)
def test_an_agent_edit_that_cannot_follow_a_copy_does_nothing(
    facts: TicketFacts | None, found: LinkFacts | None, requester: UserFacts | None
) -> None:
    assert relay.agent_edit(view(facts), found, requester, TEXT) == []
