"""A received update as the inbox keeps it: CPFs typed in texts and captions hidden."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.personal import hide_cpf

# Where Telegram puts what a user typed (message, edited_message, callback message...).
TYPED = frozenset({"text", "caption"})


def masked_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The update with every CPF in a typed text hidden; ids and everything else unchanged."""
    return {key: _masked(key, value) for key, value in payload.items()}


def _masked(key: str, value: Any) -> Any:
    if isinstance(value, str):
        return hide_cpf(value) if key in TYPED else value
    if isinstance(value, Mapping):
        return masked_payload(value)
    if isinstance(value, list):
        return [_masked(key, item) for item in value]
    return value
