"""Carries out desk decisions in the turn's transaction, through storage functions only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from markupsafe import Markup

from bot.agents.cards import refresh_card
from bot.agents.decisions import relay as relay_decisions
from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    Alert,
    Assign,
    AtCounter,
    ChangeStatus,
    DeskAction,
    EditRequesterCopy,
    EditThreadCopy,
    Escalate,
    KeepFile,
    NoteFirstResponse,
    PostInThread,
    Record,
    RelayFileToThread,
    RelayReply,
    RelayText,
    RelayToRequester,
    RelayToThread,
    ReplyToUser,
    ResumeAttendance,
    Say,
    SetPriority,
    TellRequester,
    Transfer,
    Unlock,
)
from bot.agents.desk_services import Act, DeskServices
from bot.agents.desk_view import DeskView
from bot.agents.group_updates import GroupMessage
from bot.agents.posting import in_place, to_requester, to_thread
from bot.agents.relay_executor import RelayExecutor, Side
from bot.agents.relay_facts import AgentMessage, UserFacts
from bot.agents.relay_reader import agent_message, requester_of, typed_message
from bot.agents.relocation import Relocation
from bot.agents.store_reader import desk_view
from bot.pushes import Pushes, StatusNews
from storage import (
    InvalidTransition,
    Status,
    agent_by_telegram_id,
    assign_agent,
    change_status,
    queue_position,
    set_priority,
    unlock_agent,
)
from storage.audit import REFUSED

# Telegram shows at most 200 characters in a button press's answer.
ALERT_LIMIT = 200
# The relay's actions, applied by its own executor.
RELAYED = (
    RelayToRequester,
    EditRequesterCopy,
    NoteFirstResponse,
    ResumeAttendance,
    RelayToThread,
    KeepFile,
    RelayFileToThread,
    EditThreadCopy,
    ReplyToUser,
)

RelayDecision = Callable[[DeskView, UserFacts | None, AgentMessage], list[DeskAction]]


class CounterHook(Protocol):
    """The Balcão Virtual's counter (bot/live_queue): runs an attendant's command."""

    def attend(self, act: Act, command: str, args: str) -> None:
        """Decide and apply /proximo or /encerrar for an authorized attendant."""
        ...


class DeskExecutor:
    """Applies actions for one authorized agent; the outbox rows go in the same transaction."""

    def __init__(
        self,
        services: DeskServices,
        relay: RelayExecutor,
        relocation: Relocation,
        pushes: Pushes,
        news: StatusNews,
        *,
        counter: CounterHook | None = None,
    ) -> None:
        self.services = services
        self.relay = relay
        self.relocation = relocation
        self.pushes = pushes
        self.news = news
        # The Balcão Virtual's counter (bot/live_queue), when the desk has one.
        self.counter = counter

    def apply(
        self,
        act: Act,
        actions: Sequence[DeskAction],
        *,
        message: GroupMessage | None = None,
        alert: dict[str, Any] | None = None,
    ) -> None:
        """Apply the actions in order; a refused status change skips the ones after it."""
        for action in actions:
            if not self._apply(act, action, message, alert):
                return

    def _apply(
        self,
        act: Act,
        action: DeskAction,
        message: GroupMessage | None,
        alert: dict[str, Any] | None,
    ) -> bool:
        services = self.services
        if isinstance(action, Say):
            in_place(services, act, action.template, action.params, action.buttons)
        elif isinstance(action, Alert):
            text = Markup(services.renderer.render(action.template, action.params)).striptags()
            if alert is not None:
                alert.update(text=text[:ALERT_LIMIT], show_alert=True)
        elif isinstance(action, Record):
            act.record(action.action, action.outcome, **action.details)
        elif isinstance(action, PostInThread):
            assert act.ticket is not None
            to_thread(services, act.session, act.ticket, action.template, action.params)
        elif isinstance(action, TellRequester):
            assert act.ticket is not None
            to_requester(services, act.session, act.ticket, action.template, action.params)
        elif isinstance(action, AddToHistory):
            act.add_event(action.kind, action.text, visible_to_user=action.visible_to_user)
        elif isinstance(action, AddRenderedToHistory):
            text = services.renderer.render(action.template, action.params)
            act.add_event(action.kind, text, visible_to_user=action.visible_to_user)
        elif isinstance(action, Assign):
            assert act.ticket is not None
            assign_agent(
                act.session, ticket=act.ticket, agent_id=act.agent.id if action.to_agent else None
            )
            refresh_card(services, act.session, act.ticket)
        elif isinstance(action, ChangeStatus):
            return self._change_status(act, action)
        elif isinstance(action, SetPriority):
            self._set_priority(act, action.priority)
        elif isinstance(action, Transfer):
            self.relocation.transfer(act, action.offer_id)
        elif isinstance(action, Escalate):
            self.relocation.escalate(act, action.chat_id)
        elif isinstance(action, RelayReply):
            assert message is not None
            self._relay(act, relay_decisions.reply, agent_message(message))
        elif isinstance(action, RelayText):
            self._relay(act, relay_decisions.to_requester, typed_message(act, action.text))
        elif isinstance(action, RELAYED):
            # A user's reply (ReplyToUser) has no place in an agent's turn: none is decided here.
            self.relay.apply_one(Side(act.session, act.ticket, act.actor, act.now), action)
        elif isinstance(action, AtCounter):
            if self.counter is None:
                if action.command != "fila":  # /fila without queues: the tickets' part only
                    in_place(services, act, "queue/no_offices", {})
            else:
                self.counter.attend(act, action.command, action.args)
        else:
            self._unlock(act, action)
        return True

    def _relay(self, act: Act, decide: RelayDecision, message: AgentMessage) -> None:
        """Relay the agent's words to the requester, decided on the ticket as it is now."""
        requester = requester_of(act.session, act.ticket)
        self.apply(act, decide(desk_view(self.services, act), requester, message))

    def _change_status(self, act: Act, action: ChangeStatus) -> bool:
        """Move the ticket, tell the requester (outbox) and update card and queue."""
        ticket = act.ticket
        assert ticket is not None
        old = ticket.status
        position = queue_position(act.session, ticket=ticket)
        try:
            change_status(
                act.session,
                ticket=ticket,
                to=action.to,
                actor=act.actor,
                now=act.now,
                text=action.text,
            )
        except InvalidTransition:
            # Someone moved it since the decision read it: say where it is now.
            params = {"code": ticket.code, "status": ticket.status, "to": action.to}
            in_place(self.services, act, "desk/invalid_transition", params)
            act.record(action.action, REFUSED, reason="invalid_transition", status=ticket.status)
            return False
        self.news.status_changed(act.session, ticket)
        if position is not None:
            self.pushes.queue_changed(act.session, ticket.offer_id, position)
        refresh_card(self.services, act.session, ticket)
        act.record(action.action, from_status=old, to_status=str(action.to))
        return True

    def _set_priority(self, act: Act, priority: int) -> None:
        ticket = act.ticket
        assert ticket is not None
        set_priority(act.session, ticket=ticket, priority=priority)
        if ticket.status == Status.NOVO:
            self.pushes.queue_changed(act.session, ticket.offer_id, 1)
        refresh_card(self.services, act.session, ticket)

    def _unlock(self, act: Act, action: Unlock) -> None:
        target = agent_by_telegram_id(act.session, telegram_user_id=action.telegram_user_id)
        if target is not None:
            unlock_agent(act.session, agent=target)
