"""What a turn decided, in the catalog's notation: used to score dialogs (`triagem kb eval`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge_base.models import KnowledgeBase

from .actions import Action, OpenTicket, Reply
from .state import ConversationState

# A question's state and the clarify it is (catalog.md, "Triage decisions").
CLARIFY = {
    "ask_grau": "clarify:grau",
    "ask_system": "clarify:sistema",
    "ask_offer": "clarify:oferta",
    "ask_category": "clarify:categoria",
    "ask_subject": "clarify:assunto",
}
FORM_STATES = frozenset({"intake", "intake_summary", "intake_fix"})
# Replies that are a decision on their own, whatever state follows.
REPLY_LABELS = {"smalltalk": "smalltalk", "triage_none": "none"}


@dataclass(frozen=True)
class Outcome:
    """The decision a turn ended on and the category it carries, if any."""

    label: str
    category: str | None = None


def outcome(state: ConversationState, actions: Sequence[Action], kb: KnowledgeBase) -> Outcome:
    """The decision of one turn: a ticket opened, a reply that decides, else the state reached.

    A form asking its category field is `clarify:categoria`: that question is the clarification.
    """
    for action in actions:
        if isinstance(action, OpenTicket):
            return Outcome(f"offer:{action.offer_id}", action.category)
    data = state.data
    if state.name == "confirm_switch":
        proposal = data.get("proposal")
        if isinstance(proposal, Mapping):
            return Outcome(str(proposal.get("label")), _text(proposal, "category"))
    if state.name in CLARIFY:
        return Outcome(CLARIFY[state.name], _text(data, "category"))
    if state.name in FORM_STATES:
        if state.name == "intake" and _asks_category(data, kb):
            return Outcome("clarify:categoria")
        values = data.get("values")
        chosen = values.get("category") if isinstance(values, Mapping) else None
        return Outcome(f"offer:{data.get('offer')}", chosen or _text(data, "category"))
    if state.name == "article":
        return Outcome(f"article:{data.get('article')}")
    for action in actions:
        if isinstance(action, Reply) and action.template in REPLY_LABELS:
            return Outcome(REPLY_LABELS[action.template])
        if isinstance(action, Reply) and action.template == "article":
            return Outcome(f"article:{action.params.get('article_id')}")
    return Outcome(state.name)


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _asks_category(data: Mapping[str, Any], kb: KnowledgeBase) -> bool:
    offer = kb.offers.get(str(data.get("offer")))
    step = data.get("step")
    if offer is None or not isinstance(step, int) or not 0 <= step < len(offer.fields):
        return False
    return offer.fields[step].kind == "category"
