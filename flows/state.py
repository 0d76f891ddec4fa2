"""Conversation state as plain JSON data, and the small helpers flows use to read it back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .actions import Action

IDLE_NAME = "idle"
RESUME = "resume"


class CorruptState(Exception):
    """Saved data this code cannot use (older version, hand edit, knowledge base changed)."""


@dataclass(frozen=True)
class ConversationState:
    """Where a conversation is: a state name and JSON data; storage persists `to_dict()`."""

    name: str = IDLE_NAME
    # JSON values only (str, int, bool, None, lists, objects): checked when read, not typed.
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy of the state."""
        copied: dict[str, Any] = json.loads(json.dumps({"name": self.name, "data": self.data}))
        return copied

    @classmethod
    def from_dict(cls, raw: object) -> ConversationState:
        """The state saved by `to_dict`; anything malformed becomes idle."""
        if not isinstance(raw, Mapping):
            return IDLE
        name, data = raw.get("name"), raw.get("data", {})
        if not isinstance(name, str) or not isinstance(data, Mapping):
            return IDLE
        return cls(name, dict(data))


IDLE = ConversationState()


@dataclass(frozen=True)
class Step:
    """A handler's result; with `prompt` the machine appends the new state's question."""

    state: ConversationState
    actions: tuple[Action, ...] = ()
    prompt: bool = False

    def after(self, *actions: Action) -> Step:
        """The same step with actions sent before its own."""
        return Step(self.state, actions + self.actions, self.prompt)


def interrupt(current: ConversationState, name: str, data: Mapping[str, Any]) -> Step:
    """Enter a short side question that returns to `current` when answered.

    Interruptions never nest: one started from another returns where the first would have.
    """
    base = current.data.get(RESUME) if RESUME in current.data else current.to_dict()
    return Step(ConversationState(name, {**data, RESUME: base}), prompt=True)


def resume(current: ConversationState, *actions: Action) -> Step:
    """Leave an interruption: back to the saved state, asking its question again."""
    back = ConversationState.from_dict(current.data.get(RESUME))
    return Step(back, actions, prompt=back.name != IDLE_NAME)


def get_str(data: Mapping[str, Any], key: str) -> str:
    """data[key] as a string."""
    value = data.get(key)
    if not isinstance(value, str):
        raise CorruptState(f"{key}: expected text, got {value!r}")
    return value


def get_optional_str(data: Mapping[str, Any], key: str) -> str | None:
    """data[key] as a string, or None when missing or null."""
    return None if data.get(key) is None else get_str(data, key)


def get_int(data: Mapping[str, Any], key: str) -> int:
    """data[key] as an int (booleans refused)."""
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CorruptState(f"{key}: expected a number, got {value!r}")
    return value


def get_strs(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """data[key] as a list of strings."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CorruptState(f"{key}: expected a list of texts, got {value!r}")
    return tuple(value)


def get_mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """data[key] as an object, or None when missing or null."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise CorruptState(f"{key}: expected an object, got {value!r}")
    return value
