"""Time-based one-time passwords (RFC 6238, via pyotp) with the time step of each code known.

Knowing the step lets the desk refuse a code already used: one of the same or an earlier step
than the last accepted one is a replay, even inside the tolerance window.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pyotp

ISSUER = "Triagem"
STEP_SECONDS = 30
# One step either side tolerates a phone clock up to ~30 s off and the time taken to type.
WINDOW = 1
DIGITS = 6

Outcome = Literal["accepted", "wrong", "replayed", "malformed"]


@dataclass(frozen=True)
class CodeCheck:
    """What a typed code turned out to be, and the time step it matched."""

    outcome: Outcome
    step: int | None = None


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer))


def time_step(moment: datetime) -> int:
    """The TOTP time step a moment falls in."""
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code of a time step (what the agent's app shows during it)."""
    return str(pyotp.TOTP(secret).at(step * STEP_SECONDS))


def check_code(secret: str, typed: str, now: datetime, last_step: int | None) -> CodeCheck:
    """Check a typed code at `now`, refusing steps at or before `last_step`."""
    code = "".join(typed.split())
    if len(code) != DIGITS or not code.isdigit():
        return CodeCheck("malformed")
    current = time_step(now)
    # Newest first: if a code repeats within the window, the step still unused wins.
    for step in range(current + WINDOW, current - WINDOW - 1, -1):
        if hmac.compare_digest(code_at(secret, step), code):
            if last_step is not None and step <= last_step:
                return CodeCheck("replayed", step)
            return CodeCheck("accepted", step)
    return CodeCheck("wrong")
