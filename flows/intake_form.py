"""An intake form in progress: the offer, the answers so far, and where the user is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from knowledge_base.models import IntakeField, KnowledgeBase, Offer

from .events import Attachment
from .state import (
    ConversationState,
    CorruptState,
    get_int,
    get_mapping,
    get_optional_str,
    get_str,
    get_strs,
)
from .triage_context import Context


@dataclass(frozen=True)
class Form:
    """Answers to an offer's intake fields; `step` indexes offer.fields."""

    offer: Offer
    context: Context
    step: int = 0
    values: Mapping[str, str] = field(default_factory=dict)
    files: tuple[tuple[str, Attachment], ...] = ()
    prefilled: frozenset[str] = frozenset()
    pending_email: str | None = None
    fixing: bool = False
    origin: Mapping[str, Any] | None = None

    @property
    def field(self) -> IntakeField:
        """The field being asked."""
        if not 0 <= self.step < len(self.offer.fields):
            raise CorruptState(f"no field {self.step} in offer {self.offer.id!r}")
        return self.offer.fields[self.step]

    def files_of(self, field_id: str) -> tuple[Attachment, ...]:
        """Attachments sent for one field."""
        return tuple(a for f, a in self.files if f == field_id)

    def answered(self, value: str) -> Form:
        """The form with the current field answered."""
        return replace(self, values={**self.values, self.field.id: value}, pending_email=None)

    def at(self, step: int, *, fixing: bool = False) -> Form:
        """The form asking field `step` afresh: its previous answer and files are dropped."""
        target = self.offer.fields[step].id
        values = {k: v for k, v in self.values.items() if k != target}
        files = tuple((f, a) for f, a in self.files if f != target)
        return replace(
            self, step=step, values=values, files=files, pending_email=None, fixing=fixing
        )

    def next_step(self, after: int) -> int | None:
        """The next field to ask after index `after`, skipping what triage already answered."""
        for index in range(after + 1, len(self.offer.fields)):
            f = self.offer.fields[index]
            if not (f.id in self.prefilled and f.id in self.values):
                return index
        return None

    @property
    def category_id(self) -> str | None:
        """The ticket's category: the category field's answer, else what triage found."""
        asked = next((f.id for f in self.offer.fields if f.kind == "category"), None)
        if asked is not None:
            return self.values.get(asked) or None
        wanted = self.context.category
        return wanted if wanted and self.offer.category(wanted) else None

    def first_missing(self) -> int | None:
        """The first required field still without an answer."""
        for index, f in enumerate(self.offer.fields):
            answered = self.files_of(f.id) if f.kind == "attachment" else self.values.get(f.id)
            if f.required and not answered:
                return index
        return None

    def to_state(self, name: str) -> ConversationState:
        """The form saved as state `name`."""
        files = [{"field": f, **asdict(a)} for f, a in self.files]
        return ConversationState(
            name,
            {
                **self.context.to_data(),
                "offer": self.offer.id,
                "step": self.step,
                "values": dict(self.values),
                "files": files,
                "prefilled": sorted(self.prefilled),
                "pending_email": self.pending_email,
                "fixing": self.fixing,
                "origin": None if self.origin is None else dict(self.origin),
            },
        )

    @classmethod
    def from_state(cls, state: ConversationState, kb: KnowledgeBase) -> Form:
        """The form saved in a state, checked against the current knowledge base."""
        data = state.data
        offer = kb.offers.get(get_str(data, "offer"))
        if offer is None:
            raise CorruptState(f"unknown offer {data.get('offer')!r}")
        ids = {f.id for f in offer.fields}
        step = get_int(data, "step")
        if not 0 <= step < max(len(offer.fields), 1):
            raise CorruptState(f"step {step} out of range")
        values = get_mapping(data, "values") or {}
        if not all(k in ids and isinstance(v, str) for k, v in values.items()):
            raise CorruptState(f"values {values!r}")
        fixing, files = data.get("fixing", False), data.get("files", [])
        if not isinstance(fixing, bool) or not isinstance(files, list):
            raise CorruptState(f"fixing {fixing!r}, files {files!r}")
        return cls(
            offer=offer,
            context=Context.from_data(data),
            step=step,
            values=dict(values),
            files=tuple(_file(raw, ids) for raw in files),
            prefilled=frozenset(get_strs(data, "prefilled")),
            pending_email=get_optional_str(data, "pending_email"),
            fixing=fixing,
            origin=get_mapping(data, "origin"),
        )


def _file(raw: object, ids: set[str]) -> tuple[str, Attachment]:
    if not isinstance(raw, Mapping) or raw.get("field") not in ids:
        raise CorruptState(f"attachment {raw!r}")
    kind, size = raw.get("kind"), raw.get("size")
    if kind not in ("document", "photo") or not isinstance(size, int):
        raise CorruptState(f"attachment {raw!r}")
    attachment = Attachment(
        get_str(raw, "file_id"),
        get_str(raw, "file_name"),
        size,
        get_str(raw, "mime_type"),
        "photo" if kind == "photo" else "document",
    )
    return get_str(raw, "field"), attachment
