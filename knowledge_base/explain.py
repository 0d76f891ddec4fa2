"""Why a message went where it went: the words that scored each candidate (read-only).

Uses the engine's own pieces (its query terms, with spelling corrected, and its index) and
changes nothing: a decision explained is the decision the bot makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .decision import Candidate, Decision
from .normalize import stem, words
from .triage import Ranking, Triage


@dataclass(frozen=True)
class Explanation:
    """A message's decision, the signals read off it, the ranked candidates and their words."""

    decision: Decision
    ranking: Ranking
    candidates: tuple[Candidate, ...]
    words: dict[str, tuple[tuple[str, float], ...]]
    unknown: tuple[str, ...]


def explain(triage: Triage, text: str, top: int = 5) -> Explanation:
    """Decide `text` and say which of its words scored each of the `top` candidates."""
    decision = triage.decide(text)
    ranking = triage.rank(text)
    ranked = sorted((*ranking.articles, *ranking.offers), key=lambda c: (-c.score, c.label))
    shown = tuple(ranked[:top])
    terms = triage.query_terms(text)
    spoken = _spoken(triage, text)
    contributions = {c.label: _contributions(triage, terms, c, spoken) for c in shown}
    unknown = tuple(spoken.get(t, t) for t in terms if t not in triage.index.idf and "|" not in t)
    return Explanation(decision, ranking, shown, contributions, unknown)


def _spoken(triage: Triage, text: str) -> dict[str, str]:
    """Index stem -> the word as the message wrote it (folded), for showing terms; a misspelt
    word shows as written and as the engine corrected it (codgo→codigo)."""
    spoken = {}
    for word in words(text, triage.kb.language.abbreviations):
        if stem(word) not in triage.index.idf:
            fixed = triage.speller.correct(word)
            if fixed and fixed != word:
                spoken[stem(fixed)] = f"{word}→{fixed}"
                continue
        spoken[stem(word)] = word
    return spoken


def _contributions(
    triage: Triage, terms: dict[str, float], candidate: Candidate, spoken: dict[str, str]
) -> tuple[tuple[str, float], ...]:
    index = triage.index
    doc = next(
        (n for n, d in enumerate(index.docs) if d.id == candidate.id and d.kind == candidate.kind),
        None,
    )
    if doc is None:
        return ()
    found = []
    for term, weight in terms.items():
        posting = index.postings.get(term)
        if posting is None:
            continue
        ids, values = posting
        at = np.flatnonzero(ids == doc)
        if at.size:
            share = index.idf[term] * weight * float(values[at[0]])
            shown = " ".join(spoken.get(part, part) for part in term.split("|"))
            found.append((shown, round(share, 3)))
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return tuple(found)
