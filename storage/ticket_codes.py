"""Ticket codes such as `EPR-7K3Q9X`: short, readable aloud, and not enumerable."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.errors import CodeSpaceExhausted
from storage.tables import Ticket

# No 0/O or 1/I/L, which people misread when dictating a code; no U, dropped (as in Crockford's
# base 32) so that no accidental words appear.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SUFFIX_LENGTH = 6
MAX_ATTEMPTS = 8

_PREFIX = re.compile(r"^[A-Z]{2,4}$")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_SUFFIX = re.compile(rf"^[{ALPHABET}]{{{SUFFIX_LENGTH}}}$")


def new_code(prefix: str) -> str:
    """A fresh random code for an offer prefix, drawn with a cryptographic generator."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"ticket code prefix must be 2-4 capital letters, got {prefix!r}")
    suffix = "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{prefix}-{suffix}"


def normalize_code(text: str) -> str | None:
    """The canonical form of a code a user typed (`epr 7k3q9x` → `EPR-7K3Q9X`), or None."""
    cleaned = text.strip().upper()
    parts = _SEPARATORS.split(cleaned, maxsplit=1)
    if len(parts) == 2 and _PREFIX.match(parts[0]):
        # A separator the user typed after the prefix says where the prefix ends.
        prefix, suffix = parts[0], _SEPARATORS.sub("", parts[1])
    else:
        compact = _SEPARATORS.sub("", cleaned)
        prefix, suffix = compact[:-SUFFIX_LENGTH], compact[-SUFFIX_LENGTH:]
    if not (_PREFIX.match(prefix) and _SUFFIX.match(suffix)):
        return None
    return f"{prefix}-{suffix}"


def insert_with_unique_code(
    session: Session,
    ticket: Ticket,
    *,
    prefix: str,
    generate: Callable[[str], str] = new_code,
) -> Ticket:
    """Give `ticket` a free code and flush it; the unique index arbitrates concurrent inserts."""
    for _ in range(MAX_ATTEMPTS):
        code = generate(prefix)
        ticket.code = code
        try:
            # A savepoint keeps the caller's transaction usable after a collision.
            with session.begin_nested():
                session.add(ticket)
        except IntegrityError:
            if not _code_taken(session, code):
                raise
            continue
        return ticket
    raise CodeSpaceExhausted(f"no free ticket code for prefix {prefix!r} in {MAX_ATTEMPTS} tries")


def _code_taken(session: Session, code: str) -> bool:
    return session.exec(select(Ticket.id).where(Ticket.code == code)).first() is not None
