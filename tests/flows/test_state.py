"""Saved state: JSON round trips, resuming after a restart, and corrupt or outdated data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from flows.events import Command, Text
from flows.machine import advance
from flows.ports import Services
from flows.state import IDLE, ConversationState

from .conversation import Conversation


def test_state_round_trips_through_json_mid_form(chat: Conversation) -> None:
    chat.say("um processo sumiu da minha unidade")
    chat.tap("SAMOP")
    chat.say("Maria Souza")
    chat.say("maria@ma.gov.br")
    saved = chat.state.to_dict()
    assert ConversationState.from_dict(saved) == chat.state
    assert saved["data"]["pending_email"] == "maria@ma.gov.br"


def test_form_resumes_after_a_restart(chat: Conversation) -> None:
    chat.say("um processo sumiu da minha unidade")
    chat.tap("SAMOP")
    chat.say("Maria Souza")
    chat.say("maria@ma.gov.br")
    chat.restart()
    chat.say("maria@ma.gov.br")
    chat.say("O processo 123 sumiu da unidade desde ontem.")
    chat.attach()
    chat.restart()
    chat.tap("Continuar")
    chat.restart()
    chat.tap("Confirmar")
    assert chat.opened().fields["nome"] == "Maria Souza"
    assert len(chat.opened().attachments) == 1


@pytest.mark.parametrize(
    "raw",
    [None, "idle", 42, [], {"name": 3}, {"name": "intake", "data": "x"}, {"data": {}}],
)
def test_malformed_saved_state_reads_as_idle(raw: object) -> None:
    assert ConversationState.from_dict(raw) == IDLE


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"offer": "sei", "step": "2", "text": ""},
        {"offer": "sei", "step": 99, "text": "", "values": {}},
        {"offer": "gone", "step": 0, "text": ""},
        {"offer": "sei", "step": 0, "text": "", "values": {"unknown": "x"}},
        {"offer": "sei", "step": 0, "text": "", "files": [{"field": "anexo"}]},
        {"offer": "sei", "step": 0, "text": "", "files": 7},
        {"offer": "sei", "step": 0, "text": "", "grau": "3"},
    ],
)
def test_corrupt_form_data_restarts_politely(services: Services, data: dict[str, object]) -> None:
    state, actions = advance(ConversationState("intake", data), Text("SAMOP"), services)
    assert state == IDLE
    assert [a.template for a in actions] == ["state_lost", "menu"]  # type: ignore[union-attr]


def test_unknown_state_name_restarts_politely(services: Services) -> None:
    state, actions = advance(ConversationState("from_a_future_version"), Text("oi"), services)
    assert state == IDLE
    assert [a.template for a in actions] == ["state_lost", "menu"]  # type: ignore[union-attr]


def test_command_on_corrupt_state_is_simply_handled(services: Services) -> None:
    state, actions = advance(ConversationState("intake", {"x": 1}), Command("start"), services)
    assert state == IDLE
    assert [a.template for a in actions] == ["welcome"]  # type: ignore[union-attr]


def test_form_of_an_offer_removed_from_the_knowledge_base_restarts(chat: Conversation) -> None:
    chat.say("um processo sumiu da minha unidade")
    kb = chat.services.kb
    chat.at(kb=replace(kb, offers={k: v for k, v in kb.offers.items() if k != "sei"}))
    chat.tap("SAMOP")
    assert chat.templates == ["state_lost", "menu"]


def test_corrupt_resume_data_leads_to_idle(services: Services) -> None:
    waiting = ConversationState("erase_confirm", {"resume": {"name": "intake", "data": {}}})
    state, actions = advance(waiting, Text("não"), services)
    assert state == IDLE
    assert [a.template for a in actions] == ["state_lost", "menu"]  # type: ignore[union-attr]


def test_two_users_at_once_do_not_share_anything(new_chat: Callable[[], Conversation]) -> None:
    ana, bia = new_chat(), new_chat()
    ana.say("um processo sumiu da minha unidade")
    bia.say("o portal está fora do ar")
    ana.tap("SAMOP")
    bia.say("Ninguém consegue abrir o formulário.")
    assert ana.state.data["offer"] == "sei"
    assert ana.state.data["values"] == {"orgao": "samop"}
    assert bia.state.data["offer"] == "suporte-tecnico"
    assert bia.state.data["values"]["descricao"] == "Ninguém consegue abrir o formulário."
