"""The buttons of a ticket's card: which command each runs and the statuses it is valid in."""

from __future__ import annotations

from dataclasses import dataclass

from storage import OPEN_STATUSES, Status


@dataclass(frozen=True)
class CardButton:
    """A card button: callback key, the command it runs, its label macro, when it applies."""

    key: str
    command: str
    label: str
    valid_in: frozenset[Status]


RESOLVED = frozenset({Status.RESOLVIDO})
CARD_BUTTONS = (
    CardButton("take", "assumir", "desk_take", OPEN_STATUSES),
    CardButton("res", "resolver", "desk_resolve", OPEN_STATUSES),
    CardButton("tr", "transferir", "desk_transfer", OPEN_STATUSES),
    CardButton("esc", "escalar", "desk_escalate", OPEN_STATUSES),
    CardButton("reo", "reabrir", "desk_reopen", RESOLVED),
    CardButton("fec", "fechar", "desk_close", RESOLVED),
)
BY_KEY = {spec.key: spec for spec in CARD_BUTTONS}
