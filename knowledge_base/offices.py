"""Which Balcão Virtual office a message names: fuzzy, by name or alias, ignoring the words
every office name shares ("cartório", "vara", "da") and those of asking ("quero falar com"),
both from language.toml."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

from .models import KnowledgeBase, OfficeHours
from .normalize import words

# A name scoring this (0-100) matches; others within CLOSE of the best match too.
THRESHOLD = 80
CLOSE = 5


def asking_words(kb: KnowledgeBase) -> frozenset[str]:
    """Words of asking and of naming the service, from the knowledge base: the words every office
    name shares (`office_generic`), stopwords, the request, person, question and generic phrases,
    and the keywords of every offer with offices and of its system ("quero ser atendido pelo
    balcão virtual" names no office)."""
    lang = kb.language
    offers = [o for o in kb.offers.values() if o.offices]
    systems = [kb.systems[o.system] for o in offers if o.system in kb.systems]
    phrases = (
        *lang.request,
        *lang.person,
        *lang.question,
        *lang.generic,
        *(k for o in offers for k in (o.name, *o.keywords)),
        *(k for s in systems for k in (s.name, *s.keywords)),
    )
    found = {w for p in phrases for w in words(p, lang.abbreviations)}
    return frozenset(found | lang.stopwords | lang.office_generic)


def office_words(text: str, ignored: frozenset[str] = frozenset()) -> str:
    """The words of a text that can tell an office apart, normalized ("2ª" becomes "2a")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("º", "o").replace("ª", "a"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(w for w in re.findall(r"[a-z0-9]+", bare) if w not in ignored)


def match_offices(
    offices: Sequence[OfficeHours], text: str, ignored: frozenset[str] = frozenset()
) -> list[OfficeHours]:
    """The offices the text names, best first; empty when it names none in particular."""
    typed = office_words(text, ignored)
    if not typed:
        return []
    scored = []
    for office in offices:
        names = [office_words(n, ignored) for n in (office.name, *office.aliases)]
        score = max((_score(typed, n) for n in names if n), default=0.0)
        if score >= THRESHOLD:
            scored.append((score, office))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    return [o for s, o in sorted(scored, key=lambda p: -p[0]) if s >= best - CLOSE]


def _score(typed: str, name: str) -> float:
    # Every word of the name in the message ("2a civel" in "cartorio da 2a vara civel") counts
    # fully; otherwise the closest spelling of the whole name does ("civil" for "civel").
    if set(name.split()) <= set(typed.split()):
        return 100.0
    return max(fuzz.token_set_ratio(typed, name), fuzz.partial_ratio(name, typed))
