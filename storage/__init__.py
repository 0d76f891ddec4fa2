"""Storage layer: SQLModel tables, data-access functions, engine and migrations."""

from storage.attachments import AttachmentRef, add_attachment, attachments_of
from storage.conversations import delete_conversation, load_conversation, save_conversation
from storage.engine import default_sqlite_url, make_engine
from storage.errors import (
    CodeSpaceExhausted,
    InvalidTransition,
    SchemaOutdated,
    SchemaUnknown,
    StaleConversation,
    StorageError,
    TicketNotRateable,
)
from storage.history import SYSTEM, USER, EventKind, add_event, agent_actor, history
from storage.lifecycle import OPEN_STATUSES, TRANSITIONS, Status, check_transition
from storage.privacy import erase_user_data, export_user_data
from storage.queue import queue_position, queue_positions
from storage.ratings import rate_ticket, rating_of
from storage.schema import ensure_schema, schema_status, upgrade
from storage.tables import Attachment, Conversation, Rating, Ticket, TicketEvent, User
from storage.ticket_codes import new_code, normalize_code
from storage.tickets import (
    cancel_ticket,
    change_status,
    due_time,
    open_ticket,
    ticket_by_code,
    tickets_of_user,
)
from storage.users import get_or_create_user, mark_unreachable, user_by_telegram_id

__all__ = [
    "OPEN_STATUSES",
    "SYSTEM",
    "TRANSITIONS",
    "USER",
    "Attachment",
    "AttachmentRef",
    "CodeSpaceExhausted",
    "Conversation",
    "EventKind",
    "InvalidTransition",
    "Rating",
    "SchemaOutdated",
    "SchemaUnknown",
    "StaleConversation",
    "Status",
    "StorageError",
    "Ticket",
    "TicketEvent",
    "TicketNotRateable",
    "User",
    "add_attachment",
    "add_event",
    "agent_actor",
    "attachments_of",
    "cancel_ticket",
    "change_status",
    "check_transition",
    "default_sqlite_url",
    "delete_conversation",
    "due_time",
    "ensure_schema",
    "erase_user_data",
    "export_user_data",
    "get_or_create_user",
    "history",
    "load_conversation",
    "make_engine",
    "mark_unreachable",
    "new_code",
    "normalize_code",
    "open_ticket",
    "queue_position",
    "queue_positions",
    "rate_ticket",
    "rating_of",
    "save_conversation",
    "schema_status",
    "ticket_by_code",
    "tickets_of_user",
    "upgrade",
    "user_by_telegram_id",
]
