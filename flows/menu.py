"""Greeting, help, the main menu, and the idle state where free text goes to triage."""

from __future__ import annotations

from . import answers, my_tickets, routing, talk, ticket_messages, triage_questions
from .actions import Action, NoteGap, Reply
from .events import Attachment, Button, Event, Text
from .keyboards import MENU
from .ports import Services
from .state import IDLE, IDLE_NAME, ConversationState, Step
from .subjects import NEXT as NEXT_SUBJECT
from .subjects import PENDING
from .triage_context import Context

# "voltar" and its synonyms are short; longer messages are problems to triage.
BACK_CHARS = 20

# The clarifying questions of triage: leaving one means the bot did not get the user there.
CLARIFYING = frozenset({"ask_grau", "ask_system", "ask_offer"})


def welcome(state: ConversationState, args: str, services: Services) -> Step:
    """/start: greet, say what the bot does, and drop whatever was in progress."""
    return Step(IDLE, (*_abandoned(state), Reply("welcome", {}, MENU)))


def help_text(state: ConversationState, args: str, services: Services) -> Step:
    """/ajuda: what the bot does and its commands; a form in progress stays where it was."""
    return Step(state, (Reply("help", {"busy": state.name != IDLE_NAME}),))


def leave(state: ConversationState, services: Services) -> Step:
    """Abandon the question or form in progress; nothing is sent anywhere."""
    if state.name == IDLE_NAME:
        return Step(IDLE, prompt=True)
    return Step(IDLE, (*_abandoned(state), Reply("flow_left")), prompt=True)


def _abandoned(state: ConversationState) -> tuple[Action, ...]:
    text = state.data.get("text")
    if state.name in CLARIFYING and isinstance(text, str) and text.strip():
        return (NoteGap("abandoned", text),)
    return ()


def on_idle(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Free text is a new problem to triage, unless an agent is attending one of the user's.

    Conversation is answered as conversation, "voltar" with nothing in progress shows the menu,
    and a file with no question pending is explained instead of "use the buttons".
    """
    relayed = ticket_messages.offer(event, services)
    if relayed is not None:
        return relayed
    pending = state.data.get(PENDING)
    if isinstance(event, Button) and event.data == NEXT_SUBJECT and isinstance(pending, str):
        return triage_questions.start(pending, services)
    if isinstance(event, Attachment):
        return Step(IDLE, (Reply("attachment_idle", {}, MENU),))
    if not isinstance(event, Text) or not event.text.strip():
        return None
    if len(event.text) < BACK_CHARS and answers.is_word(event.text, answers.BACK):
        return Step(IDLE, (Reply("nothing_in_progress", {}, MENU),))
    kind = talk.small_talk(event.text, services.kb.language)
    if kind is not None:
        return Step(IDLE, (Reply("smalltalk", {"kind": kind, "busy": False}),))
    return triage_questions.start(event.text, services)


def on_menu_button(state: ConversationState, choice: str, services: Services) -> Step | None:
    """A main menu button, also when pressed on an old message."""
    if choice == "new":
        return routing.ask_system(Context(), services, None)
    if choice == "list":
        return my_tickets.list_tickets(state, "", services)
    if choice == "help":
        return help_text(state, "", services)
    return None


def prompt_idle(state: ConversationState, services: Services) -> list[Action]:
    """The menu, shown after a flow ends without a ticket."""
    return [Reply("menu", {}, MENU)]
