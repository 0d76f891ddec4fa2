"""Every agent command in one table: what it runs, what it needs, who may, its card button.

Authorization, the agents' group command menu and desk/help.j2 all read this table. Adding a
command is one row here, a pure handler (bot/agents/decisions/) and its help line, a macro
named after it in bot/templates/desk/command_help.j2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.agents.decisions import counter_desk, lookups, offer_moves, ticket_work
from bot.agents.desk_actions import DeskAction, Say
from bot.agents.desk_view import DeskView
from storage import OPEN_STATUSES, Role, Status

Handler = Callable[[DeskView, str], list[DeskAction]]
ANY_STATUS = frozenset(Status)
RESOLVED = frozenset({Status.RESOLVIDO})


@dataclass(frozen=True)
class CardButton:
    """A ticket card's button: callback key, label macro (buttons.j2), statuses it shows in."""

    key: str
    label: str
    valid_in: frozenset[Status]


@dataclass(frozen=True)
class AgentCommand:
    """One agent command. `args` is the usage shown in help ("" when it takes none)."""

    name: str
    handler: Handler
    needs_ticket: bool
    args: str = ""
    role: Role = Role.AGENT
    button: CardButton | None = None
    # Statuses the command applies in; a typed command in another status is refused by its
    # handler with the reason, a card press (stale card) with "este chamado já está ...".
    valid_in: frozenset[Status] = ANY_STATUS
    # The audit action of the command ("" for its name).
    audit_as: str = ""

    @property
    def action(self) -> str:
        """The command's action in the audit log."""
        return self.audit_as or self.name


COMMANDS: tuple[AgentCommand, ...] = (
    AgentCommand(
        "assumir",
        ticket_work.take,
        True,
        button=CardButton("take", "desk_take", OPEN_STATUSES),
        valid_in=OPEN_STATUSES,
    ),
    AgentCommand(
        "resolver",
        ticket_work.resolve,
        True,
        "[texto]",
        button=CardButton("res", "desk_resolve", OPEN_STATUSES),
        valid_in=OPEN_STATUSES,
    ),
    AgentCommand(
        "transferir",
        offer_moves.transfer,
        True,
        "OFERTA",
        button=CardButton("tr", "desk_transfer", OPEN_STATUSES),
        valid_in=OPEN_STATUSES,
    ),
    AgentCommand(
        "escalar",
        offer_moves.escalate,
        True,
        button=CardButton("esc", "desk_escalate", OPEN_STATUSES),
        valid_in=OPEN_STATUSES,
    ),
    AgentCommand(
        "reabrir",
        ticket_work.reopen,
        True,
        button=CardButton("reo", "desk_reopen", RESOLVED),
        valid_in=RESOLVED,
    ),
    AgentCommand(
        "fechar",
        ticket_work.close,
        True,
        button=CardButton("fec", "desk_close", RESOLVED),
        valid_in=RESOLVED,
    ),
    AgentCommand(
        "aguardar",
        ticket_work.wait_for_user,
        True,
        "[pergunta]",
        valid_in=frozenset({Status.EM_ATENDIMENTO}),
    ),
    AgentCommand("prioridade", ticket_work.priority, True, "1-5"),
    AgentCommand("artigo", ticket_work.article, True, "ID"),
    AgentCommand("nota", ticket_work.note, True, "texto"),
    AgentCommand("fila", counter_desk.queues, False),
    # The Balcão Virtual's attendants (bot/live_queue): only in a group that serves offices.
    AgentCommand(
        "proximo", counter_desk.call_next, False, "[CARTÓRIO] [LINK]", audit_as="queue_proximo"
    ),
    AgentCommand("encerrar", counter_desk.end_attendance, False, audit_as="queue_encerrar"),
    AgentCommand("buscar", lookups.search, False, "TEXTO"),
    AgentCommand("chamado", lookups.show, False, "[CÓDIGO]"),
    AgentCommand("auditoria", lookups.audit_log, False, "[CÓDIGO]", Role.SUPERVISOR),
    AgentCommand("desbloquear", lookups.unlock, False, "ID", Role.SUPERVISOR),
    AgentCommand("ajuda", lambda view, args: help_text(view, args), False),
)
BY_NAME: Mapping[str, AgentCommand] = {c.name: c for c in COMMANDS}
BY_BUTTON: Mapping[str, AgentCommand] = {c.button.key: c for c in COMMANDS if c.button}
# The card's "which offer?" answer `d:to:CODE:OFFER` runs /transferir OFFER.
TRANSFER_TO = "to"


def card_buttons(status: str) -> list[tuple[str, str]]:
    """(label macro, key) of the card buttons valid in a ticket status, in table order."""
    return [
        (c.button.label, c.button.key)
        for c in COMMANDS
        if c.button is not None and status in c.button.valid_in
    ]


def help_text(view: DeskView, args: str) -> list[DeskAction]:
    """/ajuda: the commands this agent may use, read from the table."""
    role = Role.SUPERVISOR if view.agent.supervisor else Role.AGENT
    shown = [
        {"name": c.name, "args": c.args, "ticket": c.needs_ticket}
        for c in COMMANDS
        if may_run(c, role)
    ]
    return [Say("desk/help", {"commands": shown})]


def menu(role: str = Role.SUPERVISOR) -> list[tuple[str, str]]:
    """(name, args) of the commands for the agents' group menu (setMyCommands)."""
    return [(c.name, c.args) for c in COMMANDS if may_run(c, role)]


def may_run(command: AgentCommand, role: str) -> bool:
    """Whether an agent of `role` may run the command."""
    return command.role == Role.AGENT or role == Role.SUPERVISOR
