"""Ticket statuses and the one table of transitions allowed between them."""

from __future__ import annotations

from enum import StrEnum

from storage.errors import InvalidTransition


class Status(StrEnum):
    """Where a ticket is in its life; the values are what the database stores."""

    NOVO = "novo"
    EM_ATENDIMENTO = "em_atendimento"
    AGUARDANDO_USUARIO = "aguardando_usuario"
    RESOLVIDO = "resolvido"
    FECHADO = "fechado"
    CANCELADO = "cancelado"


# Why each edge exists:
# - novo → em_atendimento: an agent takes the ticket from the queue.
# - novo → resolvido: an agent answers straight from the queue (duplicate, quick answer).
# - em_atendimento → novo: the agent hands the ticket back; it keeps its place (created_at).
# - em_atendimento ↔ aguardando_usuario: the agent asks the user something; the user answers.
# - em_atendimento / aguardando_usuario → resolvido: the agent resolves it.
# - resolvido → fechado: the user confirms (or rates) or the confirmation window passes.
# - resolvido → em_atendimento: reopen, the user says the problem is not solved.
# - novo / em_atendimento / aguardando_usuario → cancelado: the user (or erasure) withdraws it.
# fechado and cancelado are final: a recurring problem is a new ticket, so metrics stay honest.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NOVO: frozenset({Status.EM_ATENDIMENTO, Status.RESOLVIDO, Status.CANCELADO}),
    Status.EM_ATENDIMENTO: frozenset(
        {Status.NOVO, Status.AGUARDANDO_USUARIO, Status.RESOLVIDO, Status.CANCELADO}
    ),
    Status.AGUARDANDO_USUARIO: frozenset(
        {Status.EM_ATENDIMENTO, Status.RESOLVIDO, Status.CANCELADO}
    ),
    Status.RESOLVIDO: frozenset({Status.FECHADO, Status.EM_ATENDIMENTO}),
    Status.FECHADO: frozenset(),
    Status.CANCELADO: frozenset(),
}

# Statuses in which the desk still owes the user work.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.NOVO, Status.EM_ATENDIMENTO, Status.AGUARDANDO_USUARIO}
)
FINAL_STATUSES: frozenset[Status] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
RATEABLE_STATUSES: frozenset[Status] = frozenset({Status.RESOLVIDO, Status.FECHADO})


def allowed_transitions(old: str) -> frozenset[Status]:
    """Statuses a ticket in `old` may move to."""
    try:
        return TRANSITIONS[Status(old)]
    except ValueError:
        return frozenset()


def check_transition(old: str, new: str) -> Status:
    """Return `new` as a Status if the lifecycle allows old → new, else raise InvalidTransition."""
    allowed = allowed_transitions(old)
    if new not in allowed:
        raise InvalidTransition(old, new, frozenset(str(s) for s in allowed))
    return Status(new)
