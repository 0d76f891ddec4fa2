"""A scripted day at the desk for the page tests: supervisors, agents, tickets, ratings, gaps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.two_factor.totp import code_at, time_step
from storage import (
    add_agent,
    agent_actor,
    change_status,
    open_ticket,
    rate_ticket,
    ticket_by_code,
    user_by_telegram_id,
)
from storage.tables import Agent
from tests.e2e.harness import Person, RunningBot


@dataclass
class Staff:
    """The supervisor's TOTP secret (to type codes), the agents' store and Telegram ids."""

    secret: str
    supervisor: int
    agent: int
    supervisor_telegram: int
    agent_telegram: int


def enroll_staff(bot: RunningBot) -> Staff:
    """A supervisor with a confirmed second factor and a plain agent (also enrolled)."""
    factor = bot.runtime.agents.services.factor
    secrets = []
    ids = []
    people = []
    for role, name in (("supervisor", "Sofia Supervisora"), ("agent", "Ana Agente")):
        # Real Telegram users who started the bot: alerts reach their private chats.
        person = bot.server.add_user(name.split()[0])
        bot.server.chat_of(person).bot_started = True
        telegram_id = person.id
        people.append(telegram_id)
        with bot.session() as session:
            agent = add_agent(
                session, telegram_user_id=telegram_id, role=role, display_name=name, now=bot.clock()
            )
            secret = factor.enroll(session, agent)
            assert secret is not None
            assert factor.submit(session, agent, current_code(bot, secret)).outcome == "confirmed"
            secrets.append(secret)
            ids.append(agent.id or 0)
    # The codes just used are spent: move to the next 30-second step.
    bot.advance(seconds=31)
    return Staff(secrets[0], ids[0], ids[1], people[0], people[1])


def current_code(bot: RunningBot, secret: str) -> str:
    """What the authenticator app shows now, by the bot's clock."""
    return code_at(secret, time_step(bot.clock()))


def assign(bot: RunningBot, code: str, agent_id: int, *statuses: str) -> None:
    """The agent takes the ticket and moves it through `statuses`."""
    with bot.session() as session:
        ticket = ticket_by_code(session, code=code)
        agent = session.get(Agent, agent_id)
        assert ticket is not None and agent is not None
        ticket.assigned_agent_id = agent_id
        actor = agent_actor(agent.telegram_user_id)
        for status in statuses:
            change_status(session, ticket=ticket, to=status, actor=actor, now=bot.clock())
        session.add(ticket)


def rate(bot: RunningBot, code: str, score: int) -> None:
    """The requester's rating, straight in the store."""
    with bot.session() as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        rate_ticket(session, ticket=ticket, score=score, now=bot.clock())


def open_timed(bot: RunningBot, person: Person, category: str) -> str:
    """A support ticket of `category` with its resolution clock armed, as the desk opens one."""
    offer = bot.app.kb.offers["suporte-tecnico"]
    chosen = offer.category(category)
    assert chosen is not None
    with bot.session() as session:
        user = user_by_telegram_id(session, telegram_user_id=person.id)
        assert user is not None
        ticket = open_ticket(
            session,
            offer_id=offer.id,
            code_prefix=offer.code_prefix,
            category=category,
            priority=chosen.priority,
            requester_id=user.id,
            fields={"descricao": f"chamado de {category}"},
            target_hours=chosen.target_hours,
            now=bot.clock(),
        )
        bot.runtime.clocks.moved(session, ticket)
        return ticket.code


async def fire_timers(bot: RunningBot) -> int:
    """Fire the timers due by the bot's clock (the runtime's loop would within a second)."""
    return await asyncio.to_thread(bot.runtime.scheduler.fire_due)


async def known_person(bot: RunningBot, name: str) -> Person:
    """A user who greeted the bot."""
    person = bot.person(name)
    assert (await person.say("/start")).messages
    return person


__all__ = [
    "Agent",
    "Staff",
    "assign",
    "current_code",
    "enroll_staff",
    "fire_timers",
    "known_person",
    "open_timed",
    "rate",
]
