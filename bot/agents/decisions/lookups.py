"""Read-only desk commands (queues, search, a ticket, the audit log), unlocking, and help."""

from __future__ import annotations

from datetime import datetime

from bot.agents.desk_actions import DeskAction, Record, Say, Unlock
from bot.agents.desk_view import DeskView
from storage.audit import REFUSED

QUEUE_SHOWN = 5
AUDIT_SHOWN = 15


def queues(view: DeskView, args: str) -> list[DeskAction]:
    """/fila: waiting tickets per offer, oldest age and the first few in order."""
    offers = [
        {
            "name": queue["name"],
            "count": len(queue["tickets"]),
            "oldest": _age(view, min(t["created_at"] for t in queue["tickets"])),
            "tickets": [
                {"code": t["code"], "priority": t["priority"], "age": _age(view, t["created_at"])}
                for t in queue["tickets"][:QUEUE_SHOWN]
            ],
        }
        for queue in view.reader.queues()
    ]
    return [Say("desk/queues", {"offers": offers}), Record("queues")]


def search(view: DeskView, args: str) -> list[DeskAction]:
    """/buscar TEXTO: tickets whose code or intake fields contain the text."""
    if len(args.strip()) < 2:
        return [Say("desk/search_usage")]
    found = list(view.reader.search(args))
    shown = {"typed": args.strip()[:60], "tickets": found}
    return [Say("desk/search", shown), Record("search", details={"matches": len(found)})]


def show(view: DeskView, args: str) -> list[DeskAction]:
    """/chamado [CODE]: a ticket's details (this thread's ticket without a code)."""
    code = args.strip() or (view.ticket.code if view.ticket else "")
    info = view.reader.ticket_info(code) if code else None
    if info is None:
        return [Say("desk/ticket_unknown", {"code": code[:40]})]
    return [Say("desk/ticket_info", {"ticket": info}), Record("show", details={"code": code})]


def audit_log(view: DeskView, args: str) -> list[DeskAction]:
    """/auditoria [CODE]: supervisors read the latest entries (of a ticket, or all)."""
    code = args.strip() or (view.ticket.code if view.ticket else None)
    entries = list(view.reader.audit(code, AUDIT_SHOWN))
    shown = {"code": code, "entries": entries}
    return [Say("desk/audit", shown), Record("audit", details={"shown": len(entries)})]


def unlock(view: DeskView, args: str) -> list[DeskAction]:
    """/desbloquear ID: a supervisor lifts an agent's lockout."""
    typed = args.strip()
    name = view.reader.agent_name(int(typed)) if typed.lstrip("-").isdigit() else None
    if name is None:
        details = {"reason": "unknown", "typed": typed[:40]}
        return [
            Say("desk/unlock_unknown", {"typed": typed[:40]}),
            Record("unlock", REFUSED, details),
        ]
    return [
        Unlock(int(typed)),
        Say("desk/unlocked", {"name": name}),
        Record("unlock", details={"agent": int(typed)}),
    ]


def _age(view: DeskView, since: datetime) -> dict[str, int]:
    minutes = max(0, int((view.now - since).total_seconds() // 60))
    return {"days": minutes // 1440, "hours": minutes % 1440 // 60, "minutes": minutes % 60}
