"""reply_markup validation with Telegram's errors (BUTTON_DATA_INVALID and friends)."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .params import Params

MAX_BUTTONS = 100
CALLBACK_DATA_MAX_BYTES = 64
_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BAD_JSON = "can't parse reply keyboard markup JSON object"


def without_nulls(value: Any) -> Any:
    """Drop null fields recursively, as Telegram ignores them."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def reply_markup(p: Params) -> dict[str, Any] | None:
    """The validated `reply_markup` parameter, or None when absent."""
    raw = p.json_value("reply_markup", error=_BAD_JSON)
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request(_BAD_JSON)
    markup: dict[str, Any] = without_nulls(raw)
    if "inline_keyboard" in markup:
        _check_inline(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _check_rows(markup["keyboard"], "keyboard", "ReplyKeyboardMarkup")
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise bad_request(_BAD_JSON)
    return markup


def _check_rows(rows: Any, field: str, owner: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'Field "{field}" of the {owner} should be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _check_inline(rows: Any) -> None:
    for row in _check_rows(rows, "inline_keyboard", "InlineKeyboardMarkup"):
        for button in row:
            _check_button(button)


def _check_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton should be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _ACTIONS if key in button]
    if not actions:
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise bad_request(prefix + 'Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://", "tg://")):
            raise bad_request("BUTTON_URL_INVALID")
