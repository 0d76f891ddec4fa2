"""The desk's read-only look-ups over the store, and the facts a decision sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from bot.agents.cards import ticket_info
from bot.agents.desk_services import Act, DeskServices
from bot.agents.desk_view import AgentFacts, DeskView, TicketFacts
from bot.agents.posting import requester
from storage import (
    Agent,
    Role,
    Ticket,
    agent_by_telegram_id,
    audit_entries,
    queued_by_offer,
    search_tickets,
    ticket_by_code,
)


def desk_view(services: DeskServices, act: Act) -> DeskView:
    """What a decision reads about the agent's action: the agent, the ticket, the store."""
    ticket = ticket_facts(act.session, act.ticket) if act.ticket is not None else None
    reader = StoreDeskReader(services, act.session)
    return DeskView(agent_facts(act.agent), ticket, act.now, services.kb, services.settings, reader)


def ticket_facts(session: Session, ticket: Ticket) -> TicketFacts:
    """A snapshot of the ticket for a decision."""
    return TicketFacts(
        code=ticket.code,
        status=ticket.status,
        offer_id=ticket.offer_id,
        category=ticket.category,
        priority=ticket.priority,
        assigned_agent_id=ticket.assigned_agent_id,
        escalated=ticket.escalated_at is not None,
        agent_chat_id=ticket.agent_chat_id,
        requester_reachable=requester(session, ticket) is not None,
        requester_id=ticket.requester_id,
    )


def agent_facts(agent: Agent) -> AgentFacts:
    """The acting agent for a decision."""
    assert agent.id is not None
    return AgentFacts(
        id=agent.id,
        telegram_user_id=agent.telegram_user_id,
        name=agent.display_name,
        supervisor=agent.role == Role.SUPERVISOR,
    )


class StoreDeskReader:
    """bot.agents.desk_view.DeskReader over the SQL store, in the turn's session."""

    def __init__(self, services: DeskServices, session: Session) -> None:
        self._services = services
        self._session = session

    def queues(self) -> Sequence[Mapping[str, Any]]:
        """Waiting tickets per offer, in queue order."""
        kb = self._services.kb
        return [
            {
                "name": kb.offers[offer_id].name if offer_id in kb.offers else offer_id,
                "tickets": [
                    {"code": t.code, "priority": t.priority, "created_at": t.created_at}
                    for t in tickets
                ],
            }
            for offer_id, tickets in sorted(queued_by_offer(self._session).items())
        ]

    def search(self, text: str) -> Sequence[Mapping[str, Any]]:
        """Tickets whose code or fields contain the text."""
        found = search_tickets(self._session, text=text)
        return [ticket_info(self._services, self._session, t) for t in found]

    def ticket_info(self, code: str) -> Mapping[str, Any] | None:
        """One ticket as the templates show it."""
        ticket = ticket_by_code(self._session, code=code)
        return None if ticket is None else ticket_info(self._services, self._session, ticket)

    def audit(self, code: str | None, limit: int) -> Sequence[Any]:
        """The newest entries (of one ticket, or all), oldest first."""
        ticket = ticket_by_code(self._session, code=code) if code else None
        entries = audit_entries(
            self._session,
            ticket_id=ticket.id if ticket is not None else None,
            limit=limit,
            newest_first=True,
        )
        return list(reversed(entries))

    def agent_name(self, telegram_user_id: int) -> str | None:
        """A registered agent's display name."""
        agent = agent_by_telegram_id(self._session, telegram_user_id=telegram_user_id)
        return None if agent is None else agent.display_name
