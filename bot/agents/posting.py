"""Queueing the desk's messages: where the agent acted, in a ticket's thread, to the requester."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from bot.agents.desk_services import IN_PLACE, THREAD, THREADED, TO_USER, Act, DeskServices
from bot.outbound import Outbound, reply_calls
from flows.actions import Keyboard, Reply
from storage import OutboxMessage, Ticket, User, enqueue, lock_ticket


def queue(
    session: Session, call: Outbound, services: DeskServices, dedupe_key: str | None = None
) -> OutboxMessage:
    """Write one call to the outbox in the caller's transaction.

    A row for a ticket's thread is numbered under the ticket's row lock, held till commit, as
    the re-creation of a deleted topic takes it too (DeskOutbox.on_thread_lost): the row is
    either committed before the re-creation looks for the ticket's rows, or queued after the
    new topic. (A new ticket's topic and card, open_desk, are invisible to others till commit.)
    """
    if call.kind in THREADED and call.ticket_id is not None:
        lock_ticket(session, ticket_id=call.ticket_id)
    return enqueue(
        session,
        chat_id=call.chat_id,
        method=call.method,
        params=call.params,
        now=services.clock(),
        kind=call.kind,
        ticket_id=call.ticket_id,
        dedupe_key=dedupe_key,
    )


def render_calls(
    services: DeskServices, chat_id: int, reply: Reply, **extra: Any
) -> list[Outbound]:
    """sendMessage calls for a reply (split at Telegram's limit)."""
    return reply_calls(services.renderer, chat_id, reply, **extra)


def in_place(
    services: DeskServices,
    act: Act,
    template: str,
    params: Mapping[str, object],
    buttons: Keyboard = (),
) -> None:
    """Answer where the agent typed: their topic, replying to their command."""
    ticket_id = act.ticket.id if act.ticket is not None else None
    reply_at(
        services,
        act.session,
        Place(act.chat_id, act.thread_id, act.message_id, ticket_id),
        template,
        params,
        buttons,
    )


@dataclass(frozen=True)
class Place:
    """Where something was said in a group: chat, topic, message (to reply to) and ticket."""

    chat_id: int
    thread_id: int | None
    message_id: int | None
    ticket_id: int | None = None


def reply_at(
    services: DeskServices,
    session: Session,
    place: Place,
    template: str,
    params: Mapping[str, object],
    buttons: Keyboard = (),
) -> None:
    """Answer at a place in a group (its topic, replying to its message)."""
    extra: dict[str, Any] = {}
    if place.thread_id is not None:
        extra["message_thread_id"] = place.thread_id
    if place.message_id is not None:
        extra["reply_parameters"] = {
            "message_id": place.message_id,
            "allow_sending_without_reply": True,
        }
    reply = Reply(template, params, buttons)
    _post(services, session, place.chat_id, IN_PLACE, place.ticket_id, reply, **extra)


def to_thread(
    services: DeskServices,
    session: Session,
    ticket: Ticket,
    template: str,
    params: Mapping[str, object],
) -> None:
    """Post in the ticket's topic (or under its card); placed when sent."""
    if ticket.agent_chat_id is not None:
        reply = Reply(template, params)
        _post(services, session, ticket.agent_chat_id, THREAD, ticket.id, reply)


def to_requester(
    services: DeskServices,
    session: Session,
    ticket: Ticket,
    template: str,
    params: Mapping[str, object],
) -> list[OutboxMessage]:
    """Tell the ticket's requester something (nothing when erased or unreachable)."""
    user = requester(session, ticket)
    if user is None:
        return []
    return _post(services, session, user.chat_id, TO_USER, ticket.id, Reply(template, params))


def requester(session: Session, ticket: Ticket) -> User | None:
    """The user who opened the ticket, if they can still be reached."""
    if ticket.requester_id is None:
        return None
    user = session.get(User, ticket.requester_id)
    return None if user is None or user.unreachable else user


def _post(
    services: DeskServices,
    session: Session,
    chat_id: int,
    kind: str,
    ticket_id: int | None,
    reply: Reply,
    **extra: Any,
) -> list[OutboxMessage]:
    """Queue a reply's calls to a chat as rows of `kind` for the ticket."""
    calls = render_calls(services, chat_id, reply, **extra)
    return [
        queue(session, replace(call, kind=kind, ticket_id=ticket_id), services) for call in calls
    ]
