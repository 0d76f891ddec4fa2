"""Typed, immutable view of the knowledge base: articles, offers, categories and intake fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .clocks_file import ClockRule

from .calendar import Calendar, Window

FieldKind = Literal["text", "email", "choice", "attachment", "category", "grau"]


@dataclass(frozen=True)
class Choice:
    """One option of a choice field (an agency, an office)."""

    id: str
    label: str


@dataclass(frozen=True)
class Category:
    """A ticket category of an offer, with its resolution target when the source gives one."""

    id: str
    label: str
    description: str = ""
    target_hours: float | None = None
    target_label: str = ""
    priority: int = 3
    keywords: tuple[str, ...] = ()
    # A category for questions about using a tool: a message reporting that something is
    # broken (and asking nothing) is never put in it.
    questions_only: bool = False


@dataclass(frozen=True)
class IntakeField:
    """One piece of information an offer requires before a ticket opens."""

    id: str
    kind: FieldKind
    label: str
    prompt: str
    required: bool = True
    choices: tuple[Choice, ...] = ()
    confirm: bool = False
    min_length: int = 0
    max_length: int = 4000
    help: str = ""


@dataclass(frozen=True)
class OfficeHours:
    """A Balcão Virtual office: its name, calendar, meeting link and agents' group.

    `weekdays`, `start` and `end` summarize the windows (days with any, earliest start,
    latest end) for texts that show one line of hours; `calendar` is the truth.
    """

    id: str
    name: str
    weekdays: tuple[int, ...]
    start: str
    end: str
    timezone: str = "America/Sao_Paulo"
    windows: tuple[Window, ...] = ()
    closures: frozenset[date] = frozenset()
    national_holidays: bool = True
    # A Teams meeting link; empty: the attendant gives one when calling.
    meeting_url: str = ""
    # The agents' group that serves the office (None: the desk's default group).
    agent_chat_id: int | None = None
    aliases: tuple[str, ...] = ()
    line: int = 0

    @property
    def calendar(self) -> Calendar:
        """When the office attends."""
        return Calendar(self.windows, self.timezone, self.closures, self.national_holidays)


@dataclass(frozen=True)
class Offer:
    """A support or service offer: where a ticket goes and what it needs."""

    id: str
    name: str
    system: str
    kind: Literal["suporte", "servico", "atendimento"]
    purpose: str
    code_prefix: str = "TKT"
    not_for: str = ""
    grau: Literal["1", "2"] | None = None
    target_hours: float | None = None
    target_label: str = ""
    categories: tuple[Category, ...] = ()
    fields: tuple[IntakeField, ...] = ()
    offices: tuple[OfficeHours, ...] = ()
    keywords: tuple[str, ...] = ()
    support_redirect: tuple[str, ...] = ()
    # Why a support problem does not belong here, said when it is redirected.
    support_redirect_notice: str = ""
    notice: str = ""
    # Where /escalar sends this offer's tickets, said to agents ("às Unidades ... (SEATI)"),
    # and what the user is told then; empty: the desk's generic level-2 wording.
    escalation_to: str = ""
    escalation_notice: str = ""
    line: int = 0

    def category(self, category_id: str) -> Category | None:
        """The category with this id, or None."""
        return next((c for c in self.categories if c.id == category_id), None)


@dataclass(frozen=True)
class System:
    """A system users talk about (eproc, SEI, ...), with the words that name it."""

    id: str
    name: str
    keywords: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Article:
    """A self-service answer written by knowledge editors."""

    id: str
    title: str
    system: str
    body: str
    path: Path
    offers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    updated: date | None = None
    # An answer that never leads to a ticket (the seeds' business-rule questions).
    no_ticket: bool = False
    # An answer to a reported problem ("o eproc recusa o código"): a report it matches clearly
    # gets the article first (its "não resolveu" still opens the ticket).
    for_problems: bool = False
    # Phrases that ask for the Balcão Virtual offices' hours ("que horas abre"): where the live
    # queue runs, a question with one gets each office's own hours (flows/office_choice.py).
    office_hours: tuple[str, ...] = ()
    body_line: int = 1
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Line of a front matter key in the file, for lint messages."""
        return self.key_lines.get(key, 1)


@dataclass(frozen=True)
class Language:
    """Portuguese language data the matcher uses; editable in `language.toml`."""

    abbreviations: Mapping[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    grau_1: tuple[str, ...] = ()
    grau_2: tuple[str, ...] = ()
    problem: tuple[str, ...] = ()
    question: tuple[str, ...] = ()
    request: tuple[str, ...] = ()
    support: tuple[str, ...] = ()
    # Other organizations' services: out of scope unless one of ours is named in full.
    elsewhere: tuple[str, ...] = ()
    own_names: tuple[str, ...] = ()
    # Words that tell no Balcão Virtual office from another (left out when matching a name).
    office_generic: frozenset[str] = frozenset()
    generic: tuple[str, ...] = ()
    # Words that say something is wrong but not what: they never choose an offer's category.
    vague: tuple[str, ...] = ()
    # Conversation, not a problem: greetings, thanks, goodbyes, and filler that may go with them.
    greeting: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    goodbye: tuple[str, ...] = ()
    filler: tuple[str, ...] = ()
    # A request for a person, a "don't know" answer, a change of course, a frustrated message.
    person: tuple[str, ...] = ()
    dont_know: tuple[str, ...] = ()
    switch: tuple[str, ...] = ()
    frustration: tuple[str, ...] = ()
    # Phrases after which the next words are denied ("nao e o eproc"): they do not count.
    negations: tuple[str, ...] = ()
    # Phrases that join two problems in one message ("e também"), as users write them.
    joins: tuple[str, ...] = ()
    # Joins too common to split on first ("e"): tried only when `joins` find no two problems.
    weak_joins: tuple[str, ...] = ()
    # System names that are also common words: word -> words that, right before it, make it a name.
    ambiguous: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the triage engine and the flows read from the knowledge base directory."""

    root: Path
    articles: Mapping[str, Article] = field(default_factory=dict)
    offers: Mapping[str, Offer] = field(default_factory=dict)
    systems: Mapping[str, System] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    language: Language = field(default_factory=Language)
    # Resolution clock rules by offer id (clocks.toml); an offer without one counts running time.
    clocks: Mapping[str, ClockRule] = field(default_factory=dict)
