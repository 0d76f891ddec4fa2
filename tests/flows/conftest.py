"""Fixtures: the fixture knowledge base, fakes, a renderer and a conversation factory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.rendering import Renderer
from flows.ports import Services
from knowledge_base.models import KnowledgeBase

from .conversation import Conversation
from .fakes import NOW, RULES, FakeTickets, FakeTriage
from .kb_fixture import build_kb


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return build_kb()


@pytest.fixture(scope="session")
def renderer(kb: KnowledgeBase) -> Renderer:
    return Renderer(kb)


@pytest.fixture
def tickets() -> FakeTickets:
    return FakeTickets()


@pytest.fixture
def triage() -> FakeTriage:
    return FakeTriage(RULES)


@pytest.fixture
def services(kb: KnowledgeBase, triage: FakeTriage, tickets: FakeTickets) -> Services:
    return Services(kb=kb, triage=triage, tickets=tickets, now=NOW, user_id=4242)


@pytest.fixture
def chat(services: Services, renderer: Renderer) -> Conversation:
    return Conversation(services, renderer)


@pytest.fixture
def new_chat(services: Services, renderer: Renderer) -> Callable[[], Conversation]:
    return lambda: Conversation(services, renderer)
