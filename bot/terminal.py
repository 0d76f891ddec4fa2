"""`triagem chat`: the same flows and store in a terminal; buttons become numbered choices."""

from __future__ import annotations

import getpass
import html
import mimetypes
import re
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from bot.app import App
from bot.live_queue.terminal_queue import TerminalQueue
from bot.outbound import Outbound
from bot.user_turn import Incoming
from flows.events import Attachment, Button, Command, Event, from_text

# One local user talks to the bot; its ids only need to be stable across runs.
TERMINAL_CHAT_ID = 1
QUIT = "/sair"
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


class TerminalChat:
    """Turns typed lines into events and the bot's calls into plain text."""

    def __init__(self, app: App, out: TextIO, echo: bool) -> None:
        self.app = app
        self.out = out
        self.echo = echo
        self.buttons: list[tuple[str, str]] = []
        self.name = getpass.getuser() or "usuario"

    def send(self, event: Event, *, resume: bool = False) -> None:
        """Handle one event in one transaction and print what the bot answers."""
        incoming = Incoming(TERMINAL_CHAT_ID, TERMINAL_CHAT_ID, self.name, event)
        with Session(self.app.engine) as session, session.begin():
            desk = self.app.desk
            calls = desk.resume(session, incoming) if resume else desk.handle(session, incoming)
        # Numbers pick the buttons of the latest answer only; older buttons are gone.
        self.buttons = []
        # The same wiring as `triagem run`: calls for the agents' groups are not this chat's.
        for call in calls:
            if call.chat_id == TERMINAL_CHAT_ID:
                self.show(call)

    def show(self, call: Outbound) -> None:
        """Print a message as plain text, with its buttons numbered."""
        print(to_plain(call.text), file=self.out)
        if call.buttons:
            self.buttons = call.buttons
            for number, (label, _) in enumerate(call.buttons, start=1):
                print(f"  [{number}] {label}", file=self.out)
        print(file=self.out)

    def event_for(self, line: str) -> Event:
        """A number picks a button of the last message; an existing file path is an attachment."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return Button(self.buttons[int(text) - 1][1])
        if text and _is_file(text):
            return attachment_for(Path(text).expanduser())
        return from_text(line)


def _is_file(text: str) -> bool:
    try:
        return Path(text).expanduser().is_file()
    except (OSError, ValueError):  # names too long, NUL bytes
        return False


def attachment_for(path: Path) -> Attachment:
    """A local file as the attachment Telegram would describe."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    size = path.stat().st_size
    if mime in ("image/jpeg", "image/png"):
        return Attachment(f"file://{path.resolve()}", path.name, size, mime, "photo")
    return Attachment(f"file://{path.resolve()}", path.name, size, mime, "document")


def to_plain(text: str) -> str:
    """Telegram HTML as terminal text: links keep their address, tags go, entities decode."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", text))


def run_terminal(app: App, source: TextIO, out: TextIO) -> int:
    """Chat until /sair or the end of input; piped input is echoed so transcripts read well."""
    interactive = source.isatty()
    # The Balcão Virtual's offices and queues, without a place: no attendant works here.
    TerminalQueue(app.renderer).attach(app.desk)
    chat = TerminalChat(app, out, echo=not interactive)
    # A conversation left in the middle (a form, a question) continues where it stopped.
    chat.send(Command("start"), resume=True)
    while True:
        if interactive:
            print("você> ", end="", file=out, flush=True)
        line = source.readline()
        if not line or line.strip() == QUIT:
            return 0
        if not line.strip():
            continue
        if chat.echo:
            print(f"> {line.rstrip()}", file=out)
        chat.send(chat.event_for(line))
