"""LGPD commands: export, and erasure only after the confirmation button."""

from __future__ import annotations

from flows.actions import EraseUserData, ExportUserData

from .conversation import Conversation


def test_meus_dados_asks_the_desk_for_the_export(chat: Conversation) -> None:
    chat.command("meus_dados")
    assert chat.actions == [ExportUserData()]


def test_apagar_dados_asks_before_erasing(chat: Conversation) -> None:
    chat.command("apagar_dados")
    assert chat.templates == ["erase_confirm"]
    assert chat.labels() == ["Sim, apagar meus dados", "Não, manter meus dados"]
    assert not any(isinstance(a, EraseUserData) for a in chat.actions)


def test_confirmed_erasure_erases_and_forgets_the_conversation(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    chat.command("apagar_dados")
    chat.tap("Sim, apagar")
    assert chat.actions[0] == EraseUserData()
    assert chat.templates == ["data_erased"]
    assert chat.state.name == "idle"


def test_declined_erasure_returns_to_the_form(chat: Conversation) -> None:
    chat.say("o portal está fora do ar")
    form = chat.state
    chat.command("apagar_dados")
    chat.say("não")
    assert chat.templates == ["erase_kept", "intake_field"]
    assert chat.state == form


def test_typed_sim_does_not_erase(chat: Conversation) -> None:
    chat.command("apagar_dados")
    chat.say("sim")
    assert not any(isinstance(a, EraseUserData) for a in chat.actions)
    assert chat.state.name == "erase_confirm"
