"""Stand-ins for the desk's ports: a rule-based triage and an in-memory ticket reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flows.ports import HistoryEntry, TicketView
from knowledge_base.decision import Decision

NOW = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)  # a Monday, 12:00 in Brasília


@dataclass
class FakeTriage:
    """The first rule whose key occurs in the message decides; otherwise `none`."""

    rules: Sequence[tuple[str, Decision]] = ()
    calls: list[str] = field(default_factory=list)

    def decide(self, text: str) -> Decision:
        self.calls.append(text)
        lowered = text.lower()
        return next((d for key, d in self.rules if key.lower() in lowered), Decision("none"))

    def category(self, offer_id: str, text: str) -> str | None:
        """Categories are read by `decide`'s rules only."""
        return None


@dataclass
class FakeTickets:
    """The current user's tickets; any other code is someone else's and reads as None."""

    views: dict[str, TicketView] = field(default_factory=dict)

    def tickets_of_user(self) -> Sequence[TicketView]:
        return sorted(self.views.values(), key=lambda v: v.created_at, reverse=True)

    def ticket(self, code: str) -> TicketView | None:
        return self.views.get(code.strip().upper())

    def in_attendance(self) -> Sequence[TicketView]:
        return [v for v in self.tickets_of_user() if v.in_attendance]


def view(code: str, status: str = "novo", **changes: object) -> TicketView:
    """A realistic ticket view."""
    values: dict[str, object] = {
        "code": code,
        "offer_id": "sei",
        "category": None,
        "status": status,
        "created_at": NOW - timedelta(hours=3),
        "due_at": NOW + timedelta(days=4),
        "queue_position": 3 if status == "novo" else None,
        "history": (
            HistoryEntry(NOW - timedelta(hours=3), "Chamado aberto", "novo"),
            HistoryEntry(NOW - timedelta(hours=1), "Pode enviar o print <da tela> & o número?"),
        ),
    }
    values.update(changes)
    return TicketView(**values)  # type: ignore[arg-type]


RULES: tuple[tuple[str, Decision], ...] = (
    ("é no sei", Decision("offer", "sei", system="sei")),
    ("codigo invalido", Decision("article", "eproc-2fa-codigo-invalido", system="eproc")),
    ("codigo 2g", Decision("article", "eproc-2fa-codigo-invalido", system="eproc", grau="2")),
    ("perfis", Decision("article", "eproc-perfis", system="eproc")),
    ("o que é infoeproc", Decision("article", "infoeproc", system="infoeproc")),
    ("regra de negócio", Decision("article", "regras-de-negocio", system="suporte")),
    (
        "redistribuição",
        Decision("clarify", "grau", category="tramitacao", options=("eproc-1g", "eproc-2g")),
    ),
    ("segundo grau tramitação", Decision("offer", "eproc-2g", category="tramitacao", grau="2")),
    ("sugerir tema", Decision("offer", "infoeproc-sugestao", category="sugestao-tema")),
    ("infoeproc não abre", Decision("offer", "infoeproc-sugestao")),
    (
        "no infoeproc porque",
        Decision("offer", "infoeproc-sugestao", category="informacao-incorreta"),
    ),
    ("infoeproc tem", Decision("offer", "infoeproc-sugestao", category="informacao-incorreta")),
    ("fora do ar", Decision("offer", "suporte-tecnico", category="defeito-com-paralisacao")),
    ("processo sumiu", Decision("offer", "sei", system="sei")),
    ("falar com o cartório", Decision("offer", "balcao-virtual")),
    ("login\nportal", Decision("offer", "suporte-tecnico", "consulta-tecnica", system="suporte")),
    ("login\neproc", Decision("clarify", "grau", "acesso", system="eproc")),
    ("login\nsei", Decision("offer", "suporte-tecnico", "consulta-tecnica", system="suporte")),
    ("não consigo fazer login", Decision("clarify", "sistema")),
)
