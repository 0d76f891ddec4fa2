"""Moving a ticket: to the right offer (/transferir) or up to level 2 (/escalar)."""

from __future__ import annotations

from bot.agents.decisions.ticket_work import ticket_of
from bot.agents.desk_actions import DeskAction, Escalate, Record, Say, Transfer
from bot.agents.desk_view import DeskView
from flows.keyboards import column, named
from storage import OPEN_STATUSES
from storage.audit import REFUSED


def transfer(view: DeskView, args: str) -> list[DeskAction]:
    """/transferir OFFER: the ticket goes to the right offer; without one, the offers to pick."""
    ticket = ticket_of(view)
    typed = args.strip()
    others = [o for o in view.kb.offers.values() if o.id != ticket.offer_id]
    if not typed:
        keys = column(named(o.name, f"d:to:{ticket.code}:{o.id}") for o in others)
        return [Say("desk/transfer_choose", {"code": ticket.code}, keys)]
    target = view.kb.offers.get(typed)
    if target is None or target.id == ticket.offer_id:
        offers = [{"id": o.id, "name": o.name} for o in others]
        shown = {"typed": typed[:60], "offers": offers, "same": target is not None}
        details = {"reason": "offer", "typed": typed[:60]}
        return [Say("desk/transfer_invalid", shown), Record("transfer", REFUSED, details)]
    refused = _not_movable(view, "transfer", "transferido")
    if refused:
        return refused
    details = {"from_offer": ticket.offer_id, "to_offer": target.id}
    return [Transfer(target.id), Record("transfer", details=details)]


def escalate(view: DeskView, args: str) -> list[DeskAction]:
    """/escalar: to the offer's level-2 chat (for SEI, the CSG forwards to SEATI)."""
    ticket = ticket_of(view)
    chat = view.settings.escalation_chat(ticket.offer_id)
    if chat is None:
        return [
            Say("desk/escalation_unconfigured", {"code": ticket.code}),
            Record("escalate", REFUSED, {"reason": "unconfigured"}),
        ]
    if ticket.escalated or ticket.agent_chat_id == chat:
        return [
            Say("desk/already_escalated", {"code": ticket.code}),
            Record("escalate", REFUSED, {"reason": "already"}),
        ]
    refused = _not_movable(view, "escalate", "escalado")
    if refused:
        return refused
    return [Escalate(chat), Record("escalate", details={"to_chat": chat})]


def _not_movable(view: DeskView, action: str, to: str) -> list[DeskAction]:
    """Only a ticket the desk still works on moves; otherwise the agent is told (audited)."""
    ticket = ticket_of(view)
    if ticket.status in OPEN_STATUSES:
        return []
    refused = {"code": ticket.code, "status": ticket.status, "to": to}
    details = {"reason": "status", "status": ticket.status}
    return [Say("desk/invalid_transition", refused), Record(action, REFUSED, details)]
