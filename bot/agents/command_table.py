"""Desk commands by name, typed in the agents' group or pressed on a ticket's card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bot.agents.access import authorize
from bot.agents.commands import TicketCommands
from bot.agents.context import Act, DeskServices
from bot.agents.lookups import Lookups
from bot.agents.moves import Moves
from bot.agents.posting import Place, in_place, reply_at
from bot.agents.updates import GroupButton, GroupMessage
from bot.outbound import Outbound
from storage import Ticket, normalize_code, ticket_by_code

TICKET_COMMANDS = frozenset(
    {
        "assumir",
        "resolver",
        "aguardar",
        "fechar",
        "reabrir",
        "transferir",
        "escalar",
        "prioridade",
        "artigo",
    }
)
DESK_COMMANDS = frozenset({"fila", "buscar", "chamado", "auditoria", "desbloquear", "ajuda"})
BUTTONS = {"take": "assumir", "res": "resolver", "tr": "transferir", "esc": "escalar"}


class CommandTable:
    """Finds the ticket a command is about, checks who typed it, and runs it."""

    def __init__(
        self, services: DeskServices, commands: TicketCommands, moves: Moves, lookups: Lookups
    ) -> None:
        self.services = services
        self.moves = moves
        self.simple: dict[str, Callable[[Act], None]] = {
            "assumir": commands.take,
            "fechar": commands.close,
            "reabrir": commands.reopen,
            "escalar": moves.escalate,
            "fila": lookups.queues,
            "ajuda": lambda a: in_place(services, a, "desk/help", {}),
        }
        self.with_args: dict[str, Callable[[Act, str], None]] = {
            "resolver": commands.resolve,
            "aguardar": commands.wait_for_user,
            "prioridade": commands.priority,
            "artigo": commands.article,
            "transferir": lambda a, s: moves.transfer(a, s) if s.strip() else moves.ask_offer(a),
            "buscar": lookups.search,
            "chamado": lookups.show,
            "auditoria": lookups.audit_log,
            "desbloquear": lookups.unlock,
        }

    def command(
        self,
        session: Session,
        message: GroupMessage,
        place: Place,
        ticket: Ticket | None,
        name: str,
        args: str,
    ) -> None:
        """A /command typed in the group; `ticket` is that of the thread it was typed in."""
        if name not in TICKET_COMMANDS | DESK_COMMANDS:
            if "@" not in (message.text or "").split(" ", 1)[0]:
                reply_at(self.services, session, place, "desk/unknown_command", {"command": name})
            return
        if name in TICKET_COMMANDS and ticket is None:
            # Outside a ticket's thread the code comes first: /assumir EPR-7K3Q9
            code, _, rest = args.partition(" ")
            ticket = ticket_by_code(session, code=code) if normalize_code(code) else None
            args = rest
        act = authorize(self.services, session, message.sender, place, ticket, name)
        if act is None:
            return
        if name in TICKET_COMMANDS and ticket is None:
            in_place(self.services, act, "desk/no_ticket", {"command": name})
            return
        self.run(act, name, args)

    def button(self, session: Session, button: GroupButton) -> list[Outbound]:
        """A card's button: the press is answered, and its command runs on the card's ticket."""
        parts = button.data.split(":")
        answer: dict[str, Any] = {"callback_query_id": button.query_id}
        reply = [Outbound(button.sender.id, "answerCallbackQuery", answer, "callback")]
        if (
            len(parts) < 3
            or parts[0] != "d"
            or not self.services.settings.is_agents_chat(button.chat_id)
        ):
            return reply
        ticket = ticket_by_code(session, code=parts[2])
        place = Place(button.chat_id, button.thread_id, None, ticket.id if ticket else None)
        name = "transferir" if parts[1] == "to" else BUTTONS.get(parts[1], "")
        act = authorize(
            self.services, session, button.sender, place, ticket, name or "button", alert=answer
        )
        if act is None or ticket is None or not name:
            return reply
        if parts[1] == "to" and len(parts) == 4:
            self.moves.transfer(act, parts[3])
        elif name == "transferir":
            self.moves.ask_offer(act)
        else:
            self.run(act, name, "")
        return reply

    def run(self, act: Act, name: str, args: str) -> None:
        """Run a known command for an authorized agent."""
        if name in self.simple:
            self.simple[name](act)
        else:
            self.with_args[name](act, args)
