"""Messages between a requester and the agents: relayed both ways, edits followed, recorded."""

from __future__ import annotations

from bot.agents.decisions.ticket_work import ticket_of
from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    DeskAction,
    EditRequesterCopy,
    EditThreadCopy,
    KeepFile,
    NoteFirstResponse,
    Record,
    RelayAction,
    RelayFileToThread,
    RelayToRequester,
    RelayToThread,
    ReplyToUser,
    ResumeAttendance,
    Say,
)
from bot.agents.desk_view import DeskView, TicketFacts
from bot.agents.relay_facts import AgentMessage, LinkFacts, UserEdit, UserFacts
from flows.actions import RelayToTicket
from flows.intake_fields import file_params
from storage import OPEN_STATUSES, EventKind, Status
from storage.message_links import IN, OUT


def from_user(
    ticket: TicketFacts | None, user: UserFacts, message: RelayToTicket, files: int
) -> list[RelayAction]:
    """The user's message (text or file) to their ticket's thread; an error reply if the ticket
    is not theirs or no longer worked on. `files`: how many the ticket kept before this one."""
    if (
        ticket is None
        or ticket.requester_id != user.id
        or ticket.status not in OPEN_STATUSES
        or ticket.agent_chat_id is None
    ):
        return [ReplyToUser(user.chat_id, "desk/relay_unavailable", {"code": message.code[:40]})]
    chat = ticket.agent_chat_id
    # The user answered what the agent asked for.
    answered = ticket.status == Status.AGUARDANDO_USUARIO
    actions: list[RelayAction] = [ResumeAttendance()] if answered else []
    file = message.attachment
    if file is not None:
        caption = {"name": user.name, "file": file_params(file, files + 1)}
        return [
            *actions,
            KeepFile(file),
            AddRenderedToHistory(EventKind.MESSAGE, "desk/from_user_file", caption),
            RelayFileToThread(chat, file, "desk/from_user_file", caption),
        ]
    text = message.text or ""
    said = {"name": user.name, "text": text, "edited": False}
    return [
        *actions,
        AddToHistory(EventKind.MESSAGE, text),
        RelayToThread(chat, "desk/from_user", said, user.chat_id, message.message_id),
    ]


def user_edit(
    link: LinkFacts | None, ticket: TicketFacts | None, edit: UserEdit
) -> list[RelayAction]:
    """The user edited a relayed message: the agents' copy follows, both kept in the history."""
    if link is None or link.direction != IN or ticket is None or ticket.agent_chat_id is None:
        return []
    # The copy is not there when not sent yet, or when the ticket moved to another chat.
    moved = link.agent_chat_id != ticket.agent_chat_id
    copy = None if moved else link.agent_message_id
    said = {"name": edit.name, "text": edit.text, "edited": True}
    return [
        AddToHistory(EventKind.EDIT, edit.text),
        EditThreadCopy(link.agent_chat_id, copy, "desk/from_user", said),
    ]


def to_requester(
    view: DeskView, requester: UserFacts | None, message: AgentMessage
) -> list[DeskAction]:
    """An agent's message (or a text typed after a command) to the ticket's requester; when
    they cannot be reached, the agent is told."""
    ticket = ticket_of(view)
    if requester is None:
        return [Say("desk/requester_gone", {"code": ticket.code})]
    template, params = _signed(view, message, edited=False)
    relayed = RelayToRequester(
        requester.chat_id,
        template,
        params,
        message.chat_id,
        message.message_id,
        media=message.media is not None,
    )
    return [AddToHistory(EventKind.MESSAGE, message.text), NoteFirstResponse(), relayed]


def reply(view: DeskView, requester: UserFacts | None, message: AgentMessage) -> list[DeskAction]:
    """An agent's message in the thread: relayed, and audited as their reply."""
    relayed = to_requester(view, requester, message)
    if requester is None:
        return relayed
    return [*relayed, Record("reply", details={"media": message.media})]


def agent_edit(
    view: DeskView, link: LinkFacts | None, requester: UserFacts | None, message: AgentMessage
) -> list[DeskAction]:
    """An agent edited a relayed message: the requester's copy follows, both in the history."""
    if link is None or link.direction != OUT or view.ticket is None or requester is None:
        return []
    template, params = _signed(view, message, edited=True)
    edited = EditRequesterCopy(
        requester.chat_id,
        link.user_message_id,
        template,
        params,
        message.chat_id,
        message.message_id,
        media=message.media is not None,
    )
    return [AddToHistory(EventKind.EDIT, message.text), edited, Record("edit")]


def _signed(
    view: DeskView, message: AgentMessage, *, edited: bool
) -> tuple[str, dict[str, object]]:
    """The template and params of the requester's copy: the text (a media's caption), signed
    with the agent's name unless the desk answers anonymously."""
    signature = None if view.settings.anonymous_replies else view.agent.name
    params = {"signature": signature, "code": ticket_of(view).code, "edited": edited}
    if message.media is None:
        return "desk/to_user", {**params, "text": message.text}
    return "desk/to_user_caption", {**params, "text": message.caption or ""}
