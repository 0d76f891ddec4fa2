"""Who may act at the desk right now: registration, enrollment, lockout and the trusted period."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session

from bot.two_factor import totp
from bot.two_factor.secret_box import SecretBox
from bot.two_factor.totp_key import KeyUnavailable
from storage import Agent, accept_code, refuse_code, start_enrollment

log = logging.getLogger(__name__)
Verdict = Literal["ok", "not_enrolled", "locked", "code_needed"]
Submitted = Literal[
    "accepted", "confirmed", "wrong", "replayed", "locked", "not_enrolled", "unavailable"
]


@dataclass(frozen=True)
class CodeResult:
    """The outcome of a typed code; `left` is how many wrong codes remain before a lockout."""

    outcome: Submitted
    left: int = 0
    trusted_until: datetime | None = None


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

    def enroll(self, session: Session, agent: Agent) -> str | None:
        """Start (or restart) an unconfirmed enrollment; the new secret, None without a key."""
        secret = totp.new_secret()
        try:
            sealed = self.box.seal(secret)
        except KeyUnavailable as exc:
            _key_problem(agent, exc)
            return None
        start_enrollment(session, agent=agent, secret=sealed)
        return secret

    def submit(self, session: Session, agent: Agent, typed: str) -> CodeResult:
        """Check a code typed in the private chat and record what it means."""
        if agent.locked:
            return CodeResult("locked")
        if agent.totp_secret is None:
            return CodeResult("not_enrolled")
        try:
            secret = self.box.open(agent.totp_secret)
        except KeyUnavailable as exc:
            # Not the agent's fault: refused, but not counted towards a lockout.
            _key_problem(agent, exc)
            return CodeResult("unavailable")
        now = self.clock()
        check = totp.check_code(secret, typed, now, agent.totp_last_step)
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


def _key_problem(agent: Agent, exc: KeyUnavailable) -> None:
    # One line, no traceback: the operator has to restore the key (or reset the agent).
    log.error(
        "agent %s refused: TOTP key unavailable: %s (README, Agents)", agent.telegram_user_id, exc
    )
