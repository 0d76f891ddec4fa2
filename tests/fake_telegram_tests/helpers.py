"""Small helpers shared by the fake server's tests."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram_tests.conftest import RawApi

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def keyboard(*data: str) -> dict[str, Any]:
    """An inline keyboard with one row of callback buttons."""
    return {"inline_keyboard": [[{"text": d.upper(), "callback_data": d} for d in data]]}


async def expect_error(
    raw: RawApi, method: str, payload: dict[str, Any], code: int, text: str
) -> None:
    """Call `method` and check Telegram's error envelope."""
    status, body = await raw.call(method, json=payload)
    assert (status, body["ok"], body["error_code"], body["description"]) == (
        code,
        False,
        code,
        text,
    )
