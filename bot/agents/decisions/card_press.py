"""A press on a ticket card's button: its command, unless the card is stale."""

from __future__ import annotations

from collections.abc import Callable

from bot.agents.decisions.ticket_work import ticket_of
from bot.agents.desk_actions import Alert, DeskAction, Record
from bot.agents.desk_view import DeskView
from storage import Status
from storage.audit import REFUSED

Handler = Callable[[DeskView, str], list[DeskAction]]


def press(
    name: str, handler: Handler, valid_in: frozenset[Status], view: DeskView, args: str
) -> list[DeskAction]:
    """Run the button's command; a card shown before the ticket moved on changes nothing."""
    status = ticket_of(view).status
    if status in valid_in:
        return handler(view, args)
    details = {"reason": "stale_button", "status": status}
    return [Alert("desk/stale_button", {"status": status}), Record(name, REFUSED, details)]
