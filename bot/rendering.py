"""Render flow replies to Telegram HTML with Jinja2 templates from bot/templates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from flows.actions import ButtonSpec, Reply
from knowledge_base.models import Article, KnowledgeBase
from knowledge_base.render import render_article, render_section
from knowledge_base.sections import sections

TEMPLATES = Path(__file__).parent / "templates"
BUTTONS = "buttons.j2"
# Templates call page_break() where the text may become a separate Telegram message.
PAGE_BREAK = "\f"
# Button labels kept per (macro, params); a full cache starts over (labels are cheap to redo).
LABEL_CACHE_SIZE = 4096
# Rendered texts kept by (template, parameters): most prompts repeat for every user.
TEXT_CACHE_SIZE = 2048


class Renderer:
    """Templates plus the knowledge base they may show (articles) and the users' time zone."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        timezone: str = "America/Sao_Paulo",
        templates: Path = TEMPLATES,
    ) -> None:
        self.kb = kb
        self.zone = ZoneInfo(timezone)
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        self.env.globals.update(
            article=self.article,
            article_section=self.article_section,
            page_break=lambda: Markup(PAGE_BREAK),
        )
        self.env.filters["local"] = self.local
        # Loaded templates by name: the environment's own lookup checks the file's mtime (a
        # stat) at every call. Templates are read once, when first used.
        self._templates: dict[str, Template] = {}
        self._buttons: Any = None
        self._labels: dict[tuple[str, tuple[tuple[str, type, object], ...]], str] = {}
        self._texts: dict[tuple[str, object], list[str]] = {}
        self._articles: dict[str, tuple[Article, list[Markup]]] = {}

    def use(self, kb: KnowledgeBase) -> None:
        """Show `kb` from now on (a live reload); texts rendered from the old one are dropped."""
        self.kb = kb
        # New dicts, not clear(): a sender thread may be reading the old ones right now.
        self._texts = {}
        self._articles = {}

    def render(self, template: str, params: Mapping[str, object]) -> str:
        """The whole text of a template (page breaks become blank lines)."""
        return "\n\n".join(self.render_messages(template, params))

    def render_messages(self, template: str, params: Mapping[str, object]) -> list[str]:
        """The template's text split into Telegram messages at its page breaks.

        Templates are pure functions of their parameters (and of the knowledge base, which a
        renderer never sees change), so a text already rendered is reused.
        """
        key = (template, _frozen(params))
        cached = self._texts.get(key) if key[1] is not _UNHASHABLE else None
        if cached is not None:
            return list(cached)
        messages = self._render(template, params)
        if key[1] is not _UNHASHABLE:
            if len(self._texts) >= TEXT_CACHE_SIZE:
                self._texts.clear()
            self._texts[key] = messages
        return list(messages)

    def _render(self, template: str, params: Mapping[str, object]) -> list[str]:
        loaded = self._templates.get(template)
        if loaded is None:
            loaded = self._templates[template] = self.env.get_template(f"{template}.j2")
        text = loaded.render(dict(params))
        parts = (part.strip() for part in text.split(PAGE_BREAK))
        return [part for part in parts if part]

    def button_label(self, spec: ButtonSpec) -> str:
        """A button's plain-text label (Telegram shows button text as is, never as HTML)."""
        try:
            key = (spec.label, tuple((k, type(v), v) for k, v in spec.params.items()))
            cached = self._labels.get(key)
        except TypeError:  # a parameter that cannot be a dict key: render every time
            key, cached = None, None
        if cached is not None:
            return cached
        if self._buttons is None:
            self._buttons = self.env.get_template(BUTTONS).module
        macro: Any = getattr(self._buttons, spec.label, None)
        if macro is None:
            raise KeyError(f"no button label '{spec.label}' in {BUTTONS}")
        html = Markup(macro(**spec.params))
        label = " ".join(html.unescape().split())
        if key is not None:
            if len(self._labels) >= LABEL_CACHE_SIZE:
                self._labels.clear()
            self._labels[key] = label
        return label

    def keyboard(self, reply: Reply) -> list[list[tuple[str, str]]]:
        """The reply's buttons as rows of (label, callback data)."""
        return [[(self.button_label(b), b.data) for b in row] for row in reply.buttons]

    def article(self, article_id: str) -> list[Markup]:
        """An article's Telegram HTML parts, title first (already escaped by the renderer)."""
        article = self.kb.articles[article_id]
        cached = self._articles.get(article_id)
        if cached is None or cached[0] is not article:
            cached = self._articles[article_id] = (
                article,
                [Markup(part) for part in render_article(article)],
            )
        return list(cached[1])

    def article_section(self, article_id: str, index: int) -> Markup:
        """One `##` section of an article as Telegram HTML, under the article's title."""
        article = self.kb.articles[article_id]
        heading, markdown = sections(article)[index]
        return Markup(render_section(article, heading, markdown))

    def local(self, moment: datetime) -> datetime:
        """A timestamp in the users' time zone (naive ones are taken as UTC, like storage's)."""
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)


_UNHASHABLE = object()


def _frozen(params: Mapping[str, object]) -> object:
    """A hashable stand-in for template parameters; _UNHASHABLE when a value cannot have one."""
    try:
        frozen = _freeze(params)
        hash(frozen)
    except TypeError:
        return _UNHASHABLE
    return frozen


def _freeze(value: object) -> object:
    # Types are tagged, so a list and a dict of the same items (or 1 and True) differ.
    if isinstance(value, Mapping):
        return ("map", tuple((k, _freeze(v)) for k, v in sorted(value.items(), key=_by_key)))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    hash(value)  # TypeError for anything else that cannot be a key
    return (type(value), value)


def _by_key(item: tuple[object, object]) -> str:
    return str(item[0])
