"""Personal data in what users type: CPFs are masked before anything is kept; CNJ numbers found."""

from __future__ import annotations

import re

# 123.456.789-09 or 12345678909, not inside a longer number (a CNJ process number has 20 digits).
CPF = re.compile(r"(?<![\d.-])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\d.-]*\d)")
CPF_MASK = "***.***.***-**"
# A CPF the inbox already hid (`hide_cpf`): the user is still told not to send it.
_HIDDEN = re.compile(r"\*{3}\.?\*{3}\.?\*{3}-?\*{2}")
# The CNJ's unified process number: NNNNNNN-DD.AAAA.J.TR.OOOO (Resolução CNJ 65/2008).
_CNJ = re.compile(r"(?<!\d)(\d{7})-?(\d{2})\.?(\d{4})\.?(\d)\.?(\d{2})\.?(\d{4})(?!\d)")


def mask_cpf(text: str) -> tuple[str, bool]:
    """The text with every CPF masked, and whether there was one (hidden ones included)."""
    masked, count = CPF.subn(CPF_MASK, text)
    return masked, count > 0 or _HIDDEN.search(masked) is not None


def hide_cpf(text: str) -> str:
    """The text with each CPF's digits as `*`, same length (a message's entity offsets hold)."""
    return CPF.sub(lambda found: re.sub(r"\d", "*", found.group()), text)


def process_number(text: str) -> str | None:
    """The first process number in CNJ format, written the standard way, if any."""
    found = _CNJ.search(text)
    if found is None:
        return None
    n, dd, year, j, tr, origin = found.groups()
    return f"{n}-{dd}.{year}.{j}.{tr}.{origin}"
