"""The conversation state machine: which handler takes an event in each state.

`advance` is the only entry point. Global commands and buttons are looked at first (they work
from any state), then the current state's handler. A handler that does not understand the
event returns None, and the user is told so and asked the same question again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from . import (
    answers,
    articles,
    intake,
    intake_questions,
    menu,
    privacy,
    rating,
    relay,
    subjects,
    switch,
    talk,
    tickets,
    triage,
)
from .actions import Action, Reply
from .events import Button, Command, Event, Text, TicketStatusChanged
from .keyboards import CANCEL
from .ports import Services
from .state import IDLE, IDLE_NAME, ConversationState, CorruptState, Step

# Control words ("cancelar", "menu") are short: longer messages are not read for them.
CONTROL_WORD_CHARS = 40
# Telegram refuses longer messages; the terminal chat does not, so the flows check too.
MAX_MESSAGE = 4096

Handler = Callable[[ConversationState, Event, Services], Step | None]
Prompt = Callable[[ConversationState, Services], list[Action]]
CommandHandler = Callable[[ConversationState, str, Services], Step]
ButtonHandler = Callable[[ConversationState, str, Services], Step | None]


@dataclass(frozen=True)
class StateSpec:
    """How a state handles events and how it asks its question."""

    handle: Handler
    prompt: Prompt


STATES: Mapping[str, StateSpec] = {
    "idle": StateSpec(menu.on_idle, menu.prompt_idle),
    "article": StateSpec(articles.on_article, articles.prompt_article),
    "ask_grau": StateSpec(triage.on_ask_grau, triage.prompt_ask_grau),
    "ask_system": StateSpec(triage.on_ask_system, triage.prompt_ask_system),
    "ask_offer": StateSpec(triage.on_ask_offer, triage.prompt_ask_offer),
    "intake": StateSpec(intake.on_field, intake_questions.prompt_field),
    "intake_summary": StateSpec(intake.on_summary, intake_questions.prompt_summary),
    "intake_fix": StateSpec(intake.on_fix, intake_questions.prompt_fix),
    "cancel_ticket": StateSpec(tickets.on_cancel_ticket, tickets.prompt_cancel_ticket),
    "rating_score": StateSpec(rating.on_rating_score, rating.prompt_rating_score),
    "rating_comment": StateSpec(rating.on_rating_comment, rating.prompt_rating_comment),
    "erase_confirm": StateSpec(privacy.on_erase_confirm, privacy.prompt_erase_confirm),
    "relay_choose": StateSpec(relay.on_choose, relay.prompt_choose),
    "ask_subject": StateSpec(subjects.on_ask, subjects.prompt),
    "confirm_switch": StateSpec(switch.on_confirm, switch.prompt),
}
# Questions where a greeting or a thanks is answered and the question asked again (elsewhere
# free text may be the answer itself: a comment, a description, a message to an agent).
CHATTY = frozenset(
    {"ask_grau", "ask_system", "ask_offer", "ask_subject", "intake_summary", "confirm_switch"}
)


def cancel(state: ConversationState, args: str, services: Services) -> Step:
    """/cancelar: leave what is in progress; with a code, or when idle, cancel a ticket."""
    if args.strip():
        return tickets.ask_cancel(state, args, services)
    if state.name != IDLE_NAME:
        return menu.leave(state, services)
    return tickets.choose_to_cancel(state, services)


COMMANDS: Mapping[str, CommandHandler] = {
    "start": menu.welcome,
    "menu": menu.welcome,
    "ajuda": menu.help_text,
    "help": menu.help_text,
    "cancelar": cancel,
    "meus_chamados": tickets.list_tickets,
    "chamado": tickets.show_ticket,
    "meus_dados": privacy.export,
    "apagar_dados": privacy.ask_erase,
}

# Buttons that name what they act on, so they work on old messages from any state.
BUTTONS: Mapping[str, ButtonHandler] = {
    "m": menu.on_menu_button,
    "t": lambda state, code, services: tickets.show_ticket(state, code, services),
    "tx": lambda state, code, services: tickets.ask_cancel(state, code, services),
    "r": rating.on_score_button,
    articles.OPEN_ARTICLE: articles.on_article_button,
    articles.FULL_ARTICLE: articles.on_full_article,
}
# `rl:` (relay_choose) is not global: the kept message lives in that state.


def advance(
    state: ConversationState, event: Event, services: Services
) -> tuple[ConversationState, list[Action]]:
    """The new state and the actions for one event."""
    try:
        return _finish(_dispatch(state, event, services), services)
    except CorruptState:
        if isinstance(event, Command | TicketStatusChanged):
            return _finish(_dispatch(IDLE, event, services), services)
        return IDLE, [Reply("state_lost"), *menu.prompt_idle(IDLE, services)]


def prompt(state: ConversationState, services: Services) -> list[Action]:
    """The question a state asks (what the user sees again after a restart or an error)."""
    spec = STATES.get(state.name)
    if spec is None:
        raise CorruptState(f"unknown state {state.name!r}")
    return spec.prompt(state, services)


def _dispatch(state: ConversationState, event: Event, services: Services) -> Step:
    spec = STATES.get(state.name)
    if spec is None:
        raise CorruptState(f"unknown state {state.name!r}")
    if isinstance(event, Command):
        handler = COMMANDS.get(event.name.lower().lstrip("/"))
        if handler is None:
            return Step(state, (Reply("unknown_command", {"command": event.name[:40]}),))
        return handler(state, event.args, services)
    if isinstance(event, TicketStatusChanged):
        return rating.on_status_changed(state, event)
    if isinstance(event, Text):
        if len(event.text) > MAX_MESSAGE:
            return Step(state, (Reply("message_too_long", {"limit": MAX_MESSAGE}),))
        typed = answers.normalize(event.text) if len(event.text) <= CONTROL_WORD_CHARS else ""
        if typed in answers.CANCEL:
            return cancel(state, "", services)
        if typed in answers.MENU:
            return menu.welcome(state, "", services)
        lang = services.kb.language
        kind = talk.small_talk(event.text, lang)
        if kind is not None and state.name in CHATTY:
            return Step(state, (Reply("smalltalk", {"kind": kind, "busy": True}),), prompt=True)
        if state.name in CHATTY and talk.closing(event.text, lang):
            # "era o relógio mesmo, deu certo! obrigada, tchau": done, nothing left to ask.
            return Step(IDLE, (Reply("smalltalk", {"kind": "thanks", "busy": False}),))
    if isinstance(event, Button):
        step = _global_button(state, event.data, services)
        if step is not None:
            return step
    step = spec.handle(state, event, services)
    if step is None:
        return Step(state, (Reply("not_understood"),), prompt=True)
    return step


def _global_button(state: ConversationState, data: str, services: Services) -> Step | None:
    if data == CANCEL:
        return menu.leave(state, services)
    prefix, _, payload = data.partition(":")
    handler = BUTTONS.get(prefix)
    return handler(state, payload, services) if handler and payload else None


def _finish(step: Step, services: Services) -> tuple[ConversationState, list[Action]]:
    actions = list(step.actions)
    if step.prompt:
        actions += prompt(step.state, services)
    return step.state, actions
