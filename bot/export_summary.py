"""The user's data export as people read it: who they are, their tickets, what else is kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from knowledge_base.models import KnowledgeBase


def export_summary(data: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Template params for `data_export` from storage.export_user_data's document."""
    user = data.get("user") or {}
    tickets = []
    for ticket in data.get("tickets", []):
        offer = kb.offers.get(ticket.get("offer_id", ""))
        category = offer.category(ticket["category"]) if offer and ticket.get("category") else None
        rating = ticket.get("rating") or {}
        tickets.append(
            {
                "code": ticket.get("code"),
                "offer": offer.name if offer else ticket.get("offer_id"),
                "category": category.label if category else ticket.get("category"),
                "status": ticket.get("status"),
                "created_at": _moment(ticket.get("created_at")),
                "fields": len(ticket.get("fields") or {}),
                "attachments": len(ticket.get("attachments") or []),
                "history": len(ticket.get("history") or []),
                "rating": rating.get("score"),
            }
        )
    return {
        "user": {"name": user.get("name"), "username": user.get("username")},
        "tickets": tickets,
        "tickets_count": len(tickets),
        "conversations": len(data.get("conversations") or []),
        "messages": len(data.get("messages") or []),
    }


def _moment(value: object) -> datetime | None:
    # The document holds ISO 8601 strings; the summary shows them in the user's time zone.
    return datetime.fromisoformat(value) if isinstance(value, str) else None
