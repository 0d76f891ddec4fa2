"""A scripted day at the desk for the page tests: supervisors, agents, tickets, ratings, gaps."""

from __future__ import annotations

from dataclasses import dataclass

from bot.agents.totp import code_at, time_step
from storage import add_agent, change_status, rate_ticket, ticket_by_code
from storage.tables import Agent
from tests.e2e.harness import Person, RunningBot

SUPERVISOR_ID = 900_001
AGENT_ID = 900_002


@dataclass
class Staff:
    """The supervisor's TOTP secret (to type codes) and the agents' store ids."""

    secret: str
    supervisor: int
    agent: int


def enroll_staff(bot: RunningBot) -> Staff:
    """A supervisor with a confirmed second factor and a plain agent (also enrolled)."""
    factor = bot.runtime.agents.services.factor
    secrets = []
    ids = []
    for telegram_id, role, name in (
        (SUPERVISOR_ID, "supervisor", "Sofia Supervisora"),
        (AGENT_ID, "agent", "Ana Agente"),
    ):
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
    return Staff(secrets[0], ids[0], ids[1])


def current_code(bot: RunningBot, secret: str) -> str:
    """What the authenticator app shows now, by the bot's clock."""
    return code_at(secret, time_step(bot.clock()))


def assign(bot: RunningBot, code: str, agent_id: int, *statuses: str) -> None:
    """The agent takes the ticket and moves it through `statuses`."""
    with bot.session() as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        ticket.assigned_agent_id = agent_id
        for status in statuses:
            change_status(session, ticket=ticket, to=status, actor="agent:1", now=bot.clock())
        session.add(ticket)


def rate(bot: RunningBot, code: str, score: int) -> None:
    """The requester's rating, straight in the store."""
    with bot.session() as session:
        ticket = ticket_by_code(session, code=code)
        assert ticket is not None
        rate_ticket(session, ticket=ticket, score=score, now=bot.clock())


async def known_person(bot: RunningBot, name: str) -> Person:
    """A user who greeted the bot."""
    person = bot.person(name)
    assert (await person.say("/start")).messages
    return person


__all__ = ["Agent", "Staff", "assign", "current_code", "enroll_staff", "known_person", "rate"]
