"""The intake form of an offer: one field at a time, a summary, then the ticket."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from knowledge_base.models import Offer

from . import answers, personal, subjects, switch, talk
from .actions import OpenTicket, Reply
from .events import Attachment, Button, Event, Text
from .intake_fields import READERS, Answer, Stay, display
from .intake_form import Form
from .keyboards import BACK, CHANGE_CATEGORY, CONFIRM, FIX, SKIP, button
from .ports import Services
from .state import IDLE, ConversationState, Step
from .triage_context import Context

FIELD, SUMMARY, FIX_STATE = "intake", "intake_summary", "intake_fix"
# Knowledge base text added to the description when the team must confirm the grau.
GRAU_UNSURE_TEXT = "eproc_grau_a_confirmar"
# Knowledge base text that carries a recognised CNJ process number into the ticket.
PROCESS_TEXT = "processo_informado"
# Same default as knowledge_base.models.Category.priority.
DEFAULT_PRIORITY = 3


def start(offer: Offer, context: Context, origin: dict[str, Any] | None) -> Step:
    """Begin the form, with what triage already knows filled in."""
    prefill: dict[str, str] = {}
    for f in offer.fields:
        if f.kind == "category" and context.category and offer.category(context.category):
            prefill[f.id] = context.category
        elif f.kind == "grau" and context.grau:
            prefill[f.id] = context.grau
    form = Form(offer, context, values=prefill, prefilled=frozenset(prefill), origin=origin)
    category = offer.category(context.category or "") if context.category else None
    chosen = category is not None and any(f.kind == "category" for f in offer.fields)
    params = {
        "offer": offer.name,
        "notice": offer.notice,
        "fields": [f.label for f in offer.fields],
        # Said, so the user can change it before the summary.
        "category": category.label if category and chosen else None,
        "target": category.target_label if category and chosen else "",
        "grau_unsure": context.grau_unsure,
        "process": personal.process_number(context.text),
    }
    keys = ((button("change_category", CHANGE_CATEGORY),),) if chosen else ()
    return _go(form, form.next_step(-1)).after(Reply("intake_start", params, keys))


def on_field(state: ConversationState, event: Event, services: Services) -> Step | None:
    """An answer to the field being asked."""
    form = Form.from_state(state, services.kb)
    if answers.said(event, BACK, answers.BACK):
        return _back(form)
    if isinstance(event, Button) and event.data == CHANGE_CATEGORY:
        return _change_category(form)
    corrected = _grau_corrected(form, event, services)
    if corrected is not None:
        return corrected
    f = form.field
    # A category described in words ("na verdade é só uma dúvida") answers the question asked,
    # unless the words are a matter no ticket serves ("é uma dúvida: quem define os documentos
    # exigidos?" is the service manager's, a business rule).
    answering = (
        f.kind == "category"
        and isinstance(event, Text)
        and services.triage.category(form.offer.id, event.text) is not None
        and not switch.no_ticket_matter(event.text, services)
    )
    announced = None if answering else switch.proposed(state, event, form.offer.id, False, services)
    if announced is not None:
        return announced
    if not f.required and answers.said(event, SKIP, answers.SKIP):
        return _forward(form.answered(""))
    if isinstance(event, Attachment) and f.kind != "attachment":
        return Step(state, (Reply("error_attachment_unexpected"),), prompt=True)
    outcome = READERS[f.kind](form, event, services)
    if outcome is None or (isinstance(outcome, Stay) and outcome.replies):
        # Not a valid answer: maybe a new problem rather than a mistake.
        switching = switch.proposed(state, event, form.offer.id, True, services)
        if switching is not None:
            return switching
    if outcome is None:
        return None
    if isinstance(outcome, Answer):
        return _forward(form.answered(outcome.value)).after(*outcome.replies)
    return Step(outcome.form.to_state(FIELD), outcome.replies, prompt=outcome.prompt)


def on_summary(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Confirm, correct or go back from the summary."""
    form = Form.from_state(state, services.kb)
    if answers.said(event, CONFIRM, answers.YES):
        missing = form.first_missing()
        if missing is not None:
            return _go(form, missing)
        texts = services.kb.texts
        ticket = _ticket(form, texts.get(GRAU_UNSURE_TEXT), texts.get(PROCESS_TEXT))
        return subjects.done(form.context, ticket)
    if answers.said(event, FIX, answers.FIX):
        return Step(form.to_state(FIX_STATE), prompt=True)
    if answers.said(event, BACK, answers.BACK):
        return _back(replace(form, step=len(form.offer.fields)))
    return None


