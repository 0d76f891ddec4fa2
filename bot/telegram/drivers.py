"""Choosing a driver by name (each library is imported only when chosen)."""

from __future__ import annotations

from collections.abc import Callable

from bot.telegram.driver import Driver

LIBRARIES = ("aiogram", "python-telegram-bot")


def load_driver(library: str) -> Callable[[str, str], Driver]:
    """The driver class of `library` ("aiogram" or "python-telegram-bot"), imported now."""
    # Imported here so only the chosen library is loaded (each costs seconds of CPU).
    if library == "aiogram":
        from bot.telegram.aiogram_driver import AiogramDriver

        return AiogramDriver
    if library == "python-telegram-bot":
        from bot.telegram.ptb_driver import PtbDriver

        return PtbDriver
    raise ValueError(f"unknown Telegram library {library!r}; expected one of {LIBRARIES}")


def make_driver(library: str, token: str, api_base_url: str) -> Driver:
    """A driver for `library` ("aiogram" or "python-telegram-bot") talking to `api_base_url`."""
    return load_driver(library)(token, api_base_url.rstrip("/"))
