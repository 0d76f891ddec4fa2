"""Drive flows like a user would, checking every turn the way the desk will use it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from bot.rendering import Renderer
from flows.actions import Action, ButtonSpec, OpenTicket, Reply
from flows.events import Attachment, Button, Command, Event, Text, TicketStatusChanged
from flows.machine import advance, prompt
from flows.ports import Services
from flows.state import IDLE, ConversationState

TELEGRAM_MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64


def check_turn(state: ConversationState, actions: list[Action], renderer: Renderer) -> None:
    """What must hold after any turn: replies render, buttons fit, the state survives JSON."""
    for action in actions:
        if isinstance(action, Reply):
            for message in renderer.render_messages(action.template, action.params):
                assert len(message) <= TELEGRAM_MESSAGE_LIMIT
            for row in action.buttons:
                for spec in row:
                    assert len(spec.data.encode()) <= CALLBACK_DATA_LIMIT, spec.data
                    assert renderer.button_label(spec)
    saved = json.loads(json.dumps(state.to_dict()))
    assert ConversationState.from_dict(saved) == state


@dataclass
class Conversation:
    """One user's conversation: send events, then look at what came back."""

    services: Services
    renderer: Renderer
    state: ConversationState = IDLE
    actions: list[Action] = field(default_factory=list)

    def send(self, event: Event) -> list[Action]:
        self.state, self.actions = advance(self.state, event, self.services)
        check_turn(self.state, self.actions, self.renderer)
        for action in prompt(self.state, self.services):  # a restart would show it
            check_turn(self.state, [action], self.renderer)
        return self.actions

    def say(self, text: str) -> list[Action]:
        return self.send(Text(text))

    def command(self, name: str, args: str = "") -> list[Action]:
        return self.send(Command(name, args))

    def press(self, data: str) -> list[Action]:
        return self.send(Button(data))

    def tap(self, label: str) -> list[Action]:
        """Press the button labelled `label`, or else the one whose label contains it."""
        labelled = [(s, self.renderer.button_label(s)) for s in self.buttons()]
        matches = [s for s, text in labelled if text == label]
        matches = matches or [s for s, text in labelled if label in text]
        assert len(matches) == 1, (label, self.labels())
        return self.press(matches[0].data)

    def attach(
        self, name: str = "tela.png", size: int = 48_213, kind: str = "photo"
    ) -> list[Action]:
        mime = "image/png" if kind == "photo" else "application/pdf"
        return self.send(Attachment(f"file-{name}", name, size, mime, kind))  # type: ignore[arg-type]

    def status(self, code: str, status: str) -> list[Action]:
        return self.send(TicketStatusChanged(code, status))

    def at(self, **changes: object) -> None:
        """Change the services (clock, tickets) from now on."""
        self.services = replace(self.services, **changes)  # type: ignore[arg-type]

    def restart(self) -> None:
        """What a process restart does: the state goes through storage as JSON and back."""
        self.state = ConversationState.from_dict(json.loads(json.dumps(self.state.to_dict())))

    @property
    def replies(self) -> list[Reply]:
        return [a for a in self.actions if isinstance(a, Reply)]

    @property
    def templates(self) -> list[str]:
        return [r.template for r in self.replies]

    def reply(self, template: str) -> Reply:
        found = [r for r in self.replies if r.template == template]
        assert len(found) == 1, (template, self.templates)
        return found[0]

    def text(self) -> str:
        return "\n".join(self.renderer.render(r.template, r.params) for r in self.replies)

    def buttons(self) -> list[ButtonSpec]:
        return [spec for r in self.replies for row in r.buttons for spec in row]

    def labels(self) -> list[str]:
        return [self.renderer.button_label(s) for s in self.buttons()]

    def opened(self) -> OpenTicket:
        found = [a for a in self.actions if isinstance(a, OpenTicket)]
        assert len(found) == 1, self.actions
        return found[0]
