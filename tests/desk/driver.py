"""Drive the desk like a front end does: one event per transaction, then read the store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, col, select

from bot.outbound import Outbound
from bot.terminal import to_plain
from bot.user_turn import Incoming, UserTurn
from flows.events import Attachment, Button, Command, Event, TicketStatusChanged, from_text
from storage import Attachment as AttachmentRow
from storage import (
    Conversation,
    Rating,
    Ticket,
    TicketEvent,
    User,
    agent_actor,
    attachments_of,
    change_status,
    load_conversation,
    ticket_by_code,
    user_by_telegram_id,
)

KB_DIR = Path(__file__).parents[2] / "knowledge_base"
SEI_PROBLEM = "um processo sumiu da minha unidade no SEI"
# A Monday, 09:00 in Brasília: every Balcão Virtual office is attending.
START = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
# What the terminal sends when it starts, to show where the user left off.
START_COMMAND = Command("start")
OPENED = re.compile(r"Código: ([A-Z]{2,4}-[A-Z0-9]{6})")


@dataclass
class Clock:
    """The desk's clock, moved by the test."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward (timedelta keywords)."""
        self.now += timedelta(**delta)


@dataclass
class Chat:
    """One Telegram user in their private chat with the bot."""

    desk: UserTurn
    engine: Engine
    telegram_user_id: int
    name: str = "Maria Souza"
    calls: list[Outbound] = field(default_factory=list)

    def send(self, event: Event) -> list[Outbound]:
        """One event in one transaction, as the terminal and the dispatcher run it."""
        incoming = Incoming(self.telegram_user_id, self.telegram_user_id, self.name, event)
        with Session(self.engine) as session, session.begin():
            self.calls = self.desk.handle(session, incoming)
        return self.calls

    def resume(self) -> list[Outbound]:
        """What a front end shows when it starts again: the pending question."""
        incoming = Incoming(self.telegram_user_id, self.telegram_user_id, self.name, START_COMMAND)
        with Session(self.engine) as session, session.begin():
            self.calls = self.desk.resume(session, incoming)
        return self.calls

    def say(self, text: str) -> list[Outbound]:
        """Type a line (a `/command` becomes a Command)."""
        return self.send(from_text(text))

    def tap(self, label: str) -> list[Outbound]:
        """Press the button labelled `label`, or else the only one whose label contains it."""
        buttons = self.buttons
        matches = [data for text, data in buttons if text == label]
        matches = matches or [data for text, data in buttons if label in text]
        assert len(matches) == 1, (label, buttons)
        return self.send(Button(matches[0]))

    def attach(
        self, name: str = "print-da-tela.png", size: int = 48_213, mime: str = "image/png"
    ) -> list[Outbound]:
        """Send a file, as Telegram describes it."""
        if mime.startswith("image/"):
            return self.send(Attachment(f"tg-file-{name}", name, size, mime, "photo"))
        return self.send(Attachment(f"tg-file-{name}", name, size, mime, "document"))

    def send_button(self, data: str) -> list[Outbound]:
        """Press a button by its callback data (also one on an old message)."""
        return self.send(Button(data))

    def status(self, code: str, status: str) -> list[Outbound]:
        """The desk's news that a ticket of this user changed status."""
        return self.send(TicketStatusChanged(code, status))

    @property
    def text(self) -> str:
        """Everything the bot answered to the last event, as plain text."""
        return "\n\n".join(to_plain(call.text) for call in self.calls)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every button in the last answer."""
        return [button for call in self.calls for button in call.buttons]

    @property
    def labels(self) -> list[str]:
        """The labels of the last answer's buttons."""
        return [label for label, _ in self.buttons]

    def opened_code(self) -> str:
        """The code of the ticket the last answer announced."""
        found: list[str] = OPENED.findall(self.text)
        assert len(found) == 1, self.text
        return found[0]

    def conversation(self) -> Conversation | None:
        """The stored conversation, read fresh."""
        with Session(self.engine) as session:
            user = user_by_telegram_id(session, telegram_user_id=self.telegram_user_id)
            if user is None or user.id is None:
                return None
            return load_conversation(session, chat_id=self.telegram_user_id, user_id=user.id)

    @property
    def state(self) -> str | None:
        """The stored conversation's state name."""
        conversation = self.conversation()
        return None if conversation is None else conversation.state

    def user(self) -> User | None:
        """The stored user row."""
        with Session(self.engine) as session:
            return user_by_telegram_id(session, telegram_user_id=self.telegram_user_id)


def all_tickets(engine: Engine) -> list[Ticket]:
    """Every ticket in the store, oldest first."""
    with Session(engine) as session:
        return list(session.exec(select(Ticket).order_by(col(Ticket.id))).all())


def stored_ticket(engine: Engine, code: str) -> Ticket:
    """The ticket with this code."""
    with Session(engine) as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None, code
        return ticket


def stored_attachments(engine: Engine, ticket: Ticket) -> list[AttachmentRow]:
    """The attachment rows of a ticket."""
    assert ticket.id is not None
    with Session(engine) as session:
        return attachments_of(session, ticket_id=ticket.id)


def stored_events(engine: Engine, ticket: Ticket) -> list[TicketEvent]:
    """Every history entry of a ticket, oldest first."""
    with Session(engine) as session:
        query = (
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(col(TicketEvent.id))
        )
        return list(session.exec(query).all())


def stored_rating(engine: Engine, ticket: Ticket) -> Rating | None:
    """The ticket's rating row."""
    with Session(engine) as session:
        return session.get(Rating, ticket.id)


def count_rows(engine: Engine, table: type[SQLModel]) -> int:
    """How many rows a table holds."""
    with Session(engine) as session:
        return len(session.exec(select(table)).all())


def fill_sei_form(
    chat: Chat,
    *,
    name: str = "Maria da Conceição Souza",
    email: str = "maria.souza@ma.gov.br",
    description: str = "O processo 2025.123 sumiu da unidade SEAD desde ontem.",
    file_name: str = "print-da-tela.png",
) -> None:
    """Triage a SEI problem and answer every field of its form, up to the summary."""
    chat.say(SEI_PROBLEM)
    chat.tap("SAMOP")
    chat.say(name)
    chat.say(email)
    chat.say(email)
    chat.say(description)
    chat.attach(file_name)
    chat.tap("Continuar")
    assert "Confira o seu chamado antes de enviar" in chat.text


def open_sei_ticket(chat: Chat, **answers: str) -> str:
    """A SEI ticket with every field and one attachment; returns its code."""
    fill_sei_form(chat, **answers)
    chat.tap("Confirmar")
    return chat.opened_code()


def open_support_ticket(chat: Chat, category: str, description: str) -> str:
    """Open a technical-support ticket from the menu, choosing its category; returns its code."""
    chat.say("/start")
    chat.tap("Abrir um chamado")
    chat.tap("Suporte técnico")
    chat.tap(category)
    chat.say(description)
    chat.tap("Pular")
    chat.tap("Confirmar")
    return chat.opened_code()


def move_ticket(engine: Engine, code: str, *statuses: str, now: datetime = START) -> None:
    """Move a ticket through these statuses, as an agent would (one transaction)."""
    with Session(engine) as session, session.begin():
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        for status in statuses:
            change_status(session, ticket=ticket, to=status, actor=agent_actor(77), now=now)
