"""Internal notes: acknowledged where they were written, never sent to the user, always audited."""

from __future__ import annotations

from storage import EventKind

from .flows import open_eproc_ticket
from .harness import DeskBot


async def test_a_note_in_the_topic_is_acknowledged_and_kept_from_the_user(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    seen = len(desk.texts(bruno))

    typed = desk.server.user_sends_text(
        ana, "/nota ligar para o gabinete", chat=desk.group, thread_id=thread
    )
    await desk.settle()

    ack = desk.in_topic(thread)[-1]
    assert "Anotação interna registrada" in ack.body and code in ack.body
    assert ack.reply_to is not None and ack.reply_to.message_id == typed.message_id
    assert len(desk.texts(bruno)) == seen
    notes = [e.text for e in desk.history(code) if e.kind == EventKind.NOTE]
    assert notes == ["ligar para o gabinete"]


async def test_a_note_with_a_code_outside_a_topic_is_saved_and_answered(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    code = await open_eproc_ticket(desk, desk.user("Bruno"))

    desk.server.user_sends_text(ana, f"/nota {code} conferir o cadastro", chat=desk.group)
    await desk.settle()

    in_general = desk.in_topic(None)
    assert "Anotação interna registrada" in in_general[-1].body
    notes = [e.text for e in desk.history(code) if e.kind == EventKind.NOTE]
    assert notes == ["conferir o cadastro"]
    assert [(e.action, e.outcome, e.ticket_code) for e in desk.audit()][-1] == (
        "note",
        "ok",
        code,
    )


async def test_a_note_outside_a_topic_without_a_known_code_is_answered_and_audited(
    desk: DeskBot,
) -> None:
    ana = desk.agent("Ana")
    await open_eproc_ticket(desk, desk.user("Bruno"))

    desk.server.user_sends_text(ana, "/nota sem código nenhum", chat=desk.group)
    await desk.settle()

    answer = desk.in_topic(None)[-1].body
    assert "/nota CÓDIGO" in answer
    last = desk.audit()[-1]
    assert (last.action, last.outcome, last.details.get("reason")) == (
        "nota",
        "refused",
        "no_ticket",
    )
