"""The agent desk: tickets worked from Telegram groups, with 2FA and an audit log."""

from bot.agents.desk import AgentDesk
from bot.agents.settings import DeskSettings

__all__ = ["AgentDesk", "DeskSettings"]
