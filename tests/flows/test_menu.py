"""Greeting, help, menu buttons and the commands that work from anywhere."""

from __future__ import annotations

from .conversation import Conversation


def test_start_greets_with_menu_buttons(chat: Conversation) -> None:
    chat.command("start")
    assert chat.templates == ["welcome"]
    assert chat.labels() == ["📝 Abrir um chamado", "📋 Meus chamados", "❓ Ajuda"]
    assert chat.state.name == "idle"


def test_start_abandons_a_form_in_progress(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    assert chat.state.name == "intake"
    chat.command("start")
    assert chat.state.name == "idle"


def test_help_lists_commands_and_keeps_the_form_waiting(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    before = chat.state
    chat.command("ajuda")
    assert chat.state == before
    assert "/meus_chamados" in chat.text()
    assert "/cancelar para sair" in chat.text()


def test_unknown_command_is_named_escaped(chat: Conversation) -> None:
    chat.command("<b>x")
    assert chat.templates == ["unknown_command"]
    assert "/&lt;b&gt;x" in chat.text()


def test_text_out_of_scope_gets_polite_answer_and_menu(chat: Conversation) -> None:
    chat.say("qual a previsão do tempo para amanhã?")
    assert chat.templates == ["triage_none"]
    assert "📝 Abrir um chamado" in chat.labels()
    assert chat.state.name == "idle"


def test_message_over_telegram_limit_is_refused_and_state_kept(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    before = chat.state
    chat.say("x" * 4097)
    assert chat.templates == ["message_too_long"]
    assert chat.state == before


def test_typed_cancelar_leaves_the_form(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    chat.say("Cancelar")
    assert chat.templates == ["flow_left", "menu"]
    assert chat.state.name == "idle"


def test_cancel_button_from_an_old_message_while_idle_just_shows_the_menu(
    chat: Conversation,
) -> None:
    chat.press("x")
    assert chat.templates == ["menu"]


def test_attachment_from_a_new_user_asks_for_the_problem_first(chat: Conversation) -> None:
    # Issue 16, point 5: no "use the buttons of the question below" when no question is pending.
    chat.attach(kind="document", name="print.pdf")
    assert chat.templates == ["attachment_idle"]
    assert "Use os botões" not in chat.text()
    assert "Descreva primeiro o problema" in chat.text()
    assert chat.state.name == "idle"
    assert [b.data for b in chat.buttons()] == ["m:new", "m:list", "m:help"]


def test_menu_help_button_shows_help(chat: Conversation) -> None:
    chat.command("start")
    chat.tap("Ajuda")
    assert chat.templates == ["help"]


def test_menu_new_ticket_asks_every_system(chat: Conversation) -> None:
    chat.command("start")
    chat.tap("Abrir um chamado")
    assert chat.state.name == "ask_system"
    assert "Infoeproc" in chat.labels()  # from the menu, suggestions to Infoeproc are allowed
