"""`triagem kb show ID`: an article or an offer as the chat shows it, through the real flows.

The article or offer goes through the same flow steps, templates and splitting as in a chat,
so what an editor sees here is what a user gets: plain text with the buttons listed (as
`triagem chat` prints it), or with `--html` the Telegram HTML the bot sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import utc_now
from bot.outbound import Outbound, reply_calls
from bot.rendering import Renderer
from bot.terminal import to_plain
from flows import routing
from flows.actions import Action, Reply
from flows.machine import prompt
from flows.ports import Services, TicketView
from flows.triage_context import Context
from knowledge_base.loader import load_knowledge_base
from knowledge_base.triage import Triage

MESSAGE_RULE = "─" * 40
# Any chat id: nothing is sent, the calls are only printed.
SHOW_CHAT = 1


class NoTickets:
    """A user with no tickets (showing an article or an offer needs none)."""

    def tickets_of_user(self) -> Sequence[TicketView]:
        """None."""
        return ()

    def ticket(self, code: str) -> TicketView | None:
        """None."""
        return None

    def in_attendance(self) -> Sequence[TicketView]:
        """None."""
        return ()


def show(root: Path, item_id: str, as_html: bool, out: TextIO, err: TextIO) -> int:
    """Print what a user sees when the bot shows this article or starts this offer."""
    kb = load_knowledge_base(root)
    services = Services(kb, Triage(kb), NoTickets(), utc_now(), 0)
    if item_id in kb.articles:
        step = routing.show_article(item_id, Context(), services)
    elif item_id in kb.offers:
        step = routing.to_offer(kb.offers[item_id], Context(), services, None)
    else:
        print(f"no article or offer '{item_id}' in {root} (see `triagem kb list`)", file=err)
        return 2
    actions: list[Action] = [*step.actions, *(prompt(step.state, services) if step.prompt else [])]
    renderer = Renderer(kb)
    calls = [
        call
        for action in actions
        if isinstance(action, Reply)
        for call in reply_calls(renderer, SHOW_CHAT, action)
    ]
    print(f"\n{MESSAGE_RULE}\n".join(_shown(c, as_html) for c in calls), file=out)
    return 0


def _shown(call: Outbound, as_html: bool) -> str:
    text = call.text if as_html else to_plain(call.text)
    buttons = [f"  [{n}] {label}" for n, (label, _) in enumerate(call.buttons, start=1)]
    return "\n".join([text, *buttons])
