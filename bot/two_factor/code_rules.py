"""What a typed code means, decided without the store, the key or a clock: the second factor's
state, the rules (trusted period, lockout) and the code's check come in as values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from bot.two_factor.totp import CodeCheck

if TYPE_CHECKING:
    from storage import Agent

Submitted = Literal[
    "accepted", "confirmed", "wrong", "replayed", "locked", "not_enrolled", "unavailable"
]


@dataclass(frozen=True)
class CodeResult:
    """The outcome of a typed code; `left` is how many wrong codes remain before a lockout.

    `step` is the time step a right code uses up; `counted`, a wrong code counted towards it.
    """

    outcome: Submitted
    left: int = 0
    trusted_until: datetime | None = None
    step: int | None = None
    counted: bool = False


@dataclass(frozen=True)
class FactorState:
    """An agent's second factor as the policy judges a code (a snapshot of the agent's row)."""

    locked: bool
    has_secret: bool
    confirmed: bool
    failed_attempts: int
    last_step: int | None

    @classmethod
    def of(cls, agent: Agent) -> FactorState:
        """The agent's row as the policy reads it (never the secret itself)."""
        return cls(
            locked=agent.locked,
            has_secret=agent.totp_secret is not None,
            confirmed=agent.totp_confirmed,
            failed_attempts=agent.failed_attempts,
            last_step=agent.totp_last_step,
        )


@dataclass(frozen=True)
class Rules:
    """How long a right code is trusted, and how many wrong codes lock the agent."""

    trusted_for: timedelta
    max_failures: int


@dataclass(frozen=True)
class NewSecret:
    """A fresh TOTP secret and its sealed form (never shown in a repr)."""

    plain: str = field(repr=False)
    sealed: str = field(repr=False)


def before_check(state: FactorState) -> CodeResult | None:
    """The outcome known without reading the code: locked, or no secret to check it against."""
    if state.locked:
        return CodeResult("locked")
    if not state.has_secret:
        return CodeResult("not_enrolled")
    return None


def judge(state: FactorState, check: CodeCheck | None, now: datetime, rules: Rules) -> CodeResult:
    """What a checked code means (`check` None: the key does not open the secret)."""
    if check is None:
        # Not the agent's fault: refused, but not counted towards a lockout.
        return CodeResult("unavailable")
    if check.outcome == "accepted" and check.step is not None:
        outcome: Submitted = "accepted" if state.confirmed else "confirmed"
        return CodeResult(outcome, trusted_until=now + rules.trusted_for, step=check.step)
    if check.outcome == "replayed":
        # A used code proves nothing; not counted as a guess either.
        return CodeResult("replayed", left=rules.max_failures - state.failed_attempts)
    failed = state.failed_attempts + 1
    if not state.locked and failed >= rules.max_failures:
        return CodeResult("locked", counted=True)
    return CodeResult("wrong", left=rules.max_failures - failed, counted=True)
