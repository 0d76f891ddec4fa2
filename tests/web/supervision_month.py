"""A scripted month at the desk for the overview's figures, as a table of steps.

Forty days of tickets opened, taken, handed back, resolved, reopened, closed and cancelled at
chosen times of the supervisors' day (Brasília), on the bot's clock: some before the 30 days of
the charts; opened and resolved after 21:00, when the day in Brasília is not the day in UTC;
one reopened; one taken 7 days and some hours before the page is read (outside the 7 days of
the estimated wait, inside 8).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage import agent_actor, change_status, open_ticket, ticket_by_code, user_by_telegram_id
from tests.e2e.harness import Person, RunningBot

# The supervisors' calendar: Horário de Brasília (the README's "today").
ZONE = ZoneInfo("America/Sao_Paulo")
SUPPORT = "suporte-tecnico"
BALCAO = "balcao-virtual"
# The page is read on this day of the script, at this time.
LAST_DAY, READ_AT = 40, "15:00"

# (day, local time, ticket, what happens): "open <offer> [office]" or a status it moves to.
# "office" is the first Balcão Virtual office; "no office" a Balcão ticket without one.
STEPS: tuple[tuple[int, str, str, str], ...] = (
    (0, "10:00", "A", f"open {SUPPORT}"),
    (0, "10:40", "A", "em_atendimento"),
    (0, "11:00", "B", f"open {BALCAO} office"),
    (0, "13:00", "A", "resolvido"),
    (1, "09:00", "A", "fechado"),
    (15, "23:30", "C", f"open {SUPPORT}"),
    (16, "00:10", "C", "em_atendimento"),
    (16, "01:30", "C", "resolvido"),
    (20, "09:00", "D", f"open {SUPPORT}"),
    (20, "09:30", "D", "em_atendimento"),
    (20, "10:00", "D", "aguardando_usuario"),
    (20, "11:00", "D", "em_atendimento"),
    (20, "12:00", "D", "resolvido"),
    (21, "08:00", "D", "em_atendimento"),
    (21, "22:30", "D", "resolvido"),
    (32, "16:00", "K", f"open {SUPPORT}"),
    (33, "10:30", "K", "em_atendimento"),
    (33, "11:00", "K", "resolvido"),
    (34, "08:00", "E", f"open {BALCAO} office"),
    (34, "08:20", "E", "em_atendimento"),
    (34, "09:00", "E", "resolvido"),
    (34, "09:00", "F", f"open {BALCAO} office"),
    (34, "10:01", "F", "em_atendimento"),
    (35, "10:00", "F", "cancelado"),
    (35, "13:00", "L", f"open {BALCAO} no office"),
    (35, "13:46", "L", "em_atendimento"),
    (36, "14:00", "G", f"open {SUPPORT}"),
    (36, "16:30", "G", "em_atendimento"),
    (36, "17:00", "G", "novo"),
    (38, "10:00", "I", f"open {SUPPORT}"),
    (38, "10:05", "I", "em_atendimento"),
    (38, "10:35", "I", "resolvido"),
    (38, "11:00", "M", f"open {SUPPORT}"),
    (38, "11:30", "M", "em_atendimento"),
    (38, "12:00", "M", "aguardando_usuario"),
    (39, "08:00", "I", "fechado"),
    (39, "08:00", "H", f"open {SUPPORT}"),
    (39, "20:00", "O", f"open {SUPPORT}"),
    (39, "20:12", "O", "em_atendimento"),
    (39, "22:30", "O", "resolvido"),
    (40, "09:00", "J", f"open {SUPPORT}"),
    (40, "09:45", "J", "em_atendimento"),
    (40, "14:00", "J", "resolvido"),
    (40, "14:30", "N", f"open {BALCAO} office"),
)


def final_statuses() -> dict[str, str]:
    """Each ticket's status at the end of the script."""
    last: dict[str, str] = {}
    for _, _, name, what in STEPS:
        last[name] = "novo" if what.startswith("open ") else what
    return last


def advance_to(bot: RunningBot, first: date, day: int, at: str) -> None:
    """Move the bot's clock to `at` (Brasília) on day `day` of the script."""
    hour, minute = (int(part) for part in at.split(":"))
    target = datetime.combine(first + timedelta(days=day), time(hour, minute), ZONE)
    ahead = target - bot.clock()
    # Two steps at the same time: the second is a moment later in real time.
    assert ahead > -timedelta(seconds=30), (day, at)
    bot.advance(seconds=max(ahead.total_seconds(), 0.0))


def play_month(bot: RunningBot, person: Person, agent_telegram: int) -> dict[str, str]:
    """Play STEPS from tomorrow (Brasília) on, up to the reading time; ticket codes by name."""
    first = bot.clock().astimezone(ZONE).date() + timedelta(days=1)
    office = next(iter(bot.app.kb.offers[BALCAO].offices)).id
    codes: dict[str, str] = {}
    for day, at, name, what in STEPS:
        advance_to(bot, first, day, at)
        with bot.session() as session:
            if what.startswith("open "):
                _, offer_id, *where = what.split(" ", 2)
                offer = bot.app.kb.offers[offer_id]
                user = user_by_telegram_id(session, telegram_user_id=person.id)
                assert user is not None
                fields = {"descricao": f"chamado {name}"}
                if where == ["office"]:
                    fields["office"] = office
                codes[name] = open_ticket(
                    session,
                    offer_id=offer.id,
                    code_prefix=offer.code_prefix,
                    category="consulta-tecnica" if offer_id == SUPPORT else None,
                    priority=3,
                    requester_id=user.id,
                    fields=fields,
                    target_hours=None,
                    now=bot.clock(),
                ).code
                continue
            ticket = ticket_by_code(session, code=codes[name])
            assert ticket is not None
            actor = agent_actor(agent_telegram)
            change_status(session, ticket=ticket, to=what, actor=actor, now=bot.clock())
    advance_to(bot, first, LAST_DAY, READ_AT)
    return codes
