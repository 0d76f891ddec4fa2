"""Carrying out a transfer or an escalation: the store, the requester, the queue, the threads."""

from __future__ import annotations

from bot.agents.cards import open_desk, refresh_card, topic_name
from bot.agents.desk_services import IN_PLACE, Act, DeskServices
from bot.agents.posting import Place, queue, reply_at, to_requester
from bot.outbound import Outbound
from bot.pushes import Pushes
from storage import EventKind, Ticket, escalate_ticket, queue_position, transfer_ticket

# The knowledge base's text told to a user whose ticket the desk moved to another offer.
TRANSFER_TEXT = "oferta_transferida"


class Relocation:
    """Moves a ticket to another offer or to level 2, and its topic and card with it."""

    def __init__(self, services: DeskServices, pushes: Pushes) -> None:
        self.services = services
        self.pushes = pushes

    def transfer(self, act: Act, offer_id: str) -> None:
        """The ticket goes to the right offer; the user is told, once, in words for a transfer."""
        ticket = act.ticket
        assert ticket is not None
        kb, session = self.services.kb, act.session
        target = kb.offers[offer_id]
        old_offer_id, old_chat = ticket.offer_id, ticket.agent_chat_id
        old_name = kb.offers[old_offer_id].name if old_offer_id in kb.offers else old_offer_id
        old_position = queue_position(session, ticket=ticket)
        keep = bool(ticket.category) and target.category(ticket.category or "") is not None
        transfer_ticket(
            session,
            ticket=ticket,
            offer_id=target.id,
            keep_category=keep,
            actor=act.actor,
            now=act.now,
        )
        params: dict[str, object] = {
            "code": ticket.code,
            "from_offer": old_name,
            "to_offer": target.name,
        }
        text = self.services.renderer.render("desk/history_transfer", params)
        act.add_event(EventKind.NOTE, text, visible_to_user=True)
        # One warning, written for a transfer: the desk corrected the offer, not the user.
        explanation = kb.texts.get(TRANSFER_TEXT, "")
        told = {**params, "explanation": explanation}
        to_requester(self.services, session, ticket, "desk/user_transferred", told)
        if old_position is not None:
            self.pushes.queue_changed(session, old_offer_id, old_position)
        self.pushes.queue_changed(session, target.id, 1)
        new_chat = self.services.settings.chat_for_offer(target.id)
        self._relocate(act, ticket, old_chat, new_chat, "desk/transferred", params)

    def escalate(self, act: Act, chat_id: int) -> None:
        """To the level-2 chat; the user is told who continues (the offer's escalation text)."""
        ticket = act.ticket
        assert ticket is not None
        old_chat = ticket.agent_chat_id
        escalate_ticket(act.session, ticket=ticket, now=act.now)
        offer = self.services.kb.offers.get(ticket.offer_id)
        params: dict[str, object] = {
            "code": ticket.code,
            "to": offer.escalation_to if offer else "",
            "notice": offer.escalation_notice if offer else "",
            "agent": act.agent.display_name,
        }
        text = self.services.renderer.render("desk/history_escalation", params)
        act.add_event(EventKind.NOTE, text, visible_to_user=True)
        to_requester(self.services, act.session, ticket, "desk/user_escalated", params)
        self._relocate(act, ticket, old_chat, chat_id, "desk/escalated", params)

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
                call = Outbound(old_chat, "editForumTopic", rename, IN_PLACE, ticket.id)
                queue(session, call, self.services)
            refresh_card(self.services, session, ticket)
            return
        for call in open_desk(self.services, session, ticket, new_chat):
            queue(session, call, self.services)
