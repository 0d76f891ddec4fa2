"""LGPD: export everything stored about the user, or erase it after a confirmation."""

from __future__ import annotations

from . import answers, office_queue
from .actions import Action, EraseUserData, ExportUserData, Reply
from .events import Event
from .keyboards import ERASE_NO, ERASE_YES, button
from .ports import Services
from .state import IDLE, ConversationState, Step, interrupt, resume


def export(state: ConversationState, args: str, services: Services) -> Step:
    """/meus_dados: the desk sends the export (template `data_export`)."""
    return Step(state, (ExportUserData(),))


def ask_erase(state: ConversationState, args: str, services: Services) -> Step:
    """/apagar_dados: ask before erasing anything."""
    return interrupt(state, "erase_confirm", {})


def on_erase_confirm(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Only the confirmation button erases; "não" keeps everything."""
    if answers.said(event, ERASE_YES):
        # The conversation itself is personal data: nothing of it is kept either. A place in a
        # Balcão Virtual queue is given up first, so those behind move up and are told.
        leaving = office_queue.leaving_before_erasure(services)
        return Step(IDLE, (*leaving, EraseUserData(), Reply("data_erased")))
    if answers.said(event, ERASE_NO, answers.NO):
        return resume(state, Reply("erase_kept"))
    return None


def prompt_erase_confirm(state: ConversationState, services: Services) -> list[Action]:
    """What erasing means, with the two buttons."""
    keys = ((button("confirm_erase", ERASE_YES),), (button("keep_data", ERASE_NO),))
    return [Reply("erase_confirm", {}, keys)]
