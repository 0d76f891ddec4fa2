"""Short user journeys the desk tests start from."""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.agents.desk import TicketThreads
from storage import Ticket, enqueue, get_or_create_user, open_ticket
from tests.fake_telegram import FakeUser, StoredMessage

from .harness import DeskBot

OPENED = re.compile(r"Código: ([A-Z]{2,4}-[A-Z0-9]{6})")
# Triage routes this straight to eproc 2º grau, category tramitação (tests/e2e journeys).
EPROC_2G_PROBLEM = "sou do 2º grau e a redistribuição do recurso deu erro no eproc"


def last_with_button(desk: DeskBot, user: FakeUser, data_prefix: str = "") -> StoredMessage:
    """The bot's latest message to the user that has a button."""
    for message in reversed(desk.server.sent_messages(user)):
        if any(d.startswith(data_prefix) for d in message.button_data()):
            return message
    raise AssertionError(f"no message with a button for {user.first_name}")


def press_label(desk: DeskBot, user: FakeUser, label: str) -> None:
    """Tap the button whose label contains `label` on the user's latest keyboard."""
    for message in reversed(desk.server.sent_messages(user)):
        for row in message.inline_keyboard:
            for button in row:
                if label in button.get("text", ""):
                    desk.server.user_presses_button(user, message, button["callback_data"])
                    return
    raise AssertionError(f"no button {label!r}")


async def open_eproc_ticket(desk: DeskBot, user: FakeUser) -> str:
    """The user opens an eproc 2º grau ticket through the flows; returns its code."""
    desk.server.user_sends_text(user, EPROC_2G_PROBLEM)
    await desk.settle()
    press_label(desk, user, "Usar a mensagem que enviei")
    await desk.settle()
    press_label(desk, user, "Confirmar")
    await desk.settle()
    codes = OPENED.findall("\n".join(desk.texts(user)))
    assert codes, desk.texts(user)
    return str(codes[-1])


def store_ticket(session: Session, desk: DeskBot, user: FakeUser, offer_id: str) -> Ticket:
    """The user and a `novo` ticket of theirs, stored as the desk stores them (no topic yet)."""
    offer = desk.app.kb.offers[offer_id]
    stored = get_or_create_user(
        session,
        telegram_user_id=user.id,
        chat_id=user.id,
        name=user.first_name,
        username=None,
        now=desk.clock(),
    )
    return open_ticket(
        session,
        offer_id=offer.id,
        code_prefix=offer.code_prefix,
        category=None,
        priority=3,
        requester_id=stored.id,
        fields={"descricao": "O processo 2025.123 sumiu da unidade", "nome": user.first_name},
        target_hours=offer.target_hours,
        now=desk.clock(),
    )


async def open_in_store(
    desk: DeskBot, user: FakeUser, offer_id: str, *, start_clock: bool = False
) -> str:
    """A ticket opened as the desk opens one (store, topic, card), without the intake dialog;
    with `start_clock`, as the runtime opens one (its resolution clock started too)."""
    with Session(desk.engine) as session, session.begin():
        ticket = store_ticket(session, desk, user, offer_id)
        code = ticket.code
        agents = desk.runtime.agents
        # The wired desk starts the clock; the same threads without that hook do not.
        threads = (
            agents.threads if start_clock else TicketThreads(agents.services, agents.threads.relay)
        )
        opened = threads.on_ticket_opened
        for call in opened(session, ticket):
            enqueue(
                session,
                chat_id=call.chat_id,
                method=call.method,
                params=call.params,
                now=desk.clock(),
                kind=call.kind,
                ticket_id=call.ticket_id,
            )
    # The user must have started the bot for it to write to them.
    desk.server.chat_of(user).bot_started = True
    desk.runtime.sender.wake()
    await desk.settle()
    return code
