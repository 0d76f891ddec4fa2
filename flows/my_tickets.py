"""The user's tickets: list, details with history and queue, and cancelling one."""

from __future__ import annotations

from typing import Any

from knowledge_base.models import KnowledgeBase

from . import answers
from .actions import Action, CancelTicket, Reply
from .events import Event
from .keyboards import button, column
from .ports import Services, TicketView
from .state import IDLE, ConversationState, Step, get_str, interrupt, resume

# Enough for a phone screen; older tickets stay reachable by /chamado CODE.
LIST_LIMIT = 10
# Codes are about 10 characters; whatever else was typed is not worth echoing.
CODE_ECHO = 40


def ticket_params(view: TicketView, kb: KnowledgeBase) -> dict[str, Any]:
    """A ticket as template data: names from the knowledge base, history oldest first."""
    offer = kb.offers.get(view.offer_id)
    category = offer.category(view.category) if offer and view.category else None
    target = (category.target_label if category else "") or (offer.target_label if offer else "")
    return {
        "code": view.code,
        "offer": offer.name if offer else view.offer_id,
        "category": category.label if category else view.category,
        "status": view.status,
        "created_at": view.created_at,
        "due_at": view.due_at,
        "target": target,
        "queue_position": view.queue_position,
        "rating": view.rating,
        "history": [{"at": h.at, "text": h.text, "status": h.status} for h in view.history],
    }


def ticket_opened_reply(view: TicketView, kb: KnowledgeBase) -> Reply:
    """What the desk sends once it has opened the ticket an OpenTicket asked for."""
    return Reply("ticket_opened", {"ticket": ticket_params(view, kb)})


def list_tickets(state: ConversationState, args: str, services: Services) -> Step:
    """/meus_chamados: the newest tickets with status, one button each for details."""
    views = sorted(services.tickets.tickets_of_user(), key=lambda v: v.created_at, reverse=True)
    shown = views[:LIST_LIMIT]
    params = {"tickets": [ticket_params(v, services.kb) for v in shown], "total": len(views)}
    keys = column(button("ticket", f"t:{v.code}", code=v.code) for v in shown)
    return Step(state, (Reply("ticket_list", params, keys),))


def show_ticket(state: ConversationState, args: str, services: Services) -> Step:
    """/chamado CODE: details, history and queue position, only for the ticket's owner."""
    code = args.strip().upper()[:CODE_ECHO]
    if not code:
        return list_tickets(state, "", services)
    view = services.tickets.ticket(code)
    if view is None:
        return Step(state, (Reply("ticket_not_found", {"code": code}),))
    keys = ((button("cancel_ticket", f"tx:{view.code}", code=view.code),),)
    params = {"ticket": ticket_params(view, services.kb)}
    return Step(state, (Reply("ticket_detail", params, keys if view.cancellable else ()),))


def choose_to_cancel(state: ConversationState, services: Services) -> Step:
    """/cancelar with nothing in progress: which open ticket to cancel, if any. A second
    subject still offered ("Quer tratar agora de …?") is dropped: nothing stays in progress."""
    views = [v for v in services.tickets.tickets_of_user() if v.cancellable][:LIST_LIMIT]
    if not views:
        return Step(IDLE, (Reply("cancel_nothing"),))
    params = {"tickets": [ticket_params(v, services.kb) for v in views]}
    keys = column(button("cancel_ticket", f"tx:{v.code}", code=v.code) for v in views)
    return Step(IDLE, (Reply("cancel_choose", params, keys),))


def ask_cancel(state: ConversationState, args: str, services: Services) -> Step:
    """/cancelar CODE: ask for confirmation before cancelling an open ticket."""
    code = args.strip().upper()[:CODE_ECHO]
    view = services.tickets.ticket(code)
    if view is None:
        return Step(state, (Reply("ticket_not_found", {"code": code}),))
    if not view.cancellable:
        params = {"ticket": ticket_params(view, services.kb)}
        return Step(state, (Reply("ticket_not_cancellable", params),))
    return interrupt(state, "cancel_ticket", {"code": view.code})


def on_cancel_ticket(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Yes cancels (if still open), no keeps the ticket; both return to what came before."""
    code = get_str(state.data, "code")
    if answers.yes(event, f"cy:{code}"):
        view = services.tickets.ticket(code)
        if view is None:
            return resume(state, Reply("ticket_not_found", {"code": code}))
        if not view.cancellable:
            params = {"ticket": ticket_params(view, services.kb)}
            return resume(state, Reply("ticket_not_cancellable", params))
        return resume(state, CancelTicket(code), Reply("ticket_cancelled", {"code": code}))
    if answers.no(event, f"cn:{code}"):
        return resume(state, Reply("ticket_kept", {"code": code}))
    return None


def prompt_cancel_ticket(state: ConversationState, services: Services) -> list[Action]:
    """Are you sure? With the ticket's details."""
    code = get_str(state.data, "code")
    view = services.tickets.ticket(code)
    if view is None:
        return [Reply("ticket_not_found", {"code": code})]
    keys = (
        (button("confirm_cancel", f"cy:{code}"),),
        (button("keep_ticket", f"cn:{code}"),),
    )
    return [Reply("cancel_ticket_confirm", {"ticket": ticket_params(view, services.kb)}, keys)]
