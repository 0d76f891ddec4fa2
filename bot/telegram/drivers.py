"""Choosing a driver by name (each library is imported only when chosen)."""

from __future__ import annotations

from bot.telegram.driver import Driver

LIBRARIES = ("aiogram", "python-telegram-bot")


def make_driver(library: str, token: str, api_base_url: str) -> Driver:
    """A driver for `library` ("aiogram" or "python-telegram-bot") talking to `api_base_url`."""
    base = api_base_url.rstrip("/")
    # Imported here so only the chosen library is loaded.
    if library == "aiogram":
        from bot.telegram.aiogram_driver import AiogramDriver

        return AiogramDriver(token, base)
    if library == "python-telegram-bot":
        from bot.telegram.ptb_driver import PtbDriver

        return PtbDriver(token, base)
    raise ValueError(f"unknown Telegram library {library!r}; expected one of {LIBRARIES}")
