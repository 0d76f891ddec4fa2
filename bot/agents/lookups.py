"""Read-only desk commands (queues, search, a ticket, the audit log) and unlocking agents."""

from __future__ import annotations

from datetime import datetime

from bot.agents.cards import ticket_info
from bot.agents.context import Act, DeskServices
from bot.agents.posting import in_place
from storage import (
    Role,
    agent_by_telegram_id,
    audit_entries,
    queued_by_offer,
    search_tickets,
    ticket_by_code,
    unlock_agent,
)
from storage.audit import REFUSED

QUEUE_SHOWN = 5
AUDIT_SHOWN = 15


class Lookups:
    """Answers where the agent asked; supervisors' commands check the role."""

    def __init__(self, services: DeskServices) -> None:
        self.services = services

    def queues(self, act: Act) -> None:
        """/fila: waiting tickets per offer, oldest age and the first few in order."""
        offers = []
        for offer_id, tickets in sorted(queued_by_offer(act.session).items()):
            offer = self.services.kb.offers.get(offer_id)
            offers.append(
                {
                    "name": offer.name if offer else offer_id,
                    "count": len(tickets),
                    "oldest": _age(act, min(t.created_at for t in tickets)),
                    "tickets": [
                        {"code": t.code, "priority": t.priority, "age": _age(act, t.created_at)}
                        for t in tickets[:QUEUE_SHOWN]
                    ],
                }
            )
        in_place(self.services, act, "desk/queues", {"offers": offers})
        act.record("queues")

    def search(self, act: Act, text: str) -> None:
        """/buscar TEXTO: tickets whose code or intake fields contain the text."""
        if len(text.strip()) < 2:
            in_place(self.services, act, "desk/search_usage", {})
            return
        found = [
            ticket_info(self.services, act.session, t)
            for t in search_tickets(act.session, text=text)
        ]
        in_place(self.services, act, "desk/search", {"typed": text.strip()[:60], "tickets": found})
        act.record("search", matches=len(found))

    def show(self, act: Act, code: str) -> None:
        """/chamado [CODE]: a ticket's details (this thread's ticket without a code)."""
        ticket = ticket_by_code(act.session, code=code) if code.strip() else act.ticket
        if ticket is None:
            in_place(self.services, act, "desk/ticket_unknown", {"code": code.strip()[:40]})
            return
        act.ticket = ticket
        info = ticket_info(self.services, act.session, ticket)
        in_place(self.services, act, "desk/ticket_info", {"ticket": info})
        act.record("show")

    def audit_log(self, act: Act, code: str) -> None:
        """/auditoria [CODE]: supervisors read the latest entries (of a ticket, or all)."""
        if not self._supervisor(act, "audit"):
            return
        ticket = ticket_by_code(act.session, code=code) if code.strip() else act.ticket
        entries = audit_entries(
            act.session,
            ticket_id=ticket.id if ticket is not None else None,
            limit=AUDIT_SHOWN,
            newest_first=True,
        )
        params = {"code": ticket.code if ticket else None, "entries": list(reversed(entries))}
        in_place(self.services, act, "desk/audit", params)
        act.record("audit", shown=len(entries))

    def unlock(self, act: Act, args: str) -> None:
        """/desbloquear ID: a supervisor lifts an agent's lockout."""
        if not self._supervisor(act, "unlock"):
            return
        typed = args.strip()
        target = (
            agent_by_telegram_id(act.session, telegram_user_id=int(typed))
            if typed.lstrip("-").isdigit()
            else None
        )
        if target is None:
            in_place(self.services, act, "desk/unlock_unknown", {"typed": typed[:40]})
            act.record("unlock", REFUSED, reason="unknown", typed=typed[:40])
            return
        unlock_agent(act.session, agent=target)
        in_place(self.services, act, "desk/unlocked", {"name": target.display_name})
        act.record("unlock", agent=target.telegram_user_id)

    def _supervisor(self, act: Act, action: str) -> bool:
        if act.agent.role == Role.SUPERVISOR:
            return True
        in_place(self.services, act, "desk/supervisors_only", {})
        act.record(action, REFUSED, reason="role")
        return False


def _age(act: Act, since: datetime) -> dict[str, int]:
    minutes = max(0, int((act.now - since).total_seconds() // 60))
    return {"days": minutes // 1440, "hours": minutes % 1440 // 60, "minutes": minutes % 60}
