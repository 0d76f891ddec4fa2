"""`triagem agents add|list|remove|reset` and `triagem audit export`, on the configured store."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, time
from typing import TextIO

from sqlmodel import Session

from bot.config import Config
from bot.database import open_store
from storage import (
    AgentExists,
    Role,
    add_agent,
    agent_by_telegram_id,
    audit,
    entry_record,
    iter_audit,
    list_agents,
    remove_agent,
    reset_second_factor,
)

EXPORT_FORMATS = ("jsonl", "csv")
CSV_COLUMNS = ("id", "at", "actor_telegram_id", "actor_name", "action", "outcome", "ticket")


def add(
    config: Config, telegram_id: int, role: str, name: str | None, out: TextIO, err: TextIO
) -> int:
    """Register an agent; they enroll their second factor with /2fa in a private chat."""
    engine = open_store(config)
    try:
        with Session(engine) as session, session.begin():
            display = name or f"Agente {telegram_id}"
            add_agent(
                session,
                telegram_user_id=telegram_id,
                role=Role(role),
                display_name=display,
                now=datetime.now(UTC),
            )
            _record(session, "agent_added", agent=telegram_id, role=role)
    except AgentExists:
        print(f"agents: {telegram_id} is already registered", file=err)
        return 1
    finally:
        engine.dispose()
    print(
        f"agent {telegram_id} ({display}, {role}) registered; "
        "next: /2fa in a private chat with the bot",
        file=out,
    )
    return 0


def show(config: Config, out: TextIO) -> int:
    """One line per agent: Telegram id, role, second factor state, name."""
    engine = open_store(config)
    try:
        with Session(engine) as session:
            agents = list_agents(session)
            for agent in agents:
                state = (
                    "locked"
                    if agent.locked
                    else "active"
                    if agent.totp_confirmed
                    else "enrolling"
                    if agent.totp_secret
                    else "not-enrolled"
                )
                print(
                    f"{agent.telegram_user_id}\t{agent.role}\t{state}\t{agent.display_name}",
                    file=out,
                )
    finally:
        engine.dispose()
    if not agents:
        print("no agents registered", file=out)
    return 0


def remove(config: Config, telegram_id: int, out: TextIO, err: TextIO) -> int:
    """Unregister an agent (their tickets become unassigned)."""
    engine = open_store(config)
    try:
        with Session(engine) as session, session.begin():
            removed = remove_agent(session, telegram_user_id=telegram_id)
            if removed:
                _record(session, "agent_removed", agent=telegram_id)
    finally:
        engine.dispose()
    if not removed:
        print(f"agents: no agent {telegram_id}", file=err)
        return 1
    print(f"agent {telegram_id} removed", file=out)
    return 0


def reset(config: Config, telegram_id: int, out: TextIO, err: TextIO) -> int:
    """Unlock an agent and forget their secret: they enroll again with /2fa."""
    engine = open_store(config)
    try:
        with Session(engine) as session, session.begin():
            agent = agent_by_telegram_id(session, telegram_user_id=telegram_id)
            if agent is not None:
                reset_second_factor(session, agent=agent)
                _record(session, "agent_reset", agent=telegram_id)
    finally:
        engine.dispose()
    if agent is None:
        print(f"agents: no agent {telegram_id}", file=err)
        return 1
    print(f"agent {telegram_id} unlocked; next: /2fa in a private chat with the bot", file=out)
    return 0


def export(config: Config, since: str | None, fmt: str, out: TextIO, err: TextIO) -> int:
    """The audit log from `since` (a date or an ISO time, UTC when no offset), oldest first."""
    start: datetime | None = None
    if since:
        try:
            start = parse_since(since)
        except ValueError:
            print(f"audit: --since {since!r}: expected a date like 2025-12-01", file=err)
            return 2
    engine = open_store(config)
    try:
        with Session(engine) as session:
            records = (entry_record(e) for e in iter_audit(session, since=start))
            if fmt == "csv":
                writer = csv.writer(out)
                writer.writerow([*CSV_COLUMNS, "details"])
                for record in records:
                    details = json.dumps(record["details"], ensure_ascii=False, sort_keys=True)
                    writer.writerow([*(record[c] for c in CSV_COLUMNS), details])
            else:
                for record in records:
                    print(json.dumps(record, ensure_ascii=False, sort_keys=True), file=out)
    finally:
        engine.dispose()
    return 0


def parse_since(text: str) -> datetime:
    """`2025-12-01` (midnight UTC) or `2025-12-01T08:00[:00][+hh:mm]` (UTC when naive)."""
    try:
        moment = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _record(session: Session, action: str, **details: object) -> None:
    # Registration changes are made by whoever runs the command line, not by an agent.
    audit(
        session,
        action=action,
        now=datetime.now(UTC),
        actor_telegram_id=None,
        actor_name="cli",
        details=details,
    )
