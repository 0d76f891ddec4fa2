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
    article_answers,
    data_rights,
    intake,
    intake_questions,
    menu,
    my_tickets,
    office_choice,
    office_queue,
    office_rating,
    rating,
    subjects,
    switch,
    talk,
    ticket_messages,
    triage_questions,
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
    "article": StateSpec(article_answers.on_article, article_answers.prompt_article),
    "ask_grau": StateSpec(triage_questions.on_ask_grau, triage_questions.prompt_ask_grau),
    "ask_system": StateSpec(triage_questions.on_ask_system, triage_questions.prompt_ask_system),
    "ask_offer": StateSpec(triage_questions.on_ask_offer, triage_questions.prompt_ask_offer),
    "intake": StateSpec(intake.on_field, intake_questions.prompt_field),
    "intake_summary": StateSpec(intake.on_summary, intake_questions.prompt_summary),
    "intake_fix": StateSpec(intake.on_fix, intake_questions.prompt_fix),
    "cancel_ticket": StateSpec(my_tickets.on_cancel_ticket, my_tickets.prompt_cancel_ticket),
    "rating_score": StateSpec(rating.on_rating_score, rating.prompt_rating_score),
    "rating_comment": StateSpec(rating.on_rating_comment, rating.prompt_rating_comment),
    "erase_confirm": StateSpec(data_rights.on_erase_confirm, data_rights.prompt_erase_confirm),
    "relay_choose": StateSpec(ticket_messages.on_choose, ticket_messages.prompt_choose),
    "ask_subject": StateSpec(subjects.on_ask, subjects.prompt),
    "confirm_switch": StateSpec(switch.on_confirm, switch.prompt),
    "queue_office": StateSpec(office_choice.on_choosing, office_choice.prompt_choosing),
    "queue_comment": StateSpec(office_rating.on_comment, office_rating.prompt_comment),
}
# Questions where a greeting or a thanks is answered and the question asked again (elsewhere
# free text may be the answer itself: a comment, a description, a message to an agent).
CHATTY = frozenset(
    {"ask_grau", "ask_system", "ask_offer", "ask_subject", "intake_summary", "confirm_switch"}
)


def cancel(state: ConversationState, args: str, services: Services) -> Step:
    """/cancelar: leave what is in progress; with a code, or when idle, cancel a ticket."""
    if args.strip():
        return my_tickets.ask_cancel(state, args, services)
    if state.name != IDLE_NAME:
        return menu.leave(state, services)
    return my_tickets.choose_to_cancel(state, services)


COMMANDS: Mapping[str, CommandHandler] = {
    "start": menu.welcome,
    "menu": menu.welcome,
    "ajuda": menu.help_text,
    "help": menu.help_text,
    "cancelar": cancel,
    "meus_chamados": my_tickets.list_tickets,
    "chamado": my_tickets.show_ticket,
    "meus_dados": data_rights.export,
    "apagar_dados": data_rights.ask_erase,
    "fila": office_queue.show_position,
}

# Buttons that name what they act on, so they work on old messages from any state.
BUTTONS: Mapping[str, ButtonHandler] = {
    "m": menu.on_menu_button,
    "t": lambda state, code, services: my_tickets.show_ticket(state, code, services),
    "tx": lambda state, code, services: my_tickets.ask_cancel(state, code, services),
    "r": rating.on_score_button,
    article_answers.OPEN_ARTICLE: article_answers.on_article_button,
    article_answers.FULL_ARTICLE: article_answers.on_full_article,
    "q": office_queue.on_button,
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
        if office_queue.wants_to_leave(event.text, services):
            return office_queue.leave(state, None, services)
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
