"""Who may act at the desk: an agent past the second factor gets an Act; anyone else is
refused politely, and the refusal is audited."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from bot.agents.desk_services import Act, DeskServices
from bot.agents.group_updates import Person
from bot.agents.posting import Place, reply_at
from storage import Ticket, agent_by_telegram_id, audit
from storage.audit import REFUSED

# Telegram shows at most 200 characters in a button press's answer.
ALERT_LIMIT = 200


def authorize(
    services: DeskServices,
    session: Session,
    sender: Person,
    place: Place,
    ticket: Ticket | None,
    action: str,
    alert: dict[str, Any] | None = None,
) -> Act | None:
    """The agent's Act, or None after a polite refusal: at `place`, or in a button's `alert`."""
    agent = agent_by_telegram_id(session, telegram_user_id=sender.id)
    verdict = "not_agent" if agent is None else services.factor.verdict(agent)
    if agent is not None and verdict == "ok":
        return Act(
            session,
            agent,
            place.chat_id,
            place.thread_id,
            place.message_id,
            ticket,
            services.clock(),
        )
    audit(
        session,
        action=action,
        now=services.clock(),
        actor_telegram_id=sender.id,
        actor_name=agent.display_name if agent else sender.name,
        ticket=ticket,
        outcome=REFUSED,
        details={"reason": verdict},
    )
    template, params = f"desk/refused_{verdict}", {"name": sender.name}
    if alert is not None:
        text = Markup(services.renderer.render(template, params)).striptags()
        alert.update(text=text[:ALERT_LIMIT], show_alert=True)
    else:
        reply_at(services, session, place, template, params)
    return None
