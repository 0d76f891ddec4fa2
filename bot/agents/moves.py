"""Moving a ticket: to the right offer (/transferir) or up to level 2 (/escalar)."""

from __future__ import annotations

from bot.agents.cards import open_desk, refresh_card, topic_name
from bot.agents.commands import TicketCommands
from bot.agents.context import IN_PLACE, Act, DeskServices
from bot.agents.posting import Place, in_place, queue, reply_at, to_requester
from bot.outbound import Outbound
from flows.keyboards import column, named
from storage import OPEN_STATUSES, EventKind, Status, Ticket, change_status, queue_position
from storage.audit import REFUSED

# The seed's offer with the CSG → SEATI path (POP "Como abrir um Chamado para o SEI").
SEI = "sei"
# The knowledge base's text told to a user whose ticket the desk moved to another offer.
TRANSFER_TEXT = "oferta_transferida"


class Moves:
    """Transfers between offers and escalations to a level-2 chat."""

    def __init__(self, services: DeskServices, commands: TicketCommands) -> None:
        self.services = services
        self.commands = commands

    def ask_offer(self, act: Act) -> None:
        """The card's Transferir button: which offer should it go to?"""
        ticket = act.ticket
        assert ticket is not None
        offers = [o for o in self.services.kb.offers.values() if o.id != ticket.offer_id]
        keys = column(named(o.name, f"d:to:{ticket.code}:{o.id}") for o in offers)
        in_place(self.services, act, "desk/transfer_choose", {"code": ticket.code}, keys)

    def transfer(self, act: Act, args: str) -> None:
        """/transferir OFFER: the ticket goes to the right offer; the user is told why."""
        ticket = act.ticket
        assert ticket is not None
        target = self.services.kb.offers.get(args.strip())
        if target is None or target.id == ticket.offer_id:
            offers = [
                {"id": o.id, "name": o.name}
                for o in self.services.kb.offers.values()
                if o.id != ticket.offer_id
            ]
            shown = {"typed": args.strip()[:60], "offers": offers, "same": target is not None}
            in_place(self.services, act, "desk/transfer_invalid", shown)
            act.record("transfer", REFUSED, reason="offer", typed=args.strip()[:60])
            return
        if not self._movable(act, ticket, "transfer", "transferido"):
            return
        session, old_offer_id = act.session, ticket.offer_id
        old_offer = self.services.kb.offers.get(old_offer_id)
        old_position = queue_position(session, ticket=ticket)
        old_chat, old_name = ticket.agent_chat_id, old_offer.name if old_offer else ticket.offer_id
        ticket.offer_id = target.id
        if ticket.category and target.category(ticket.category) is None:
            ticket.category = None
        ticket.assigned_agent_id = None
        session.add(ticket)
        if ticket.status != Status.NOVO:
            # Back to the queue: the right team takes it from there.
            change_status(session, ticket=ticket, to=Status.NOVO, actor=act.actor, now=act.now)
        params: dict[str, object] = {
            "code": ticket.code,
            "from_offer": old_name,
            "to_offer": target.name,
        }
        text = self.services.renderer.render("desk/history_transfer", params)
        act.add_event(EventKind.NOTE, text, visible_to_user=True)
        # One warning, written for a transfer: the desk corrected the offer, not the user.
        explanation = self.services.kb.texts.get(TRANSFER_TEXT, "")
        to_requester(
            self.services,
            session,
            ticket,
            "desk/user_transferred",
            {**params, "explanation": explanation},
        )
        if old_position is not None:
            self.services.pushes.queue_changed(session, old_offer_id, old_position)
        self.services.pushes.queue_changed(session, target.id, 1)
        new_chat = self.services.settings.chat_for_offer(target.id)
        self._relocate(act, ticket, old_chat, new_chat, "desk/transferred", params)
        act.record("transfer", from_offer=old_offer_id, to_offer=target.id)

    def escalate(self, act: Act) -> None:
        """/escalar: SEI goes from the agency's CSG to the SEI technical unit (SEATI); other
        offers to the configured level-2 chat."""
        ticket = act.ticket
        assert ticket is not None
        chat = self.services.settings.escalation_chat(ticket.offer_id)
        if chat is None:
            in_place(self.services, act, "desk/escalation_unconfigured", {"code": ticket.code})
            act.record("escalate", REFUSED, reason="unconfigured")
            return
        if ticket.escalated_at is not None or ticket.agent_chat_id == chat:
            in_place(self.services, act, "desk/already_escalated", {"code": ticket.code})
            act.record("escalate", REFUSED, reason="already")
            return
        if not self._movable(act, ticket, "escalate", "escalado"):
            return
        session, old_chat = act.session, ticket.agent_chat_id
        ticket.escalated_at = act.now
        session.add(ticket)
        params: dict[str, object] = {
            "code": ticket.code,
            "sei": ticket.offer_id == SEI,
            "agent": act.agent.display_name,
        }
        text = self.services.renderer.render("desk/history_escalation", params)
        act.add_event(EventKind.NOTE, text, visible_to_user=True)
        to_requester(self.services, session, ticket, "desk/user_escalated", params)
        self._relocate(act, ticket, old_chat, chat, "desk/escalated", params)
        act.record("escalate", to_chat=chat, sei=ticket.offer_id == SEI)

    def _movable(self, act: Act, ticket: Ticket, action: str, to: str) -> bool:
        """Only a ticket the desk still works on moves; otherwise the agent is told (audited)."""
        if ticket.status in OPEN_STATUSES:
            return True
        refused = {"code": ticket.code, "status": ticket.status, "to": to}
        in_place(self.services, act, "desk/invalid_transition", refused)
        act.record(action, REFUSED, reason="status", status=ticket.status)
        return False

    def _relocate(
        self,
        act: Act,
        ticket: Ticket,
        old_chat: int | None,
        new_chat: int | None,
        template: str,
        params: dict[str, object],
    ) -> None:
        """Tell the old thread; move the ticket to a new topic and card when the chat changes."""
        session = act.session
        old_thread, old_card = ticket.topic_thread_id, ticket.card_message_id
        if old_chat is not None:
            # In the old topic, or (a group without topics) under the old card.
            reply_to = old_card if old_thread is None else None
            place = Place(old_chat, old_thread, reply_to, ticket.id)
            moved = {**params, "moved": new_chat != old_chat, "agent": act.agent.display_name}
            reply_at(self.services, session, place, template, moved)
        if new_chat is None or new_chat == old_chat:
            if old_thread is not None and old_chat is not None:
                rename = {
                    "message_thread_id": old_thread,
                    "name": topic_name(self.services, ticket),
                }
                queue(
                    session,
                    Outbound(old_chat, "editForumTopic", rename, IN_PLACE, ticket.id),
                    self.services,
                )
            refresh_card(self.services, session, ticket)
            return
        for call in open_desk(self.services, session, ticket, new_chat):
            queue(session, call, self.services)
