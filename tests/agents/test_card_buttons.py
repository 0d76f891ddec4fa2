"""A card offers only what its ticket's status allows; a press on a stale card changes nothing."""

from __future__ import annotations

from tests.in_process_bot import ALSO_ON_POSTGRESQL

from .flows import open_eproc_ticket
from .harness import DeskBot


@ALSO_ON_POSTGRESQL
async def test_resolved_card_shows_reopen_and_close_and_a_stale_take_changes_nothing(
    desk: DeskBot,
) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    [card] = desk.in_topic(thread)
    desk.server.user_sends_text(ana, "/resolver Feito.", chat=desk.group, thread_id=thread)
    await desk.settle()
    assert desk.ticket(code).status == "resolvido"
    edited = desk.server.sent_messages(desk.group)[0]
    assert edited.message_id == card.message_id
    assert edited.button_data() == [f"d:reo:{code}", f"d:fec:{code}"]
    to_user, history = len(desk.texts(bruno)), len(desk.history(code))

    presses = [
        desk.server.user_presses_button(ana, card, f"d:{key}:{code}", strict=False)
        for key in ("take", "res")
    ]
    await desk.settle()

    for press in presses:
        answer = desk.server.callback(press.id).answer
        assert answer is not None and answer.show_alert
        assert "Este chamado já está Resolvido" in (answer.text or "")
    assert desk.ticket(code).status == "resolvido"
    assert len(desk.texts(bruno)) == to_user  # no "Em atendimento", no second rating request
    assert len(desk.history(code)) == history
    stale = [(e.action, e.outcome) for e in desk.audit() if "stale_button" in str(e.details)]
    assert stale == [("assumir", "refused"), ("resolver", "refused")]


async def test_typed_take_does_not_reopen_a_resolved_ticket(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    bruno = desk.user("Bruno")
    code = await open_eproc_ticket(desk, bruno)
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/resolver", chat=desk.group, thread_id=thread)
    await desk.settle()
    to_user = len(desk.texts(bruno))

    desk.server.user_sends_text(ana, "/assumir", chat=desk.group, thread_id=thread)
    await desk.settle()

    assert desk.ticket(code).status == "resolvido"
    assert len(desk.texts(bruno)) == to_user
    assert "Não é possível" in desk.in_topic(thread)[-1].body


async def test_reopen_button_on_a_resolved_card_reopens(desk: DeskBot) -> None:
    ana = desk.agent("Ana")
    code = await open_eproc_ticket(desk, desk.user("Bruno"))
    thread = desk.ticket(code).topic_thread_id
    desk.server.user_sends_text(ana, "/resolver", chat=desk.group, thread_id=thread)
    await desk.settle()
    card = desk.server.sent_messages(desk.group)[0]

    desk.server.user_presses_button(ana, card, f"d:reo:{code}")
    await desk.settle()

    assert desk.ticket(code).status == "em_atendimento"
    card = desk.server.sent_messages(desk.group)[0]
    assert card.button_data() == [f"d:{k}:{code}" for k in ("take", "res", "tr", "esc")]
