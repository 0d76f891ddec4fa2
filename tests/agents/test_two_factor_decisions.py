"""The private chat's decisions (/2fa, /codigo) as pure functions: a view in, actions out.
No database, no Telegram, no clock: the time is a value and the reader is a fake."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.two_factor import totp
from bot.two_factor.code_rules import FactorState, NewSecret, Rules
from bot.two_factor.enrollment_chat import private_command
from bot.two_factor.private_actions import (
    AcceptCode,
    CountWrongCode,
    DeleteMessage,
    PrivateAction,
    Record,
    Say,
    SendSecret,
    StartEnrollment,
)
from bot.two_factor.private_decisions import AgentFacts, PrivateCommand, PrivateView, decide

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SEALED = "gAAAAAsealed-form-of-the-secret"
NOW = datetime(2025, 12, 1, 9, 0, 10, tzinfo=UTC)
STEP = totp.time_step(NOW)
RULES = Rules(trusted_for=timedelta(hours=12), max_failures=5)
TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "templates"
CHAT = 700
QR_MESSAGE = 4242

# Not enrolled, enrolling (secret kept, unconfirmed), and enrolled (confirmed, a step used).
NEW = FactorState(
    locked=False, has_secret=False, confirmed=False, failed_attempts=0, last_step=None
)
ENROLLING = replace(NEW, has_secret=True)
ENROLLED = replace(ENROLLING, confirmed=True, last_step=STEP - 10)


@dataclass
class FakeReader:
    """The key and the store, in memory; remembers what the decision asked."""

    secret: str | None = SECRET  # None: the key does not open (or seal) secrets
    last_step: int | None = None
    qr_message: int | None = QR_MESSAGE
    asked: list[str] = field(default_factory=list)

    def check_code(self, typed: str, now: datetime) -> totp.CodeCheck | None:
        self.asked.append("check_code")
        if self.secret is None:
            return None
        return totp.check_code(self.secret, typed, now, self.last_step)

    def new_secret(self) -> NewSecret | None:
        self.asked.append("new_secret")
        return None if self.secret is None else NewSecret(self.secret, SEALED)

    def secret_message(self) -> int | None:
        self.asked.append("secret_message")
        return self.qr_message


def agent(state: FactorState = ENROLLED, name: str = "Ana Souza") -> AgentFacts:
    return AgentFacts(telegram_user_id=CHAT, name=name, factor=state)


def view(
    name: str,
    args: str = "",
    who: AgentFacts | None = None,
    reader: FakeReader | None = None,
    now: datetime = NOW,
) -> PrivateView:
    command = PrivateCommand(name, args, CHAT, "Ana Souza", CHAT)
    if reader is None:
        last = who.factor.last_step if who is not None else None
        reader = FakeReader(last_step=last)
    return PrivateView(command, who, now, RULES, reader)


def code(steps: int = 0) -> str:
    return totp.code_at(SECRET, STEP + steps)


def wrong_code() -> str:
    near = {code(s) for s in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in near)


def records(actions: list[PrivateAction]) -> list[tuple[str, str, dict[str, object]]]:
    return [(a.action, a.outcome, dict(a.details)) for a in actions if isinstance(a, Record)]


def writes(actions: list[PrivateAction]) -> list[PrivateAction]:
    return [a for a in actions if isinstance(a, StartEnrollment | AcceptCode | CountWrongCode)]


def said(actions: list[PrivateAction]) -> list[str]:
    return [a.template for a in actions if isinstance(a, Say)]


# -- strangers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["2fa", "codigo"])
def test_a_non_agent_is_refused_and_audited_under_the_command_name(name: str) -> None:
    reader = FakeReader()
    actions = decide(view(name, "123456", who=None, reader=reader))
    assert actions == [
        Record(name, CHAT, "Ana Souza", "refused", {"reason": "not_agent"}),
        Say("desk/private_not_agent"),
    ]
    assert reader.asked == [], "a stranger's code is never checked, no secret is made"


# -- /2fa --------------------------------------------------------------------------------------


def test_enrolling_keeps_the_sealed_secret_and_sends_its_qr_code() -> None:
    actions = decide(view("2fa", who=agent(NEW)))
    assert [type(a) for a in actions] == [StartEnrollment, Record, SendSecret]
    assert actions[0] == StartEnrollment(SEALED)
    assert records(actions) == [("2fa_enroll", "ok", {})]
    sent = actions[2]
    assert isinstance(sent, SendSecret)
    assert sent.template == "desk/2fa_enroll" and sent.secret == SECRET
    assert sent.uri == totp.provisioning_uri(SECRET, "Ana Souza")


def test_an_unconfirmed_enrollment_may_start_again_with_a_new_secret() -> None:
    reader = FakeReader()
    actions = decide(view("2fa", who=agent(ENROLLING), reader=reader))
    assert reader.asked == ["new_secret"]
    assert StartEnrollment(SEALED) in actions


def test_the_qr_code_names_the_agent_by_id_when_they_have_no_name() -> None:
    actions = decide(view("2fa", who=agent(NEW, name="")))
    [sent] = [a for a in actions if isinstance(a, SendSecret)]
    assert sent.uri == totp.provisioning_uri(SECRET, str(CHAT))


def test_enrolling_again_once_confirmed_is_refused_and_shows_no_secret() -> None:
    reader = FakeReader()
    actions = decide(view("2fa", who=agent(ENROLLED), reader=reader))
    assert actions == [
        Record("2fa_enroll", CHAT, "Ana Souza", "refused", {"reason": "enrolled"}),
        Say("desk/2fa_already"),
    ]
    assert reader.asked == []


def test_a_locked_agent_cannot_enroll() -> None:
    locked = replace(ENROLLING, locked=True, failed_attempts=5)
    actions = decide(view("2fa", who=agent(locked)))
    assert records(actions) == [("2fa_enroll", "refused", {"reason": "locked"})]
    assert said(actions) == ["desk/locked"] and writes(actions) == []


def test_without_a_key_enrolling_is_refused_and_nothing_is_kept() -> None:
    actions = decide(view("2fa", who=agent(NEW), reader=FakeReader(secret=None)))
    assert records(actions) == [("2fa_enroll", "refused", {"reason": "no_key"})]
    assert said(actions) == ["desk/code_unavailable"]
    assert writes(actions) == [] and not any(isinstance(a, SendSecret) for a in actions)


# -- /codigo -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", ["", "   "])
def test_codigo_without_a_code_explains_itself_and_records_nothing(args: str) -> None:
    reader = FakeReader()
    assert decide(view("codigo", args, who=agent(ENROLLING), reader=reader)) == [
        Say("desk/code_usage")
    ]
    assert reader.asked == []


def test_codigo_before_any_enrollment_is_refused_without_counting() -> None:
    reader = FakeReader()
    actions = decide(view("codigo", code(), who=agent(NEW), reader=reader))
    assert records(actions) == [("2fa_code", "refused", {"result": "not_enrolled"})]
    assert said(actions) == ["desk/code_not_enrolled"] and writes(actions) == []
    assert reader.asked == []


def test_the_first_right_code_confirms_and_deletes_the_secret_message() -> None:
    actions = decide(view("codigo", code(), who=agent(ENROLLING)))
    until = NOW + timedelta(hours=12)
    assert actions == [
        AcceptCode(STEP, until),
        Record("2fa_code", CHAT, "Ana Souza", "ok", {"result": "confirmed"}),
        Say("desk/code_confirmed", {"until": until, "left": 0}),
        DeleteMessage(QR_MESSAGE),
    ]


def test_confirming_without_a_known_secret_message_deletes_nothing() -> None:
    reader = FakeReader(qr_message=None)
    actions = decide(view("codigo", code(), who=agent(ENROLLING), reader=reader))
    assert said(actions) == ["desk/code_confirmed"]
    assert not any(isinstance(a, DeleteMessage) for a in actions)


def test_a_right_code_after_confirmation_renews_the_trust_from_the_given_time() -> None:
    later = NOW + timedelta(days=3)
    reader = FakeReader(last_step=ENROLLED.last_step)
    typed = totp.code_at(SECRET, totp.time_step(later))
    actions = decide(view("codigo", typed, who=agent(ENROLLED), reader=reader, now=later))
    until = later + timedelta(hours=12)
    assert actions == [
        AcceptCode(totp.time_step(later), until),
        Record("2fa_code", CHAT, "Ana Souza", "ok", {"result": "accepted"}),
        Say("desk/code_accepted", {"until": until, "left": 0}),
    ]
    assert "secret_message" not in reader.asked, "the secret was deleted when confirmed"


def test_a_code_one_step_off_is_still_accepted() -> None:
    actions = decide(view("codigo", code(-1), who=agent(ENROLLED)))
    assert actions[0] == AcceptCode(STEP - 1, NOW + timedelta(hours=12))


def test_a_wrong_code_is_counted_and_says_how_many_are_left() -> None:
    tried = replace(ENROLLED, failed_attempts=2)
    actions = decide(view("codigo", wrong_code(), who=agent(tried)))
    assert actions == [
        CountWrongCode(5),
        Record("2fa_code", CHAT, "Ana Souza", "refused", {"result": "wrong"}),
        Say("desk/code_wrong", {"until": None, "left": 2}),
    ]


def test_a_malformed_code_counts_as_a_wrong_one() -> None:
    actions = decide(view("codigo", "12a456", who=agent(ENROLLED)))
    assert writes(actions) == [CountWrongCode(5)]
    assert said(actions) == ["desk/code_wrong"]


def test_the_wrong_code_reaching_the_limit_locks() -> None:
    tried = replace(ENROLLED, failed_attempts=4)
    actions = decide(view("codigo", wrong_code(), who=agent(tried)))
    assert writes(actions) == [CountWrongCode(5)]
    assert records(actions) == [("2fa_code", "refused", {"result": "locked"})]
    assert said(actions) == ["desk/code_locked"]


def test_a_locked_agent_is_not_unlocked_by_a_right_code() -> None:
    locked = replace(ENROLLED, locked=True, failed_attempts=5)
    reader = FakeReader()
    actions = decide(view("codigo", code(), who=agent(locked), reader=reader))
    assert writes(actions) == []
    assert records(actions) == [("2fa_code", "refused", {"result": "locked"})]
    assert said(actions) == ["desk/code_locked"]
    assert reader.asked == [], "a locked agent's code is not even checked"


def test_a_used_code_is_refused_without_counting() -> None:
    used = replace(ENROLLED, last_step=STEP, failed_attempts=1)
    actions = decide(view("codigo", code(), who=agent(used)))
    assert writes(actions) == []
    assert records(actions) == [("2fa_code", "refused", {"result": "replayed"})]
    assert actions[-1] == Say("desk/code_replayed", {"until": None, "left": 4})


def test_when_the_key_does_not_open_the_secret_the_code_is_refused_but_not_counted() -> None:
    reader = FakeReader(secret=None)
    actions = decide(view("codigo", code(), who=agent(ENROLLED), reader=reader))
    assert reader.asked == ["check_code"]
    assert writes(actions) == []
    assert records(actions) == [("2fa_code", "refused", {"result": "unavailable"})]
    assert said(actions) == ["desk/code_unavailable"]


def test_every_template_a_decision_names_exists() -> None:
    states = [
        NEW,
        ENROLLING,
        ENROLLED,
        replace(ENROLLED, locked=True),
        replace(ENROLLED, failed_attempts=4),
        replace(ENROLLED, last_step=STEP),
    ]
    named = set()
    for someone in [None, *(agent(state) for state in states)]:
        for args in ("", code(), wrong_code()):
            for secret in (SECRET, None):
                for name in ("2fa", "codigo"):
                    last = someone.factor.last_step if someone else None
                    reader = FakeReader(secret=secret, last_step=last)
                    actions = decide(view(name, args, who=someone, reader=reader))
                    named |= {a.template for a in actions if isinstance(a, Say | SendSecret)}
    assert len(named) == 12, sorted(named)
    assert [t for t in sorted(named) if not (TEMPLATES / f"{t}.j2").is_file()] == []


def test_secrets_never_show_in_an_action_s_repr() -> None:
    actions = decide(view("2fa", who=agent(NEW)))
    assert SECRET not in repr(actions) and SEALED not in repr(actions)


# -- reading the update ------------------------------------------------------------------------


def update(text: Any, sender: Any = None) -> dict[str, Any]:
    person = {"id": 81, "first_name": "Ana", "last_name": "Souza"} if sender is None else sender
    return {"message": {"text": text, "from": person, "chat": {"id": 81}}}


def test_the_command_is_read_with_its_argument_and_sender() -> None:
    assert private_command(update("  /Codigo@TriagemBot 123 456 ")) == PrivateCommand(
        "codigo", "123 456", 81, "Ana Souza", 81
    )
    assert private_command(update("/2fa")) == PrivateCommand("2fa", "", 81, "Ana Souza", 81)
    assert private_command(update("/2fa", {"id": 82})) == PrivateCommand("2fa", "", 82, "82", 81)


@pytest.mark.parametrize(
    "given",
    [
        update("/start"),
        update("2fa"),
        update(None),
        {"message": {"text": "/2fa", "chat": {"id": 81}}},
        {"edited_message": {"text": "/2fa", "from": {"id": 81}, "chat": {"id": 81}}},
    ],
)
def test_anything_else_is_left_to_the_user_flows(given: dict[str, Any]) -> None:
    assert private_command(given) is None
