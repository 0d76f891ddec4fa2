"""Ticket commands and card buttons: take, resolve, close, reopen, priority, article, notes."""

from __future__ import annotations

from bot.agents.cards import refresh_card
from bot.agents.context import Act, DeskServices
from bot.agents.posting import in_place, to_requester, to_thread
from bot.agents.relay import Relay
from bot.agents.updates import GroupMessage, Person
from storage import (
    OPEN_STATUSES,
    EventKind,
    InvalidTransition,
    Status,
    change_status,
    queue_position,
)
from storage.audit import REFUSED

PRIORITIES = range(1, 6)


class TicketCommands:
    """What agents do to the ticket of the thread they are in."""

    def __init__(self, services: DeskServices, relay: Relay) -> None:
        self.services = services
        self.relay = relay

    def move(self, act: Act, to: Status, action: str, text: str | None = None) -> bool:
        """Change the ticket's status, tell the requester (outbox) and update card and queue."""
        ticket = act.ticket
        assert ticket is not None
        old = ticket.status
        position = queue_position(act.session, ticket=ticket)
        try:
            change_status(
                act.session, ticket=ticket, to=to, actor=act.actor, now=act.now, text=text
            )
        except InvalidTransition:
            params = {"code": ticket.code, "status": old, "to": to.value}
            in_place(self.services, act, "desk/invalid_transition", params)
            act.record(action, REFUSED, reason="invalid_transition", status=old)
            return False
        self.services.pushes.status_changed(act.session, ticket)
        if position is not None:
            self.services.pushes.queue_changed(act.session, ticket.offer_id, position)
        refresh_card(self.services, act.session, ticket)
        act.record(action, from_status=old, to_status=to.value)
        return True

    def take(self, act: Act) -> None:
        """/assumir: the agent takes the ticket (from the queue, or from another agent)."""
        ticket = act.ticket
        assert ticket is not None
        if ticket.status not in OPEN_STATUSES:
            self.move(act, Status.EM_ATENDIMENTO, "take")
            return
        previous = ticket.assigned_agent_id
        ticket.assigned_agent_id = act.agent.id
        act.session.add(ticket)
        if ticket.status == Status.NOVO:
            if not self.move(act, Status.EM_ATENDIMENTO, "take"):
                return
        else:
            refresh_card(self.services, act.session, ticket)
            act.record("take", previous_agent=previous)
        to_thread(
            self.services, act.session, ticket, "desk/taken", {"agent": act.agent.display_name}
        )

    def take_for_reply(self, act: Act) -> None:
        """An agent answering a ticket nobody took takes it first."""
        ticket = act.ticket
        assert ticket is not None
        if ticket.assigned_agent_id is None and ticket.status == Status.NOVO:
            self.take(act)
        elif ticket.assigned_agent_id is None:
            ticket.assigned_agent_id = act.agent.id
            act.session.add(ticket)
            refresh_card(self.services, act.session, ticket)

    def resolve(self, act: Act, text: str) -> None:
        """/resolver [texto]: the answer (if any) to the user, then resolved (asks for a rating)."""
        ticket = act.ticket
        assert ticket is not None
        if text.strip() and ticket.status in OPEN_STATUSES:
            message = GroupMessage(
                chat_id=act.chat_id,
                chat_type="supergroup",
                message_id=act.message_id or 0,
                sender=_agent(act),
                edited=False,
                text=text.strip(),
            )
            self.relay.from_agent(act, message)
        if ticket.assigned_agent_id is None:
            ticket.assigned_agent_id = act.agent.id
        if self.move(act, Status.RESOLVIDO, "resolve"):
            to_thread(self.services, act.session, ticket, "desk/resolved", _by(act))

    def wait_for_user(self, act: Act, text: str) -> None:
        """/aguardar [pergunta]: the question (if any) to the user; the ticket waits for their
        answer, and its resolution clock stops until it comes."""
        ticket = act.ticket
        assert ticket is not None
        if text.strip() and ticket.status == Status.EM_ATENDIMENTO:
            message = GroupMessage(
                chat_id=act.chat_id,
                chat_type="supergroup",
                message_id=act.message_id or 0,
                sender=_agent(act),
                edited=False,
                text=text.strip(),
            )
            self.relay.from_agent(act, message)
        if self.move(act, Status.AGUARDANDO_USUARIO, "wait"):
            to_thread(self.services, act.session, ticket, "desk/waiting", _by(act))

    def close(self, act: Act) -> None:
        """/fechar: a resolved ticket is closed for good."""
        ticket = act.ticket
        assert ticket is not None
        if self.move(act, Status.FECHADO, "close"):
            to_thread(self.services, act.session, ticket, "desk/closed", _by(act))

    def reopen(self, act: Act) -> None:
        """/reabrir: a resolved ticket goes back to attendance."""
        ticket = act.ticket
        assert ticket is not None
        ticket.assigned_agent_id = ticket.assigned_agent_id or act.agent.id
        if self.move(act, Status.EM_ATENDIMENTO, "reopen"):
            to_thread(self.services, act.session, ticket, "desk/reopened", _by(act))

    def priority(self, act: Act, args: str) -> None:
        """/prioridade N (1 most urgent ... 5): reorders the offer's queue."""
        ticket = act.ticket
        assert ticket is not None
        value = args.strip()
        if not value.isdigit() or int(value) not in PRIORITIES:
            in_place(self.services, act, "desk/priority_invalid", {"typed": value[:20]})
            act.record("priority", REFUSED, reason="invalid", typed=value[:20])
            return
        old, ticket.priority = ticket.priority, int(value)
        act.session.add(ticket)
        act.session.flush()
        if ticket.status == Status.NOVO:
            self.services.pushes.queue_changed(act.session, ticket.offer_id, 1)
        refresh_card(self.services, act.session, ticket)
        params = {**_by(act), "priority": ticket.priority}
        in_place(self.services, act, "desk/priority_set", params)
        act.record("priority", old=old, new=ticket.priority)

    def article(self, act: Act, args: str) -> None:
        """/artigo ID: the knowledge base article, rendered, to the requester."""
        ticket = act.ticket
        assert ticket is not None
        article_id = args.strip()
        article = self.services.kb.articles.get(article_id)
        if article is None:
            ids = sorted(self.services.kb.articles)
            in_place(
                self.services, act, "desk/article_unknown", {"typed": article_id[:60], "ids": ids}
            )
            act.record("article", REFUSED, reason="unknown", article=article_id[:60])
            return
        params = {"code": ticket.code, "article_id": article.id}
        if not to_requester(self.services, act.session, ticket, "desk/article_for_user", params):
            in_place(self.services, act, "desk/requester_gone", {"code": ticket.code})
            return
        text = self.services.renderer.render("desk/history_article", {"title": article.title})
        act.add_event(EventKind.MESSAGE, text)
        in_place(self.services, act, "desk/article_sent", {"title": article.title})
        act.record("article", article=article.id)

    def note(self, act: Act, text: str) -> None:
        """`!texto` or /nota texto: an internal note in the history, never sent to the user."""
        if not text.strip():
            return
        act.add_event(EventKind.NOTE, text)
        act.record("note")


def _by(act: Act) -> dict[str, object]:
    return {"agent": act.agent.display_name}


def _agent(act: Act) -> Person:
    return Person(act.agent.telegram_user_id, act.agent.display_name)
