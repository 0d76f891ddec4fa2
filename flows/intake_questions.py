"""The questions of an intake form: each field, the summary, and the list to correct from."""

from __future__ import annotations

from .actions import Action, Keyboard, Reply
from .intake_fields import display
from .intake_form import Form
from .keyboards import BACK, CONFIRM, DONE, FIX, GRAU, USE_TEXT, button, column, named, navigation
from .ports import Services
from .state import ConversationState

# The catalog's id for the free-text description, where the first message can be reused.
DESCRIPTION = "descricao"


def prompt_field(state: ConversationState, services: Services) -> list[Action]:
    """The question for the current field, with its buttons."""
    form = Form.from_state(state, services.kb)
    f = form.field
    if f.kind == "email" and form.pending_email is not None:
        again = {"label": f.label, "email": form.pending_email}
        return [Reply("intake_email_confirm", again, navigation())]
    files = form.files_of(f.id)
    value = form.values.get(f.id)
    suggestion = form.context.text if f.kind == "text" and f.id == DESCRIPTION else ""
    suggestion = suggestion if f.min_length <= len(suggestion) <= f.max_length else ""
    params = {
        "offer": form.offer.name,
        "number": form.step + 1,
        "total": len(form.offer.fields),
        "label": f.label,
        "prompt": f.prompt,
        "help": f.help,
        "kind": f.kind,
        "required": f.required,
        "options": _options(form),
        "current": display(f, form.offer, value) if value else None,
        "suggestion": suggestion or None,
        "files": [a.file_name for a in files],
    }
    keys: Keyboard = _answer_buttons(form, bool(suggestion), bool(files))
    return [Reply("intake_field", params, keys + navigation(skip=not f.required and not files))]


def prompt_summary(state: ConversationState, services: Services) -> list[Action]:
    """Everything the ticket will carry, to confirm before it opens."""
    form = Form.from_state(state, services.kb)
    offer = form.offer
    category = offer.category(form.category_id or "")
    items = [
        {"label": f.label, "value": display(f, offer, form.values.get(f.id, "")), "kind": f.kind}
        for f in offer.fields
        if f.kind not in ("attachment", "category")
    ]
    params = {
        "offer": offer.name,
        "category": category.label if category else None,
        "target": (category.target_label if category else "") or offer.target_label,
        "items": items,
        "files": [{"name": a.file_name, "size": a.size, "kind": a.kind} for _, a in form.files],
    }
    keys = (
        (button("confirm", CONFIRM),),
        (button("fix", FIX),),
        *navigation(back=bool(offer.fields)),
    )
    return [Reply("intake_summary", params, keys)]


def prompt_fix(state: ConversationState, services: Services) -> list[Action]:
    """Which field to correct."""
    form = Form.from_state(state, services.kb)
    labels = [f.label for f in form.offer.fields]
    keys = column(named(label, f"f:{i}") for i, label in enumerate(labels))
    return [Reply("intake_fix", {"fields": labels}, (*keys, (button("back", BACK),)))]


def _options(form: Form) -> list[dict[str, str]]:
    f = form.field
    if f.kind == "choice":
        return [{"label": c.label, "detail": "", "target": ""} for c in f.choices]
    if f.kind == "category":
        return [
            {"label": c.label, "detail": c.description, "target": c.target_label}
            for c in form.offer.categories
        ]
    return []


def _answer_buttons(form: Form, suggestion: bool, files: bool) -> Keyboard:
    f = form.field
    if f.kind == "choice":
        return column(named(c.label, f"c:{i}") for i, c in enumerate(f.choices))
    if f.kind == "category":
        # The seed's resolution target on the button itself: it is what tells them apart.
        return column(
            button("category", f"k:{i}", name=c.label, target=c.target_label)
            for i, c in enumerate(form.offer.categories)
        )
    if f.kind == "grau":
        return GRAU
    if f.kind == "attachment" and files:
        return ((button("done", DONE),),)
    if suggestion:
        return ((button("use_text", USE_TEXT),),)
    return ()
