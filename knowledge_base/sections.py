"""An article's sections (`##` headings) and the one a short question is about, if any."""

from __future__ import annotations

import re
from functools import lru_cache

from .models import Article, Language
from .normalize import stem, words

_SECTION = re.compile(r"^##\s+(.*)$", re.MULTILINE)
# A section is chosen when the question shares at least this many topic words with it, and
# more than SECTION_LEAD times as many as with any other section.
MIN_SHARED = 2
SECTION_LEAD = 1.5
# Longer messages describe a situation: the whole article answers them better.
MAX_QUESTION_WORDS = 25


@lru_cache(maxsize=512)
def _stems(text: str) -> frozenset[str]:
    """The stems of an editor's text (no abbreviations there), kept: articles rarely change."""
    return frozenset(stem(w) for w in words(text, {}))


def sections(article: Article) -> list[tuple[str, str]]:
    """(heading, Markdown) of each `##` section, in order; the text before the first is not one."""
    found = list(_SECTION.finditer(article.body))
    return [
        (
            m.group(1).strip(),
            article.body[m.end() : found[n + 1].start() if n + 1 < len(found) else None],
        )
        for n, m in enumerate(found)
    ]


def best_section(article: Article, text: str, language: Language) -> int | None:
    """The index of the section a short question is about, when one clearly stands out."""
    asked = words(text, language.abbreviations)
    if len(asked) > MAX_QUESTION_WORDS:
        return None
    parts = sections(article)
    if any(heading[:1].isdigit() for heading, _ in parts):
        # Numbered headings are the steps of one procedure: they answer only together.
        return None
    topic = {stem(w) for w in asked if w not in language.stopwords}
    shared = [len(topic & _stems(f"{heading} {body}")) for heading, body in parts]
    if len(shared) < 2:
        return None
    best = max(range(len(shared)), key=shared.__getitem__)
    others = max((s for n, s in enumerate(shared) if n != best), default=0)
    if shared[best] >= MIN_SHARED and shared[best] > SECTION_LEAD * others:
        return best
    return None
