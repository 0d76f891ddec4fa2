"""A ticket's presence in the agents' chat: its forum topic, its card and the files sent along."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from bot.agents.commands import card_buttons as buttons_for
from bot.agents.desk_services import CARD, CARD_EDIT, THREAD, TOPIC, DeskServices
from bot.agents.posting import queue, render_calls, requester
from bot.outbound import Outbound
from flows.actions import Keyboard, Reply
from flows.intake_fields import display
from flows.keyboards import button
from storage import Agent, Ticket, attachments_of, place_ticket, queue_position

# Telegram's limit for forum topic names (createForumTopic: 1-128 characters).
TOPIC_NAME_LIMIT = 128
# Telegram's limit for the caption sent with a file.
CAPTION_LIMIT = 1024


def ticket_info(services: DeskServices, session: Session, ticket: Ticket) -> dict[str, Any]:
    """A ticket as the agents' templates show it."""
    offer = services.kb.offers.get(ticket.offer_id)
    category = offer.category(ticket.category) if offer and ticket.category else None
    target = (category.target_label if category else "") or (offer.target_label if offer else "")
    fields = []
    for f in offer.fields if offer else ():
        value = ticket.fields.get(f.id)
        if isinstance(value, str) and value and f.kind not in ("category", "attachment"):
            fields.append({"label": f.label, "value": display(f, offer, value) if offer else value})
    user = requester(session, ticket)
    agent = session.get(Agent, ticket.assigned_agent_id) if ticket.assigned_agent_id else None
    assert ticket.id is not None
    files = attachments_of(session, ticket_id=ticket.id)
    return {
        "code": ticket.code,
        "offer": offer.name if offer else ticket.offer_id,
        "offer_id": ticket.offer_id,
        "category": category.label if category else ticket.category,
        "status": ticket.status,
        "priority": ticket.priority,
        "created_at": ticket.created_at,
        "due_at": ticket.due_at,
        "target": target,
        "queue_position": queue_position(session, ticket=ticket),
        "requester": None if user is None else {"name": user.name, "username": user.username},
        "fields": fields,
        "files": [
            {"name": f.file_name, "kind": f.kind, "size": f.size, "number": number}
            for number, f in enumerate(files, start=1)
        ],
        "agent": agent.display_name if agent else None,
        "escalated": ticket.escalated_at is not None,
        "link": topic_link(ticket),
    }


def topic_link(ticket: Ticket) -> str | None:
    """A t.me link to the ticket's topic in a supergroup (ids -100XXXX)."""
    chat = ticket.agent_chat_id
    if chat is None or ticket.topic_thread_id is None or not str(chat).startswith("-100"):
        return None
    return f"https://t.me/c/{str(chat)[4:]}/{ticket.topic_thread_id}"


def topic_name(services: DeskServices, ticket: Ticket) -> str:
    """`EPR-7K3Q9 · eproc 2º Grau · Tramitação processual`, within Telegram's 128 characters."""
    offer = services.kb.offers.get(ticket.offer_id)
    category = offer.category(ticket.category) if offer and ticket.category else None
    params = {
        "code": ticket.code,
        "offer": offer.name if offer else ticket.offer_id,
        "category": category.label if category else ticket.category,
    }
    # Topic names are plain text: undo the template's HTML escaping.
    name = " ".join(Markup(services.renderer.render("desk/topic_name", params)).unescape().split())
    return name[:TOPIC_NAME_LIMIT]


def card_buttons(ticket: Ticket) -> Keyboard:
    """The buttons valid in the ticket's status, two a row, each naming the ticket (≤ 64 bytes)."""
    keys = [button(label, f"d:{key}:{ticket.code}") for label, key in buttons_for(ticket.status)]
    return tuple(tuple(keys[i : i + 2]) for i in range(0, len(keys), 2))


def card_params(services: DeskServices, session: Session, ticket: Ticket) -> dict[str, Any]:
    """sendMessage params of the card as the ticket is now (re-rendered when it is sent)."""
    info = ticket_info(services, session, ticket)
    [call] = render_calls(services, 0, Reply("desk/card", {"ticket": info}, card_buttons(ticket)))
    return call.params


def open_desk(
    services: DeskServices, session: Session, ticket: Ticket, chat_id: int
) -> list[Outbound]:
    """Give the ticket a topic and a card in `chat_id`, with its files; returns the calls."""
    place_ticket(session, ticket=ticket, chat_id=chat_id)
    calls = [
        Outbound(chat_id, "createForumTopic", {"name": topic_name(services, ticket)}, TOPIC),
        Outbound(chat_id, "sendMessage", card_params(services, session, ticket), CARD),
    ]
    assert ticket.id is not None
    files = attachments_of(session, ticket_id=ticket.id)
    for number, file in enumerate(files, start=1):
        params = {"number": number, "total": len(files), "code": ticket.code}
        caption = services.renderer.render("desk/attachment_caption", params)
        calls.append(file_call(chat_id, file.kind, file.file_id, caption, THREAD))
    return [replace(call, ticket_id=ticket.id) for call in calls]


def file_call(chat_id: int, media: str, file_id: str, caption: str, kind: str) -> Outbound:
    """sendPhoto or sendDocument of a file Telegram holds, its HTML caption within the limit."""
    method, key = ("sendPhoto", "photo") if media == "photo" else ("sendDocument", "document")
    params = {key: file_id, "caption": caption[:CAPTION_LIMIT], "parse_mode": "HTML"}
    return Outbound(chat_id, method, params, kind)


def refresh_card(services: DeskServices, session: Session, ticket: Ticket) -> None:
    """Edit the card to show the ticket's current state (coalesced, re-rendered when sent)."""
    if ticket.agent_chat_id is None or ticket.card_message_id is None:
        return  # the card is rendered when sent: it will show the current state anyway
    params = {**card_params(services, session, ticket), "message_id": ticket.card_message_id}
    call = Outbound(ticket.agent_chat_id, "editMessageText", params, CARD_EDIT, ticket.id)
    queue(session, call, services, dedupe_key=f"card:{ticket.id}")
