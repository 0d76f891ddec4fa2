"""A new problem typed in the middle of a form: ask "Quer deixar este chamado e tratar disso?"."""

from __future__ import annotations

from knowledge_base.decide import SURE_ABOVE

from . import answers, personal, talk, triage_questions
from .actions import Action, Reply
from .events import Event, Text
from .keyboards import button
from .ports import Services
from .state import ConversationState, Step, get_str, interrupt, resume

CONFIRM = "confirm_switch"
YES, NO = "sw:y", "sw:n"
# An invalid answer this long may be a new problem rather than a mistyped answer.
MIN_WORDS = 4


def proposed(
    state: ConversationState, event: Event, offer_id: str, rejected: bool, services: Services
) -> Step | None:
    """Ask to switch when the text announces a change of course, or is no valid answer but a
    confident new problem, somewhere other than this form's offer; None to read it as usual."""
    if not isinstance(event, Text):
        return None
    text, _ = personal.mask_cpf(event.text)
    announced = talk.switching(text, services.kb.language)
    # Words as typed: an e-mail address or a code is one word however it normalizes.
    if not announced and not (rejected and len(text.split()) >= MIN_WORDS):
        return None
    decision = services.triage.decide(text)
    offer = services.kb.offers.get(offer_id)
    if decision.kind == "none" or decision.label == "clarify:sistema":
        return None
    sure = bool(decision.candidates) and decision.candidates[0].score >= SURE_ABOVE
    if not announced and not (decision.system and sure):
        # A wrong answer that names no system, or is only loosely like one, is more likely a
        # mistake than a new problem.
        return None
    if decision.target == offer_id:
        return None
    if not announced and offer and decision.system == offer.system:
        # Only a change the user announced ("esquece, o eproc passou a exigir o 2FA") may be
        # another matter of the same system.
        return None
    proposal = {"label": decision.label, "category": decision.category}
    return interrupt(state, CONFIRM, {"text": text, "proposal": proposal})


def no_ticket_matter(text: str, services: Services) -> bool:
    """Whether triage answers `text` with an article of a matter no ticket serves."""
    decision = services.triage.decide(personal.mask_cpf(text)[0])
    article = services.kb.articles.get(decision.target) if decision.kind == "article" else None
    return article is not None and article.no_ticket


def on_confirm(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Yes: leave the form and triage the new problem; no: back to the form's question."""
    if answers.yes(event, YES):
        return triage_questions.start(get_str(state.data, "text"), services).after(
            Reply("flow_left")
        )
    if answers.no(event, NO) or answers.said(event, NO, answers.BACK):
        return resume(state)
    return None


def prompt(state: ConversationState, services: Services) -> list[Action]:
    """The question, with both answers as buttons."""
    keys = ((button("switch_yes", YES),), (button("switch_no", NO),))
    return [Reply(CONFIRM, {"text": get_str(state.data, "text")}, keys)]
