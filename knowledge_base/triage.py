"""The triage engine: rank articles and offers for a message; `decide` turns that into a decision.

Intent adjusts scores before the decision (thresholds are in decide.py):
- a message that reports a problem or asks for a person weighs articles by PROBLEM_ARTICLE_FACTOR;
- a how-to question weighs offers by QUESTION_OFFER_FACTOR;
- words that only say something is wrong, or name a system, count GENERIC_WEIGHT in matching;
- candidates of a system the message names get SYSTEM_BONUS, those of other systems lose
  SYSTEM_MALUS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from .decide import TOP, decide
from .decision import Candidate, Decision
from .index import Index, text_terms
from .models import Article, KnowledgeBase, Offer
from .normalize import stem, words
from .signals import SignalReader, Signals
from .spelling import Speller

PROBLEM_ARTICLE_FACTOR = 0.75
QUESTION_OFFER_FACTOR = 0.8
SYSTEM_BONUS = 0.12
SYSTEM_MALUS = 0.1
# Words that say "something is wrong" or name a system tell little about which article fits.
GENERIC_WEIGHT = 0.3
# The best articles are re-ordered by phrase similarity (rapidfuzz token_set_ratio) to their
# title, synonyms and questions: an article loses up to PHRASE_WEIGHT when no phrase resembles
# the message.
RERANK_TOP = 6
PHRASE_WEIGHT = 0.15


@dataclass(frozen=True)
class Ranking:
    """Signals and ranked candidates of one message, before the decision."""

    signals: Signals
    articles: tuple[Candidate, ...]
    offers: tuple[Candidate, ...]
    evidence: float = 0.0


class Triage:
    """Pure, deterministic triage over one knowledge base; build once, call `decide` often."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.index = Index(kb)
        self.signals = SignalReader(kb)
        vocabulary = {w for a in kb.articles.values() for w in words(_article_text(a), {})}
        vocabulary |= {w for o in kb.offers.values() for w in words(_offer_text(o), {})}
        self.speller = Speller(vocabulary)
        self.generic = _generic_stems(kb)
        stop = kb.language.stopwords
        self.phrases = {
            a.id: [
                " ".join(w for w in words(p, kb.language.abbreviations) if w not in stop)
                for p in (a.title, *a.synonyms, *a.questions)
            ]
            for a in kb.articles.values()
        }

    def query_terms(self, text: str) -> dict[str, float]:
        """Index terms of a message with their topic weight; misspelt words are corrected."""
        return self._query_terms(words(text, self.kb.language.abbreviations))

    def _query_terms(self, folded: list[str]) -> dict[str, float]:
        lang = self.kb.language
        fixed = []
        for word in folded:
            if word in lang.stopwords:
                continue
            if stem(word) not in self.index.idf:
                word = self.speller.correct(word) or word
            fixed.append(word)
        weighted: dict[str, float] = {}
        for term in text_terms(" ".join(fixed), lang):
            generic = any(part in self.generic for part in term.split("|"))
            weighted.setdefault(term, GENERIC_WEIGHT if generic else 1.0)
        return weighted

    def rank(self, text: str) -> Ranking:
        """Signals plus the best articles and offers ranked by adjusted score."""
        # The message's words, folded once for the signals, the terms and the re-ranking.
        folded = words(text, self.kb.language.abbreviations)
        signals = self.signals.read_words(text, folded)
        terms = self._query_terms(folded)
        raw, total = self.index.scores(terms)
        idf = self.index.idf
        evidence = sum(idf[t] * w for t, w in terms.items() if "|" not in t and t in idf)
        scores = raw / total if total else raw
        if signals.systems:
            named = np.isin(self.index.systems, signals.systems)
            matched = raw > 0
            scores = scores + np.where(matched & named, SYSTEM_BONUS, 0.0)
            scores = scores - np.where(matched & ~named, SYSTEM_MALUS, 0.0)
        wants_person = signals.request or (signals.problem and not signals.question)
        article_factor = PROBLEM_ARTICLE_FACTOR if wants_person else 1.0
        offer_factor = QUESTION_OFFER_FACTOR if signals.question and not wants_person else 1.0
        articles = [
            Candidate("article", self.index.docs[n].id, round(float(scores[n]) * article_factor, 4))
            for n in self._top(raw, scores, self.index.articles, RERANK_TOP + TOP)
        ]
        offers = [
            Candidate(
                "offer",
                self.index.docs[n].id,
                round(float(scores[n]) * offer_factor, 4),
                self._category(raw, scores, self.index.docs[n].id),
            )
            for n in self._top(raw, scores, self.index.offers, TOP)
        ]
        ranked_articles = self._rerank(folded, sorted(articles, key=_ranking_key))
        return Ranking(signals, ranked_articles, tuple(sorted(offers, key=_ranking_key)), evidence)

    @staticmethod
    def _top(
        raw: NDArray[np.float64], scores: NDArray[np.float64], among: NDArray[np.intp], k: int
    ) -> list[int]:
        """The `k` best docs of `among` that matched at all (ties: index order, deterministic)."""
        matched = among[raw[among] > 0]
        if len(matched) > k:
            # argpartition finds the k best in linear time; only those get sorted.
            best = np.argpartition(-scores[matched], k - 1)[:k]
            matched = matched[best]
        return [int(n) for n in matched]

    def _category(
        self, raw: NDArray[np.float64], scores: NDArray[np.float64], offer_id: str
    ) -> str | None:
        docs = self.index.categories_of.get(offer_id)
        if docs is None or not len(docs) or raw[docs].max() <= 0:
            return None
        return self.index.docs[int(docs[int(np.argmax(scores[docs]))])].id

    def _rerank(self, folded: list[str], ranked: list[Candidate]) -> tuple[Candidate, ...]:
        """Re-order the leading articles by how much the message resembles one of their phrases."""
        stop = self.kb.language.stopwords
        query = " ".join(w for w in folded if w not in stop)
        leading = ranked[:RERANK_TOP]
        # Every phrase of the leading articles scored in one call (rapidfuzz, in C, in doubles
        # as token_set_ratio returns them); an article's similarity is its best phrase's.
        phrases = [p for c in leading for p in self.phrases[c.id]]
        scores = process.cdist([query], phrases, scorer=fuzz.token_set_ratio, dtype=np.float64)
        row: list[float] = scores[0].tolist()
        head = []
        start = 0
        for c in leading:
            end = start + len(self.phrases[c.id])
            similarity = max(row[start:end], default=0) / 100
            start = end
            head.append(replace(c, score=round(c.score + PHRASE_WEIGHT * (similarity - 1), 4)))
        return tuple(sorted(head, key=_ranking_key)) + tuple(ranked[RERANK_TOP:])

    def decide(self, text: str) -> Decision:
        """The catalog decision for one message (see the module docstring for thresholds)."""
        return decide(self.kb, self.rank(text))


def _generic_stems(kb: KnowledgeBase) -> frozenset[str]:
    lang = kb.language
    phrases = [*lang.problem, *lang.generic, *lang.question, *lang.request]
    phrases += [system.name for system in kb.systems.values()]
    return frozenset(stem(w) for p in phrases for w in words(p, lang.abbreviations))


def _ranking_key(candidate: Candidate) -> tuple[float, str]:
    return (-candidate.score, candidate.id)


def _article_text(article: Article) -> str:
    return " ".join(
        [article.title, *article.synonyms, *article.questions, *article.tags, article.body]
    )


def _offer_text(offer: Offer) -> str:
    cats = [k for c in offer.categories for k in (c.label, c.description, *c.keywords)]
    return " ".join([offer.name, offer.purpose, *offer.keywords, *cats])
