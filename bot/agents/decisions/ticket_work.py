"""Working a ticket: take, answer, resolve, close, reopen, priority, articles and notes."""

from __future__ import annotations

from bot.agents.desk_actions import (
    AddRenderedToHistory,
    AddToHistory,
    Assign,
    ChangeStatus,
    DeskAction,
    PostInThread,
    Record,
    RelayReply,
    RelayText,
    Say,
    SetPriority,
    TellRequester,
)
from bot.agents.desk_view import DeskView, TicketFacts
from storage import OPEN_STATUSES, EventKind, Status
from storage.audit import REFUSED
from storage.lifecycle import FINAL_STATUSES, allowed_transitions

PRIORITIES = range(1, 6)


def ticket_of(view: DeskView) -> TicketFacts:
    """The view's ticket (commands that need one only run with one)."""
    assert view.ticket is not None
    return view.ticket


def refused_move(view: DeskView, to: Status, action: str) -> list[DeskAction]:
    """The ticket's status does not allow the move: say so, audit the refusal."""
    ticket = ticket_of(view)
    params = {"code": ticket.code, "status": ticket.status, "to": to.value}
    details = {"reason": "invalid_transition", "status": ticket.status}
    return [Say("desk/invalid_transition", params), Record(action, REFUSED, details)]


def take(view: DeskView, args: str) -> list[DeskAction]:
    """/assumir: the agent takes the ticket (from the queue, or from another agent)."""
    ticket = ticket_of(view)
    if ticket.status not in OPEN_STATUSES:
        # A resolved ticket is reopened with /reabrir, never silently by taking it.
        return refused_move(view, Status.EM_ATENDIMENTO, "take")
    taken = PostInThread("desk/taken", view.by)
    if ticket.status == Status.NOVO:
        return [Assign(), ChangeStatus(Status.EM_ATENDIMENTO, "take"), taken]
    details = {"previous_agent": ticket.assigned_agent_id}
    return [Assign(), Record("take", details=details), taken]


def reply(view: DeskView) -> list[DeskAction]:
    """An agent's message in the thread: to the requester; answering an untaken ticket takes it."""
    ticket = ticket_of(view)
    if ticket.status in FINAL_STATUSES:
        details = {"reason": "final", "status": ticket.status}
        return [Say("desk/ticket_final", {"code": ticket.code}), Record("reply", REFUSED, details)]
    actions: list[DeskAction] = []
    if ticket.assigned_agent_id is None:
        actions = take(view, "") if ticket.status == Status.NOVO else [Assign()]
    return [*actions, RelayReply()]


def resolve(view: DeskView, args: str) -> list[DeskAction]:
    """/resolver [texto]: the answer (if any) to the user, then resolved (asks for a rating)."""
    ticket = ticket_of(view)
    if Status.RESOLVIDO not in allowed_transitions(ticket.status):
        return refused_move(view, Status.RESOLVIDO, "resolve")
    actions: list[DeskAction] = [RelayText(args.strip())] if args.strip() else []
    if ticket.assigned_agent_id is None:
        actions.append(Assign())
    done = PostInThread("desk/resolved", view.by)
    return [*actions, ChangeStatus(Status.RESOLVIDO, "resolve"), done]


def close(view: DeskView, args: str) -> list[DeskAction]:
    """/fechar: a resolved ticket is closed for good."""
    if Status.FECHADO not in allowed_transitions(ticket_of(view).status):
        return refused_move(view, Status.FECHADO, "close")
    return [ChangeStatus(Status.FECHADO, "close"), PostInThread("desk/closed", view.by)]


def wait_for_user(view: DeskView, args: str) -> list[DeskAction]:
    """/aguardar [pergunta]: the question (if any) goes to the user; the ticket waits for their
    answer, and its resolution clock stops until it comes."""
    ticket = ticket_of(view)
    if Status.AGUARDANDO_USUARIO not in allowed_transitions(ticket.status):
        return refused_move(view, Status.AGUARDANDO_USUARIO, "wait")
    question = args.strip()
    asked: list[DeskAction] = [RelayText(question)] if question else []
    waiting = PostInThread("desk/waiting", view.by)
    return [*asked, ChangeStatus(Status.AGUARDANDO_USUARIO, "wait"), waiting]


def reopen(view: DeskView, args: str) -> list[DeskAction]:
    """/reabrir: a resolved ticket goes back to attendance."""
    ticket = ticket_of(view)
    if ticket.status != Status.RESOLVIDO:
        return refused_move(view, Status.EM_ATENDIMENTO, "reopen")
    assign: list[DeskAction] = [] if ticket.assigned_agent_id else [Assign()]
    reopened = PostInThread("desk/reopened", view.by)
    return [*assign, ChangeStatus(Status.EM_ATENDIMENTO, "reopen"), reopened]


def priority(view: DeskView, args: str) -> list[DeskAction]:
    """/prioridade N (1 most urgent ... 5): reorders the offer's queue."""
    value = args.strip()
    if not value.isdigit() or int(value) not in PRIORITIES:
        details = {"reason": "invalid", "typed": value[:20]}
        return [
            Say("desk/priority_invalid", {"typed": value[:20]}),
            Record("priority", REFUSED, details),
        ]
    old, new = ticket_of(view).priority, int(value)
    return [
        SetPriority(new),
        Say("desk/priority_set", {**view.by, "priority": new}),
        Record("priority", details={"old": old, "new": new}),
    ]


def article(view: DeskView, args: str) -> list[DeskAction]:
    """/artigo ID: the knowledge base article, rendered, to the requester."""
    ticket = ticket_of(view)
    article_id = args.strip()
    found = view.kb.articles.get(article_id)
    if found is None:
        ids = sorted(view.kb.articles)
        details = {"reason": "unknown", "article": article_id[:60]}
        return [
            Say("desk/article_unknown", {"typed": article_id[:60], "ids": ids}),
            Record("article", REFUSED, details),
        ]
    if not ticket.requester_reachable:
        return [Say("desk/requester_gone", {"code": ticket.code})]
    title = {"title": found.title}
    return [
        TellRequester("desk/article_for_user", {"code": ticket.code, "article_id": found.id}),
        AddRenderedToHistory(EventKind.MESSAGE, "desk/history_article", title),
        Say("desk/article_sent", title),
        Record("article", details={"article": found.id}),
    ]


def note(view: DeskView, args: str) -> list[DeskAction]:
    """`!texto` or /nota texto: an internal note in the history, never sent to the user."""
    code = ticket_of(view).code
    if not args.strip():
        return [
            Say("desk/note_empty", {"code": code}),
            Record("note", REFUSED, {"reason": "empty"}),
        ]
    return [
        AddToHistory(EventKind.NOTE, args.strip()),
        Say("desk/note_saved", {"code": code}),
        Record("note"),
    ]