def on_fix(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The field to correct, chosen from the list."""
    form = Form.from_state(state, services.kb)
    if answers.said(event, BACK, answers.BACK):
        return Step(form.to_state(SUMMARY), prompt=True)
    index = answers.chosen(event, "f:", [(f.id, f.label) for f in form.offer.fields])
    if index is None:
        return None
    chosen = replace(form, step=index, fixing=True, pending_email=None)
    return Step(chosen.to_state(FIELD), prompt=True)


def _go(form: Form, step: int | None) -> Step:
    if step is None:
        return Step(replace(form, fixing=False).to_state(SUMMARY), prompt=True)
    return Step(form.at(step).to_state(FIELD), prompt=True)


def _forward(form: Form) -> Step:
    return _go(form, None if form.fixing else form.next_step(form.step))


def _back(form: Form) -> Step:
    if form.pending_email is not None:
        return Step(replace(form, pending_email=None).to_state(FIELD), prompt=True)
    if form.fixing:
        return Step(replace(form, fixing=False).to_state(SUMMARY), prompt=True)
    if form.step > 0:
        return _go(form, form.step - 1)
    if form.origin is not None:
        return Step(ConversationState.from_dict(form.origin), prompt=True)
    return Step(IDLE, (Reply("flow_left"),), prompt=True)


def _grau_corrected(form: Form, event: Event, services: Services) -> Step | None:
    """ "Ops, errei, aqui é Colégio Recursal": a correction of the grau restarts the form in the
    same system's offer of that grau, with what triage knew; None when it is no such thing.

    Only an announced correction (the `switch` words) that tells the other grau and names no
    other system counts: a description may well mention where the case came from.
    """
    if not isinstance(event, Text) or not form.offer.grau:
        return None
    if not talk.switching(event.text, services.kb.language):
        return None
    decision = services.triage.decide(personal.mask_cpf(event.text)[0])
    if decision.grau in (None, form.offer.grau) or set(decision.named) - {form.offer.system}:
        return None
    sibling = next(
        (
            o
            for o in services.kb.offers.values()
            if o.system == form.offer.system and o.grau == decision.grau
        ),
        None,
    )
    if sibling is None:
        return None
    context = replace(form.context, grau=decision.grau, grau_unsure=False)
    return start(sibling, context, dict(form.origin) if form.origin is not None else None)


def _change_category(form: Form) -> Step | None:
    """Ask the category again, from the button under the intake's first message."""
    index = next((i for i, f in enumerate(form.offer.fields) if f.kind == "category"), None)
    if index is None:
        return None
    return Step(replace(form.at(index), prefilled=frozenset()).to_state(FIELD), prompt=True)


def _ticket(
    form: Form, grau_note: str | None = None, process_note: str | None = None
) -> OpenTicket:
    offer = form.offer
    category_id = form.category_id
    category = offer.category(category_id or "")
    fields = {
        f.id: display(f, offer, form.values[f.id])
        for f in offer.fields
        if f.kind not in ("attachment", "category") and form.values.get(f.id)
    }
    text_field = next((f.id for f in offer.fields if f.kind == "text"), None)
    if form.context.grau_unsure and grau_note and text_field:
        # The user could not tell the grau: the team sees it on the ticket.
        fields[text_field] = f"{fields.get(text_field, '')}\n\n{grau_note}".strip()
    process = personal.process_number(form.context.text)
    described = fields.get(text_field or "", "")
    if process and process_note and text_field and process not in described:
        # Said at the start ("Número do processo reconhecido"): kept even if the description
        # typed later does not repeat it.
        fields[text_field] = f"{described}\n\n{process_note.replace('{processo}', process)}".strip()
    attachments = tuple(a for _, a in form.files)
    priority = category.priority if category else DEFAULT_PRIORITY
    return OpenTicket(offer.id, category_id, fields, attachments, priority)
