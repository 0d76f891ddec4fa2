"""Resolution clocks at run time: armed at opening, moved at every status change, and the
warning and breach alerts their timers fire (in the ticket's thread and to each supervisor)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlmodel import Session

from bot.agents.desk_services import DeskServices
from bot.agents.posting import queue, render_calls, to_thread
from bot.scheduler import TimerHandler
from flows.actions import Reply
from flows.resolution_clock import Pause, Target, counted, moment_reaching
from storage import Ticket
from storage.clock_records import (
    BREACH,
    WARNING,
    mark_breached,
    mark_warned,
    record_resolution,
    set_clock,
    supervisors,
    ticket_of_ref,
    waiting_spans,
)
from storage.lifecycle import OPEN_STATUSES, Status
from storage.queue_tables import Timer

log = logging.getLogger(__name__)
HOUR = 3600.0
# Outbox kind of the supervisors' copies (no desk hook acts on it).
ALERT = "sla_alert"


@dataclass
class ResolutionClocks:
    """The desk's clocks over its services (kb, renderer, clock) and a warning share."""

    services: DeskServices
    warn_share: float

    def timers(self) -> dict[str, TimerHandler]:
        """This feature's timer handlers by kind, for the scheduler."""
        return {WARNING: self._on_warning, BREACH: self._on_breach}

    def target(self, ticket: Ticket) -> Target | None:
        """The ticket's target from its offer and category, on the offer's clock rule."""
        offer = self.services.kb.offers.get(ticket.offer_id)
        if offer is None:
            return None
        category = offer.category(ticket.category or "")
        hours = category.target_hours if category and category.target_hours else offer.target_hours
        if hours is None:
            return None
        rule = self.services.kb.clocks.get(offer.id)
        return Target(hours * HOUR, rule.calendar if rule else None)

    def moved(self, session: Session, ticket: Ticket) -> None:
        """A ticket opened or changed status: recompute its moments and timers."""
        target = self.target(ticket)
        if target is None or ticket.id is None:
            return
        now = self.services.clock()
        if ticket.status == Status.RESOLVIDO.value:
            record_resolution(session, ticket=ticket, now=now)
        pauses = self._pauses(session, ticket)
        due = moment_reaching(target, ticket.created_at, pauses)
        warn = moment_reaching(target, ticket.created_at, pauses, self.warn_share)
        set_clock(session, ticket=ticket, due_at=due, warn_at=warn, now=now)

    def _pauses(self, session: Session, ticket: Ticket) -> list[Pause]:
        spans = waiting_spans(session, ticket_id=ticket.id or 0)
        return [Pause(start, end) for start, end in spans]

    def _ticket(self, session: Session, timer: Timer) -> Ticket | None:
        ticket_id = ticket_of_ref(timer.ref)
        ticket = session.get(Ticket, ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.status not in OPEN_STATUSES:
            return None
        return ticket

    def _on_warning(self, session: Session, timer: Timer) -> None:
        ticket = self._ticket(session, timer)
        if ticket is None or ticket.warned_at is not None or ticket.breached_at is not None:
            return
        if not self._reached(session, ticket, self.warn_share):
            self.moved(session, ticket)  # the moment moved since (a pause): schedule it again
            return
        mark_warned(session, ticket=ticket, now=self.services.clock())
        self._alert(session, ticket, "desk/sla_warning")

    def _on_breach(self, session: Session, timer: Timer) -> None:
        ticket = self._ticket(session, timer)
        if ticket is None or ticket.breached_at is not None:
            return
        if not self._reached(session, ticket, 1.0):
            self.moved(session, ticket)
            return
        mark_breached(session, ticket=ticket, now=self.services.clock())
        self._alert(session, ticket, "desk/sla_breach")

    def _reached(self, session: Session, ticket: Ticket, share: float) -> bool:
        target = self.target(ticket)
        if target is None or ticket.status == Status.AGUARDANDO_USUARIO.value:
            return False
        used = counted(
            target, ticket.created_at, self.services.clock(), self._pauses(session, ticket)
        )
        # A timer fires at its moment or later: a few microseconds early count as reached.
        return used + 1e-3 >= target.seconds * share

    def _alert(self, session: Session, ticket: Ticket, template: str) -> None:
        offer = self.services.kb.offers.get(ticket.offer_id)
        params = {
            "code": ticket.code,
            "offer": offer.name if offer else ticket.offer_id,
            "due_at": ticket.due_at,
            "share": round(self.warn_share * 100),
        }
        to_thread(self.services, session, ticket, template, params)
        reply = Reply(f"{template}_supervisor", params)
        for supervisor in supervisors(session):
            # Their private chat with the bot (where they enrolled their second factor).
            for call in render_calls(self.services, supervisor.telegram_user_id, reply):
                queue(session, replace(call, kind=ALERT, ticket_id=ticket.id), self.services)
