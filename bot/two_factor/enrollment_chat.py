"""Agents' private chat with the bot, /2fa and /codigo 123456: reads the command from the update
and hands it to the executor (decisions in private_decisions.py, applied by private_executor.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.outbound import Outbound
from bot.rendering import Renderer
from bot.two_factor.policy import SecondFactor
from bot.two_factor.private_decisions import COMMANDS, PrivateCommand
from bot.two_factor.private_executor import SECRET, PrivateExecutor

__all__ = ["SECRET", "PrivateCommands", "private_command"]


class PrivateCommands:
    """Runs before the user flows for /2fa and /codigo; everything else is the user's."""

    def __init__(
        self, renderer: Renderer, factor: SecondFactor, clock: Callable[[], datetime]
    ) -> None:
        self.executor = PrivateExecutor(renderer, factor, clock)

    def handle(self, session: Session, update: Mapping[str, Any]) -> list[Outbound] | None:
        """Calls for an agent command in a private chat; None when it is not one."""
        command = private_command(update)
        return None if command is None else self.executor.run(session, command)


def private_command(update: Mapping[str, Any]) -> PrivateCommand | None:
    """The update as /2fa or /codigo with its argument and sender; None when it is neither."""
    message = update.get("message")
    if not isinstance(message, Mapping) or not isinstance(message.get("text"), str):
        return None
    text: str = message["text"].strip()
    if not text.startswith("/"):
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if name not in COMMANDS or not isinstance(message.get("from"), Mapping):
        return None
    sender = message["from"]
    sender_id = int(sender["id"])
    names = (sender.get("first_name"), sender.get("last_name"))
    sender_name = " ".join(p for p in names if p) or str(sender_id)
    return PrivateCommand(name, args, sender_id, sender_name, int(message["chat"]["id"]))
