"""Who may act at the desk right now: registration, enrollment, lockout and the trusted period."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session

from bot.two_factor import totp
from bot.two_factor.code_rules import (
    CodeResult,
    FactorState,
    NewSecret,
    Rules,
    before_check,
    judge,
)
from bot.two_factor.secret_box import SecretBox
from bot.two_factor.totp_key import KeyUnavailable
from storage import Agent, accept_code, refuse_code, start_enrollment

log = logging.getLogger(__name__)
Verdict = Literal["ok", "not_enrolled", "locked", "code_needed"]


class SecondFactor:
    """The TOTP policy: trusted period, replay refusal and lockout after too many wrong codes."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        box: SecretBox,
        trusted_for: timedelta,
        max_failures: int,
    ) -> None:
        self.clock = clock
        self.box = box
        self.trusted_for = trusted_for
        self.max_failures = max_failures

    def verdict(self, agent: Agent) -> Verdict:
        """Whether the agent may act now, and if not, what they must do first."""
        if agent.locked:
            return "locked"
        if not agent.totp_confirmed or agent.totp_secret is None:
            return "not_enrolled"
        if agent.trusted_until is None or agent.trusted_until <= self.clock():
            return "code_needed"
        return "ok"

    @property
    def rules(self) -> Rules:
        """The trusted period and the lockout threshold."""
        return Rules(self.trusted_for, self.max_failures)

    def new_secret(self, agent: Agent) -> NewSecret | None:
        """A fresh secret sealed with the key; None (and the operator told) without a key."""
        secret = totp.new_secret()
        try:
            return NewSecret(secret, self.box.seal(secret))
        except KeyUnavailable as exc:
            _key_problem(agent, exc)
            return None

    def check(self, agent: Agent, typed: str, now: datetime) -> totp.CodeCheck | None:
        """The typed code against the agent's secret at `now`; None when the key does not open
        the secret (or there is none)."""
        if agent.totp_secret is None:
            return None
        try:
            secret = self.box.open(agent.totp_secret)
        except KeyUnavailable as exc:
            _key_problem(agent, exc)
            return None
        return totp.check_code(secret, typed, now, agent.totp_last_step)

    def enroll(self, session: Session, agent: Agent) -> str | None:
        """Start (or restart) an unconfirmed enrollment; the new secret, None without a key."""
        fresh = self.new_secret(agent)
        if fresh is None:
            return None
        start_enrollment(session, agent=agent, secret=fresh.sealed)
        return fresh.plain

    def submit(self, session: Session, agent: Agent, typed: str) -> CodeResult:
        """Check a typed code and record what it means (the web login's code)."""
        state = FactorState.of(agent)
        known = before_check(state)
        if known is not None:
            return known
        now = self.clock()
        result = judge(state, self.check(agent, typed, now), now, self.rules)
        if result.step is not None and result.trusted_until is not None:
            accept_code(session, agent=agent, step=result.step, trusted_until=result.trusted_until)
        elif result.counted:
            refuse_code(session, agent=agent, max_failures=self.max_failures)
        return result


def _key_problem(agent: Agent, exc: KeyUnavailable) -> None:
    # One line, no traceback: the operator has to restore the key (or reset the agent).
    log.error(
        "agent %s refused: TOTP key unavailable: %s (README, Agents)", agent.telegram_user_id, exc
    )
