"""Reading one answer to an intake field, by the field's kind, with the catalog's rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from knowledge_base.models import IntakeField, Offer

from . import answers
from .actions import Reply
from .events import Attachment, Button, Event, Text
from .intake_form import Form
from .keyboards import DONE, USE_TEXT, button, navigation
from .office_hours import is_open
from .personal import mask_cpf
from .ports import Services

# Deliberately loose: one @, no spaces, a dot in the domain. The desk's reply proves the rest.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Telegram sends at most 10 files in one album; more than that in one form is a mistake.
MAX_FILES = 10
OFFICE_CLOSED_TEXT = "fora_do_horario"
CPF_FIELD = "cpf"


@dataclass(frozen=True)
class Answer:
    """A valid answer: store it and move to the next field (after these replies)."""

    value: str
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Stay:
    """Stay on this field (ask it again), with the form updated and these replies first."""

    form: Form
    replies: tuple[Reply, ...] = ()
    # False when the replies say all there is to say (a file received): no prompt again.
    prompt: bool = True


Outcome = Answer | Stay | None
Reader = Callable[[Form, Event, Services], Outcome]


def _refuse(form: Form, template: str, **params: object) -> Stay:
    return Stay(form, (Reply(template, params),))


def read_text(form: Form, event: Event, services: Services) -> Outcome:
    """Free text within the field's length limits, or the problem message the user sent."""
    f = form.field
    if isinstance(event, Button) and event.data == USE_TEXT and form.context.text:
        value = form.context.text
    elif isinstance(event, Text):
        value = event.text.strip()
    else:
        return None
    if len(value) < max(f.min_length, 1):
        return _refuse(form, "error_text_too_short", min=max(f.min_length, 1))
    if len(value) > f.max_length:
        return _refuse(form, "error_text_too_long", max=f.max_length, length=len(value))
    if CPF_FIELD not in f.id.lower() and CPF_FIELD not in f.label.lower():
        # Kept only where a field asks for it.
        value, had_cpf = mask_cpf(value)
        if had_cpf:
            return Answer(value, (Reply("cpf_notice"),))
    return Answer(value)


def read_email(form: Form, event: Event, services: Services) -> Outcome:
    """An e-mail address; typed a second time, and equal, where the field asks to confirm."""
    if not isinstance(event, Text):
        return None
    value = event.text.strip()
    if form.pending_email is not None:
        if value.casefold() == form.pending_email.casefold():
            return Answer(form.pending_email)
        return _refuse(replace(form, pending_email=None), "error_email_mismatch")
    if not EMAIL.match(value) or len(value) > form.field.max_length:
        return _refuse(form, "error_email_invalid", value=value)
    return Stay(replace(form, pending_email=value)) if form.field.confirm else Answer(value)


def read_choice(form: Form, event: Event, services: Services) -> Outcome:
    """One of the field's choices, by button, number or name; an office must be attending."""
    choices = form.field.choices
    index = answers.chosen(event, "c:", [(c.id, c.label) for c in choices])
    if index is None:
        return _not_on_list(form, event)
    choice = choices[index]
    office = next((o for o in form.offer.offices if o.id == choice.id), None)
    if office is not None and not is_open(office, services.now):
        return _refuse(
            form,
            "office_closed",
            office=office.name,
            weekdays=list(office.weekdays),
            start=office.start,
            end=office.end,
            explanation=services.kb.texts.get(OFFICE_CLOSED_TEXT, ""),
        )
    return Answer(choice.id)


def read_category(form: Form, event: Event, services: Services) -> Outcome:
    """One of the offer's categories."""
    categories = form.offer.categories
    index = answers.chosen(event, "k:", [(c.id, c.label, *c.keywords) for c in categories])
    if index is None and isinstance(event, Text) and event.text.strip():
        # "é só uma dúvida", "ainda consigo registrar se tentar de novo": described, not
        # picked; triage tells, from the reply alone, else with the first message's words.
        described = services.triage.category(form.offer.id, event.text)
        if described is None:
            described = services.triage.decide(f"{form.context.text}\n{event.text}").category
        if described and form.offer.category(described):
            return Answer(described)
    return _not_on_list(form, event) if index is None else Answer(categories[index].id)


def read_grau(form: Form, event: Event, services: Services) -> Outcome:
    """1 (1º grau or Colégio Recursal) or 2 (2º grau)."""
    grau = answers.grau_of(event)
    return Answer(grau) if grau else _not_on_list(form, event)


def read_attachment(form: Form, event: Event, services: Services) -> Outcome:
    """Files until the user says they are done; at least one where the field is required."""
    f = form.field
    if isinstance(event, Attachment):
        if len(form.files) >= MAX_FILES:
            return _refuse(form, "error_too_many_files", max=MAX_FILES)
        files = (*form.files, (f.id, event))
        # A short receipt, not the field's whole prompt again for every file.
        params = {"file": file_params(event, len(files))}
        keys = ((button("done", DONE),), *navigation())
        received = Reply("attachment_received", params, keys)
        return Stay(replace(form, files=files), (received,), prompt=False)
    done = (isinstance(event, Button) and event.data == DONE) or (
        isinstance(event, Text) and answers.is_word(event.text, answers.DONE)
    )
    if done:
        if f.required and not form.files_of(f.id):
            return _refuse(form, "error_attachment_required")
        return Answer("")
    return _refuse(form, "error_attachment_expected") if isinstance(event, Text) else None


READERS: Mapping[str, Reader] = {
    "text": read_text,
    "email": read_email,
    "choice": read_choice,
    "category": read_category,
    "grau": read_grau,
    "attachment": read_attachment,
}


def file_params(file: Attachment, number: int) -> dict[str, object]:
    """A file as templates name it (its name, else "foto N" by its number in the form)."""
    return {"name": file.file_name, "kind": file.kind, "size": file.size, "number": number}


def display(f: IntakeField, offer: Offer, value: str) -> str:
    """An answer as people read it: the label of a choice or category, else the value."""
    if f.kind == "choice":
        return next((c.label for c in f.choices if c.id == value), value)
    if f.kind == "category":
        category = offer.category(value)
        return category.label if category else value
    return value


def _not_on_list(form: Form, event: Event) -> Outcome:
    if isinstance(event, Text):
        return _refuse(form, "error_choice_unknown", typed=event.text.strip())
    return None
