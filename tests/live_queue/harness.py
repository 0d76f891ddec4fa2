"""The bot with the Balcão Virtual's offices, its agents' group and a clock set to a known
instant (office hours are in Brasília time), run against the fake Telegram server."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.app import utc_now
from storage.queue_tables import AttendanceRating, QueueEntry, Timer
from tests.agents.harness import DeskBot, roomy_limiter, write_config
from tests.fake_telegram import FakeChat, FakeUser, StoredMessage
from tests.in_process_bot import BotSite, wire_bot

BUNDLED_KB = Path(__file__).resolve().parents[2] / "knowledge_base"
TEAMS = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_2vara"
# Extra offices for the tests (the bundled catalog has one office, without a meeting link).
OFFICES = f"""
[[offers.offices]]
id = "cartorio-2-vara-civel"
name = "Cartório da 2ª Vara Cível"
hours = {{ seg = ["08:00-12:00", "13:00-19:00"], ter = ["08:00-19:00"], qua = ["08:00-19:00"] }}
meeting_url = "{TEAMS}"

[[offers.offices]]
id = "cartorio-3-vara-civel"
name = "Cartório da 3ª Vara Cível"
hours = {{ seg = ["13:00-19:00"], ter = ["13:00-19:00"] }}
meeting_url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_3vara"
"""
CHOICE = (
    '  { id = "coord-entrada-distribuicao-recursos", '
    'label = "Coordenadoria de Entrada e Distribuição de Recursos" },\n'
)
MORE_CHOICES = (
    '  { id = "cartorio-2-vara-civel", label = "Cartório da 2ª Vara Cível" },\n'
    '  { id = "cartorio-3-vara-civel", label = "Cartório da 3ª Vara Cível" },\n'
)
# Monday 2026-12-07, 10:00 in Brasília (UTC-3): the 2ª Vara attends, the 3ª opens at 13:00.
MONDAY_10H = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


@dataclass
class QueueBot(DeskBot):
    """The desk bot, plus the live queue's store and timers."""

    def _work_queued(self, session: Session) -> bool:
        # Counted before the outbox (DeskBot._busy): a timer that fired after the outbox was
        # counted would have its call ("É a sua vez!") still unsent when the test looked.
        due = session.exec(
            select(func.count())
            .select_from(Timer)
            .where(col(Timer.status) == "pending", col(Timer.due_at) <= self.clock())
        ).one()
        return due > 0

    def entries(self) -> list[QueueEntry]:
        """Every queue entry, in order of joining."""
        with Session(self.engine) as session:
            return list(session.exec(select(QueueEntry).order_by(col(QueueEntry.id))).all())

    def ratings(self) -> list[AttendanceRating]:
        """Every stored rating."""
        with Session(self.engine) as session:
            return list(session.exec(select(AttendanceRating)).all())

    def timers(self) -> list[Timer]:
        """Every timer row."""
        with Session(self.engine) as session:
            return list(session.exec(select(Timer).order_by(col(Timer.id))).all())

    def last(self, chat: FakeUser) -> StoredMessage:
        """The bot's latest message to a person."""
        message = self.server.last_sent(chat)
        assert message is not None
        return message

    def with_button(self, chat: FakeUser, data: str) -> StoredMessage:
        """The latest message to a person that carries this button."""
        for message in reversed(self.server.sent_messages(chat)):
            if data in message.button_data():
                return message
        raise AssertionError(f"no message with button {data!r}: {self.texts(chat)}")

    def group_texts(self) -> list[str]:
        """The bot's messages in the agents' group."""
        return self.texts(self.group)

    async def join(self, person: FakeUser, office: str = "cartorio-2-vara-civel") -> None:
        """The person asks for the office and presses "Entrar na fila"."""
        self.server.user_sends_text(person, "quero falar com o cartório da 2ª vara cível")
        await self.settle()
        self.server.user_presses_button(
            person, self.with_button(person, f"q:j:{office}"), f"q:j:{office}"
        )
        await self.settle()


def queue_kb(tmp_path: Path) -> Path:
    """The bundled knowledge base with the test offices added."""
    root = tmp_path / "kb"
    if not root.exists():
        shutil.copytree(BUNDLED_KB, root)
        offers = root / "offers.toml"
        # Each office is also a choice of the offer's 'office' field (lint: office_not_chosen).
        text = offers.read_text(encoding="utf-8").replace(CHOICE, CHOICE + MORE_CHOICES, 1)
        offers.write_text(text + OFFICES, encoding="utf-8")
    return root


def make_queue_bot(
    site: BotSite, *, at: datetime = MONDAY_10H, group: FakeChat | None = None
) -> QueueBot:
    """Configure and wire the bot (not started), its clock at `at`, in `group` (else a new one)."""
    group = group or site.server.add_group("Balcão", forum=False)
    kb = queue_kb(site.tmp_path)
    path = write_config(site.tmp_path, f'[knowledge_base]\npath = "{kb}"\n\n[desk]\n')
    app, runtime, clock = wire_bot(
        site,
        path,
        environ={"TRIAGEM_TELEGRAM__AGENT_CHAT_ID": str(group.id)},
        limiter=roomy_limiter(),
    )
    clock.offset = at - utc_now()
    return QueueBot(site.server, app, runtime, clock, group)
