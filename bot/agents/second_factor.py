"""Who may act at the desk right now: registration, enrollment, lockout and the trusted period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session

from bot.agents import totp
from storage import Agent, accept_code, refuse_code, start_enrollment

Verdict = Literal["ok", "not_enrolled", "locked", "code_needed"]
Submitted = Literal["accepted", "confirmed", "wrong", "replayed", "locked", "not_enrolled"]


@dataclass(frozen=True)
class CodeResult:
    """The outcome of a typed code; `left` is how many wrong codes remain before a lockout."""

    outcome: Submitted
    left: int = 0
    trusted_until: datetime | None = None


class SecondFactor:
    """The TOTP policy: trusted period, replay refusal and lockout after too many wrong codes."""

    def __init__(
        self, clock: Callable[[], datetime], *, trusted_for: timedelta, max_failures: int
    ) -> None:
        self.clock = clock
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

    def enroll(self, session: Session, agent: Agent) -> str:
        """Start (or restart) an unconfirmed enrollment; returns the new secret."""
        secret = totp.new_secret()
        start_enrollment(session, agent=agent, secret=secret)
        return secret

    def submit(self, session: Session, agent: Agent, typed: str) -> CodeResult:
        """Check a code typed in the private chat and record what it means."""
        if agent.locked:
            return CodeResult("locked")
        if agent.totp_secret is None:
            return CodeResult("not_enrolled")
        now = self.clock()
        check = totp.check_code(agent.totp_secret, typed, now, agent.totp_last_step)
        if check.outcome == "accepted" and check.step is not None:
            first = not agent.totp_confirmed
            until = now + self.trusted_for
            accept_code(session, agent=agent, step=check.step, trusted_until=until)
            return CodeResult("confirmed" if first else "accepted", trusted_until=until)
        if check.outcome == "replayed":
            # A used code proves nothing; not counted as a guess either.
            return CodeResult("replayed", left=self.max_failures - agent.failed_attempts)
        if refuse_code(session, agent=agent, max_failures=self.max_failures):
            return CodeResult("locked")
        return CodeResult("wrong", left=self.max_failures - agent.failed_attempts)
