"""Registered agents and supervisors, and the state of their TOTP second factor."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from storage.tables import Agent, Ticket


class Role(StrEnum):
    """What an agent may do: supervisors also read the audit log and unlock agents."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"


class AgentExists(Exception):
    """The Telegram user is already registered."""


def agent_by_telegram_id(session: Session, *, telegram_user_id: int) -> Agent | None:
    """The agent registered with this Telegram id, if any."""
    return session.exec(select(Agent).where(Agent.telegram_user_id == telegram_user_id)).first()


def add_agent(
    session: Session,
    *,
    telegram_user_id: int,
    role: Role | str,
    display_name: str,
    now: datetime,
) -> Agent:
    """Register an agent (no second factor yet: they enroll in a private chat with the bot)."""
    if agent_by_telegram_id(session, telegram_user_id=telegram_user_id) is not None:
        raise AgentExists(f"agent {telegram_user_id} is already registered")
    agent = Agent(
        telegram_user_id=telegram_user_id,
        role=Role(role).value,
        display_name=display_name,
        created_at=now,
    )
    session.add(agent)
    session.flush()
    return agent


def list_agents(session: Session) -> list[Agent]:
    """Every registered agent, by Telegram id."""
    return list(session.exec(select(Agent).order_by(col(Agent.telegram_user_id))).all())


def agents_with_secret(session: Session) -> list[Agent]:
    """Every agent holding a TOTP secret (enrolled or enrolling), by id."""
    query = select(Agent).where(col(Agent.totp_secret).is_not(None)).order_by(col(Agent.id))
    return list(session.exec(query).all())


def replace_secret(session: Session, *, agent: Agent, old: str, new: str) -> bool:
    """Store `new` as the agent's secret if it is still `old`; False when it changed meanwhile."""
    result = session.exec(
        update(Agent)
        .where(col(Agent.id) == agent.id, col(Agent.totp_secret) == old)
        .values(totp_secret=new)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount) == 1


def remove_agent(session: Session, *, telegram_user_id: int) -> bool:
    """Unregister an agent; their tickets go back to nobody. False when there was none."""
    agent = agent_by_telegram_id(session, telegram_user_id=telegram_user_id)
    if agent is None:
        return False
    # tickets.assigned_agent_id has no foreign key (migration 0003), so clear it here.
    session.exec(
        update(Ticket)
        .where(col(Ticket.assigned_agent_id) == agent.id)
        .values(assigned_agent_id=None)
        .execution_options(synchronize_session="fetch")
    )
    session.delete(agent)
    session.flush()
    return True


def reset_second_factor(session: Session, *, agent: Agent) -> None:
    """Unlock and forget the secret: the agent enrolls again from scratch."""
    agent.totp_secret = None
    agent.totp_confirmed = False
    agent.totp_last_step = None
    agent.trusted_until = None
    unlock_agent(session, agent=agent)


def unlock_agent(session: Session, *, agent: Agent) -> None:
    """Lift a lockout and forget the wrong codes counted so far."""
    agent.locked = False
    agent.failed_attempts = 0
    session.add(agent)
    session.flush()


def start_enrollment(session: Session, *, agent: Agent, secret: str) -> None:
    """Keep a new, unconfirmed secret (replacing an unconfirmed one)."""
    if agent.totp_confirmed:
        raise ValueError("the second factor is already confirmed; reset it first")
    agent.totp_secret = secret
    agent.totp_last_step = None
    agent.trusted_until = None
    session.add(agent)
    session.flush()


def accept_code(session: Session, *, agent: Agent, step: int, trusted_until: datetime) -> None:
    """A right code: confirmed, trusted until `trusted_until`, its time step used up."""
    agent.totp_confirmed = True
    agent.totp_last_step = step
    agent.failed_attempts = 0
    agent.trusted_until = trusted_until
    session.add(agent)
    session.flush()


def refuse_code(session: Session, *, agent: Agent, max_failures: int) -> bool:
    """Count a wrong code; True when this one locked the agent."""
    agent.failed_attempts += 1
    newly_locked = not agent.locked and agent.failed_attempts >= max_failures
    if newly_locked:
        agent.locked = True
    session.add(agent)
    session.flush()
    return newly_locked
