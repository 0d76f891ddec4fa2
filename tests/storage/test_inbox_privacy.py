"""The inbox keeps no CPF a user typed: texts and captions hidden, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from storage.inbox import record_update, record_updates
from storage.inbox_privacy import masked_payload
from storage.tables import InboxUpdate

from .conftest import NOW

ANA = 7_123_456_789


def message(update_id: int, text: str, key: str = "message") -> dict[str, Any]:
    body = {"message_id": update_id, "date": 1741608000, "chat": {"id": ANA}, "text": text}
    return {"update_id": update_id, key: body}


def stored(session: Session, update_id: int) -> dict[str, Any]:
    row = session.exec(select(InboxUpdate).where(InboxUpdate.update_id == update_id)).one()
    return row.payload


def test_a_cpf_in_a_message_is_hidden_before_the_update_is_stored(session: Session) -> None:
    text = "meu cpf é 123.456.789-09 e o eproc bloqueou meu usuário"
    record_update(session, update_id=1, chat_id=ANA, payload=message(1, text), now=NOW)
    session.commit()
    session.expire_all()

    kept = stored(session, 1)
    assert "123.456.789-09" not in str(kept)
    assert kept["message"]["text"] == "meu cpf é ***.***.***-** e o eproc bloqueou meu usuário"


def test_a_batch_hides_cpfs_in_edits_and_captions_and_keeps_ids(session: Session) -> None:
    caption = {
        "message_id": 3,
        "chat": {"id": ANA},
        "caption": "segue o print, cpf 12345678909",
        "document": {"file_id": "BQACAgEAAxkBAAIB12345678909AAH", "file_name": "tela.png"},
    }
    batch = [
        (2, ANA, message(2, "CPF 123.456.789-09, editado", key="edited_message")),
        (3, ANA, {"update_id": 3, "message": caption}),
    ]
    record_updates(session, updates=batch, now=NOW)
    session.commit()
    session.expire_all()

    edited, with_file = stored(session, 2), stored(session, 3)
    assert edited["edited_message"]["text"] == "CPF ***.***.***-**, editado"
    assert with_file["message"]["caption"] == "segue o print, cpf ***********"
    # Only what the user typed is read: a file id with eleven digits in it is left alone.
    assert with_file["message"]["document"]["file_id"] == "BQACAgEAAxkBAAIB12345678909AAH"
    assert "12345678909" not in str(edited) + with_file["message"]["caption"]


def test_a_cnj_process_number_is_not_taken_for_a_cpf() -> None:
    text = "processo 1004567-21.2024.8.26.0224 parado"
    assert masked_payload(message(4, text))["message"]["text"] == text
