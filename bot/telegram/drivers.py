"""Choosing a driver by name, and the Bot API error texts every driver classifies alike."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from bot.telegram.driver import Driver
from bot.telegram.errors import (
    BadRequest,
    NotModified,
    QueryTooOld,
    TelegramError,
    ThreadNotFound,
    Unreachable,
)

LIBRARIES = ("aiogram", "python-telegram-bot")

# Telegram's 400 descriptions are the only way to tell these cases apart; libraries reword the
# prefix ("Bad Request: ..." vs "Message is ..."), so match lower-cased fragments.
_BAD_REQUEST_KINDS: tuple[tuple[str, type[TelegramError]], ...] = (
    ("message is not modified", NotModified),
    ("message thread not found", ThreadNotFound),
    ("topic_deleted", ThreadNotFound),
    ("chat not found", Unreachable),
    ("query is too old", QueryTooOld),
)


def bad_request_error(description: str) -> TelegramError:
    """The runtime's error for a 400 with this description."""
    lowered = description.lower()
    for fragment, kind in _BAD_REQUEST_KINDS:
        if fragment in lowered:
            return kind(description)
    return BadRequest(description)


def uploads(params: Mapping[str, Any]) -> dict[str, tuple[bytes, str]]:
    """Params given as `{"upload": "<base64>", "filename": "qr.png"}`: files to upload.

    The outbox holds JSON only, so bytes made by the bot (a QR code) travel as base64 and each
    driver turns them into its own upload object.
    """
    files: dict[str, tuple[bytes, str]] = {}
    for key, value in params.items():
        if isinstance(value, Mapping) and isinstance(value.get("upload"), str):
            name = str(value.get("filename") or key)
            files[key] = (base64.b64decode(value["upload"]), name)
    return files


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
