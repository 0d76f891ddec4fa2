"""LGPD erasure end to end: through the inbox, the dispatcher and the outbox, as on Telegram,
no row of any table still names the user or holds what they wrote."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, func
from sqlmodel import Session, col, select

from bot.outbound import Outbound
from bot.telegram.dispatcher import Dispatcher
from bot.user_turn import UserTurn
from flows.events import Attachment, Button, Command, Event, Text
from storage import InboxUpdate, OutboxMessage, record_update
from storage.traces import erased

from .driver import Chat, Clock, open_sei_ticket

# What Maria gave: her Telegram profile (first and last name, username), the form's answers
# (name, e-mail, description, file) and the problem she first typed.
TRACES = (
    "Souza",
    "Conceição",
    "maria_s",
    "maria.souza@ma.gov.br",
    "2025.123",
    "print-da-tela",
    "tg-file",
    "sumiu",
)
BOT = {"id": 4242, "is_bot": True, "first_name": "Triagem", "username": "triagem_bot"}


@dataclass
class TelegramChat(Chat):
    """Maria on Telegram: each event an update in the inbox, handled by the real dispatcher,
    its answer read back from the outbox."""

    clock: Clock | None = None
    username: str = "maria_s"
    updates: int = 0

    def send(self, event: Event) -> list[Outbound]:
        self.updates += 1
        assert self.clock is not None
        with Session(self.engine) as session, session.begin():
            last = session.exec(select(func.max(OutboxMessage.id))).one() or 0
            record_update(
                session,
                update_id=self.updates,
                chat_id=self.telegram_user_id,
                payload=self._update(event),
                now=self.clock(),
            )
        assert Dispatcher(self.engine, self.desk, self.clock).process_one()
        with Session(self.engine) as session:
            update = session.exec(
                select(InboxUpdate).where(InboxUpdate.update_id == self.updates)
            ).one()
            assert update.status == "done", update.error
            rows = session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.id) > last, OutboxMessage.chat_id == self.telegram_user_id)
                .order_by(col(OutboxMessage.id))
            ).all()
        self.calls = [
            Outbound(r.chat_id, r.method, dict(r.params), r.kind, r.ticket_id)
            for r in rows
            if r.method != "answerCallbackQuery"
        ]
        return self.calls

    def _update(self, event: Event) -> dict[str, Any]:
        first, _, last = self.name.partition(" ")
        person = {"id": self.telegram_user_id, "is_bot": False, "first_name": first}
        person |= {"last_name": last, "username": self.username, "language_code": "pt-br"}
        chat = {k: v for k, v in person.items() if k in ("id", "first_name", "last_name")}
        chat |= {"type": "private", "username": self.username}
        message: dict[str, Any] = {
            "message_id": 10 * self.updates,
            "from": person,
            "chat": chat,
            "date": 1_750_000_000,
        }
        if isinstance(event, Button):
            shown = {"message_id": 10 * self.updates - 1, "from": BOT, "chat": chat, "date": 0}
            shown["text"] = self.text
            query = {"id": str(self.updates), "from": person, "chat_instance": "1"}
            return {"callback_query": query | {"message": shown, "data": event.data}}
        if isinstance(event, Text):
            message["text"] = event.text
        elif isinstance(event, Command):
            message["text"] = f"/{event.name} {event.args}".strip()
        elif isinstance(event, Attachment) and event.kind == "photo":
            message["photo"] = [{"file_id": event.file_id, "file_unique_id": "u1", "width": 90}]
        elif isinstance(event, Attachment):
            document = {"file_id": event.file_id, "file_name": event.file_name}
            message["document"] = document | {"mime_type": event.mime_type}
        else:
            raise AssertionError(f"no Telegram update for {event!r}")
        return {"message": message}


@pytest.fixture
def maria(desk: UserTurn, engine: Engine, clock: Clock) -> TelegramChat:
    return TelegramChat(desk, engine, 1001, "Maria Souza", clock=clock)


def rows_naming(engine: Engine, traces: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table (read as the database has it) holding one of `traces`."""
    tables = MetaData()
    tables.reflect(engine)
    found = []
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                text = json.dumps(dict(row), default=str, ensure_ascii=False)
                if any(trace in text for trace in traces):
                    found.append((table.name, dict(row)))
    return found


def erase_after_a_ticket_and_an_export(maria: TelegramChat) -> None:
    open_sei_ticket(maria, name="Maria da Conceição Souza")
    maria.say("/meus_dados")
    [document] = [c for c in maria.calls if c.method == "sendDocument"]
    assert (
        "maria.souza@ma.gov.br" in base64.b64decode(document.params["document"]["upload"]).decode()
    )
    maria.say("/apagar_dados")
    maria.tap("Sim, apagar meus dados")
    assert "os seus dados pessoais foram apagados" in maria.text


def test_before_erasure_the_store_holds_the_users_data_everywhere(
    maria: TelegramChat, engine: Engine
) -> None:
    open_sei_ticket(maria, name="Maria da Conceição Souza")
    maria.say("/meus_dados")

    tables = {table for table, _ in rows_naming(engine, TRACES)}

    # What the erasure test below looks for is really there to find.
    assert {"users", "tickets", "attachments", "inbox_updates", "outbox_messages"} <= tables


def test_after_erasure_no_row_names_the_user(maria: TelegramChat, engine: Engine) -> None:
    erase_after_a_ticket_and_an_export(maria)

    found = rows_naming(engine, TRACES)

    assert found == []
    with Session(engine) as session:
        left = [r for r in session.exec(select(OutboxMessage)).all() if r.params != erased()]
    # What the erasure turn itself queued: the answer to the tap and the confirmation.
    assert [r.method for r in left] == ["answerCallbackQuery", "sendMessage"]
    assert "os seus dados pessoais foram apagados" in left[1].params["text"]


def test_the_update_confirming_the_erasure_is_blanked_too(
    maria: TelegramChat, engine: Engine
) -> None:
    erase_after_a_ticket_and_an_export(maria)

    with Session(engine) as session:
        payloads = [u.payload for u in session.exec(select(InboxUpdate)).all()]

    assert payloads == [erased()] * maria.updates
