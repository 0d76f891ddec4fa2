"""Button layouts and callback data shared by the flows (labels live in buttons.j2)."""

from __future__ import annotations

from collections.abc import Iterable

from .actions import ButtonSpec, Keyboard

# Callback data: short, because Telegram allows at most 64 bytes.
BACK = "back"
CANCEL = "x"
SKIP = "skip"
DONE = "next"
CONFIRM = "ok"
FIX = "fix"
SOLVED = "solved"
NOT_SOLVED = "support"
USE_TEXT = "use"
ERASE_YES = "ey"
ERASE_NO = "en"

MAX_CALLBACK_BYTES = 64


def button(label: str, data: str, **params: object) -> ButtonSpec:
    """A button whose label is the buttons.j2 macro `label`."""
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return ButtonSpec(label, data, params)


def named(text: str, data: str) -> ButtonSpec:
    """A button labelled with knowledge base text (an offer, system, category or choice name)."""
    return button("text", data, text=text)


def column(buttons: Iterable[ButtonSpec]) -> Keyboard:
    """One button per row."""
    return tuple((b,) for b in buttons)


def navigation(*, back: bool = True, skip: bool = False) -> Keyboard:
    """The row under every form question: back, skip (optional fields) and cancel."""
    row = [button("back", BACK)] if back else []
    if skip:
        row.append(button("skip", SKIP))
    row.append(button("cancel", CANCEL))
    return (tuple(row),)


MENU: Keyboard = (
    (button("menu_new", "m:new"),),
    (button("menu_tickets", "m:list"), button("menu_help", "m:help")),
)

GRAU_UNKNOWN = "g:?"
CHANGE_CATEGORY = "k:change"
GRAU: Keyboard = ((button("grau_1", "g:1"),), (button("grau_2", "g:2"),))
