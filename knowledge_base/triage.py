"""The triage engine: rank articles and offers for a message; `decide` turns that into a decision.

Intent adjusts scores before the decision (thresholds are in decide.py):
- a message that reports a problem or asks for a person weighs articles by PROBLEM_ARTICLE_FACTOR;
- a how-to question weighs offers by QUESTION_OFFER_FACTOR;
- words that only say something is wrong, or name a system, count GENERIC_WEIGHT in matching;
- candidates of a system the message names get SYSTEM_BONUS, those of other systems lose
  SYSTEM_MALUS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import OSA

from .decide import SURE_ABOVE, TOP, decide
from .decision import Candidate, Decision, Ranking
from .index import Index, text_terms, word_terms
from .models import Article, KnowledgeBase, Offer
from .normalize import MAX_CHARS, stem, words
from .phrases import PhraseScorer
from .semantic import SemanticRecall, fuse
from .senses import Senses
from .signals import SignalReader
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
# The best category of an offer whose categories have different resolution targets is trusted
# only when it scores this many times the next one (elsewhere the user may still change it).
CATEGORY_MARGIN = 1.5
# Sets of named systems whose score shifts are kept (a message names one or two).
MAX_SHIFTS = 256
# Semantic recall is consulted when the two best articles are closer than this (or weak).
UNSURE_MARGIN = 0.1
# System names shorter than this are too close to common words to correct ("sei", "sem").
MIN_NAME_TYPO = 4
_PLAIN_WORD = re.compile(r"[a-z0-9]+")


class Triage:
    """Pure, deterministic triage over one knowledge base; build once, call `decide` often."""

    def __init__(
        self, kb: KnowledgeBase, cache_size: int = 0, semantic: SemanticRecall | None = None
    ) -> None:
        """Build the index, speller and phrases of `kb`.

        `cache_size` > 0 keeps the decisions of that many recent messages (each at most
        MAX_CHARS characters long), for messages that repeat; off by default, so that
        measurements of `decide` measure the engine.
        """
        self.kb = kb
        self.semantic = semantic
        self.index = Index(kb)
        self.signals = SignalReader(kb)
        vocabulary = {w for a in kb.articles.values() for w in words(_article_text(a), {})}
        vocabulary |= {w for o in kb.offers.values() for w in words(_offer_text(o), {})}
        self.speller = Speller(vocabulary)
        self.generic = _generic_stems(kb)
        # Words that never choose a category: the vague ("erro") and those of asking for help
        # ("abre um chamado": "abre" is no "não abre").
        self.vague = frozenset(
            stem(w)
            for p in (*kb.language.vague, *kb.language.request)
            for w in words(p, kb.language.abbreviations)
        )
        self.senses = Senses(kb.language)
        self.questions_only = frozenset(
            (o.id, c.id) for o in kb.offers.values() for c in o.categories if c.questions_only
        )
        self.timed = frozenset(
            o.id for o in kb.offers.values() if len({c.target_hours for c in o.categories}) > 1
        )
        abbreviations = kb.language.abbreviations
        self.system_words = _system_words(kb)
        self._name_typos: dict[str, str | None] = {}
        # See `_terms_of`: when normalizing corrected words again would change them.
        self._plain_expansions = _plain_expansions(abbreviations)
        self._abbreviated = frozenset(k for k, v in abbreviations.items() if v.split() != [k])
        stop = kb.language.stopwords
        self.phrases = {
            a.id: [
                " ".join(w for w in words(p, kb.language.abbreviations) if w not in stop)
                for p in (a.title, *a.synonyms, *a.questions)
            ]
            for a in kb.articles.values()
        }
        self.phrase_scorer = PhraseScorer(self.phrases)
        self._shifts: dict[frozenset[str], NDArray[np.float64]] = {}
        # Triage is pure and a Decision is immutable, so a decision can be handed out twice.
        self._cached = lru_cache(maxsize=cache_size)(self._decide) if cache_size > 0 else None

    def words(self, text: str) -> list[str]:
        """The folded words of a message, abbreviations expanded."""
        return words(text, self.kb.language.abbreviations)

    def query_terms(self, text: str) -> dict[str, float]:
        """Index terms of a message with their topic weight; misspelt words are corrected."""
        return self._query_terms(words(text, self.kb.language.abbreviations))

    def _query_terms(self, folded: list[str]) -> dict[str, float]:
        return self._terms_weighted(self._corrected(folded))

    def _corrected(self, folded: list[str]) -> list[str]:
        """The words with misspelt ones corrected ("eporc" -> "eproc"); stopwords as they are."""
        stop = self.kb.language.stopwords
        idf = self.index.idf
        fixed = []
        for word in folded:
            if word not in stop and stem(word) not in idf:
                word = self.speller.correct(word) or self._system_word(word) or word
            fixed.append(word)
        return fixed

    def _system_word(self, word: str) -> str | None:
        """A one-word system name typed with two letters swapped or one off ("eporc", "epoc").

        The speller's similarity is too strict for short names, and a system name is worth
        recognising: it decides where the ticket goes.
        """
        if len(word) < MIN_NAME_TYPO:
            return None
        if word in self._name_typos:
            return self._name_typos[word]
        close = [
            name
            for name in self.system_words
            if name[0] == word[0] and OSA.distance(word, name, score_cutoff=1) <= 1
        ]
        found = close[0] if len(close) == 1 else None
        if len(self._name_typos) < MAX_SHIFTS * 64:
            self._name_typos[word] = found
        return found

    def _terms_weighted(self, corrected: list[str]) -> dict[str, float]:
        stop = self.kb.language.stopwords
        fixed = [w for w in corrected if w not in stop]
        weighted: dict[str, float] = {}
        for term in self._terms_of(fixed):
            generic = not self.generic.isdisjoint(term.split("|"))
            weighted.setdefault(term, GENERIC_WEIGHT if generic else 1.0)
        return weighted

    def _terms_of(self, fixed: list[str]) -> list[str]:
        """`text_terms` of the corrected words, joined.

        Normalizing them again is skipped when it would give them back unchanged: when they are
        plain words (folded words, plain expansions, speller corrections from the folded
        articles), none is an abbreviation, and the line fits in MAX_CHARS.
        """
        text = " ".join(fixed)
        plain = self._plain_expansions and self._abbreviated.isdisjoint(fixed)
        if plain and len(text) <= MAX_CHARS:
            return word_terms(fixed, self.kb.language)
        return text_terms(text, self.kb.language)

    def rank(self, text: str) -> Ranking:
        """Signals plus the best articles and offers ranked by adjusted score."""
        # The message's words, folded once for the signals, the terms and the re-ranking; read
        # for their sense (an ambiguous name used as a common word, a denied word), corrected.
        folded = self._corrected(self.senses.resolve(text, self.words(text)))
        signals = self.signals.read_words(text, folded)
        terms = self._terms_weighted(folded)
        raw, total = self.index.scores(terms)
        idf = self.index.idf
        evidence = sum(idf[t] * w for t, w in terms.items() if "|" not in t and t in idf)
        scores = raw / total if total else raw
        matched = raw > 0
        # Categories are told apart on the scores before the system shift, which adds the same
        # to each category of an offer and would blur their ratio.
        unshifted = scores
        if signals.systems:
            # Matched docs of a named system gain SYSTEM_BONUS, other matched docs lose
            # SYSTEM_MALUS (adding -x is subtracting x, to the same double).
            scores = scores + np.where(matched, self._system_shift(signals.systems), 0.0)
        wants_person = signals.request or (signals.problem and not signals.question)
        article_factor = PROBLEM_ARTICLE_FACTOR if wants_person else 1.0
        offer_factor = QUESTION_OFFER_FACTOR if signals.question and not wants_person else 1.0
        ids = self.index.ids
        top = self._top(matched, scores, self.index.articles, RERANK_TOP + TOP)
        # (id, score) pairs: the re-ranking makes the Candidates, once.
        articles = [
            (ids[n], round(value * article_factor, 4))
            for n, value in zip(top, scores[top].tolist(), strict=True)
        ]
        articles.sort(key=_pair_key)
        top = self._top(matched, scores, self.index.offers, TOP)
        report = signals.problem and not signals.question
        categories = self._categories(
            matched, unshifted, [ids[n] for n in top], self._topical(terms), report=report
        )
        offers = [
            Candidate("offer", ids[n], round(value * offer_factor, 4), category)
            for n, value, category in zip(top, scores[top].tolist(), categories, strict=True)
        ]
        offers.sort(key=_ranking_key)
        ranked = self._rerank(folded, articles)
        if self.semantic is not None and hesitates(ranked):
            ranked = self._recalled(text, ranked)
        return Ranking(signals, ranked, tuple(offers), evidence)

    def category(self, offer_id: str, text: str) -> str | None:
        """The category of `offer_id` that a reply to its category question describes ("é só
        uma dúvida"), read from the reply alone by the rules `rank` uses; None when unclear."""
        folded = self._corrected(self.senses.resolve(text, self.words(text)))
        signals = self.signals.read_words(text, folded)
        terms = self._terms_weighted(folded)
        raw, total = self.index.scores(terms)
        scores = raw / total if total else raw
        report = signals.problem and not signals.question
        topical = self._topical(terms)
        [found] = self._categories(raw > 0, scores, [offer_id], topical, report=report)
        return found

    def _topical(self, terms: dict[str, float]) -> list[str]:
        """The terms that may choose a category: any word but the vague ("erro", "não"), and
        any phrase of two words ("não abre": a category's phrase is specific to it)."""
        return [t for t in terms if "|" in t or t not in self.vague]

    def _recalled(self, text: str, ranked: tuple[Candidate, ...]) -> tuple[Candidate, ...]:
        """The leading articles re-ordered by rank fusion with semantic recall; the scores stay
        in place, so the decision thresholds keep their meaning."""
        assert self.semantic is not None
        head = ranked[:RERANK_TOP]
        order = fuse([c.id for c in head], self.semantic.rank(text))
        moved = [Candidate("article", a, c.score) for a, c in zip(order, head, strict=True)]
        return (*moved, *ranked[RERANK_TOP:])

    def _system_shift(self, systems: tuple[str, ...]) -> NDArray[np.float64]:
        """+SYSTEM_BONUS for the docs of the named systems, -SYSTEM_MALUS for the others.

        Kept per set of systems (messages name few): a lookup instead of three array passes.
        """
        key = frozenset(systems)
        shift = self._shifts.get(key)
        if shift is None:
            shift = np.where(self.index.named(systems), SYSTEM_BONUS, -SYSTEM_MALUS)
            shift.flags.writeable = False
            if len(self._shifts) < MAX_SHIFTS:
                self._shifts[key] = shift
        return shift

    @staticmethod
    def _top(
        matched: NDArray[np.bool_], scores: NDArray[np.float64], among: NDArray[np.intp], k: int
    ) -> list[int]:
        """The `k` best docs of `among` that matched at all (ties: index order, deterministic)."""
        docs = among[matched[among]]
        if len(docs) > k:
            # argpartition finds the k best in linear time; only those get sorted.
            best = np.argpartition(-scores[docs], k - 1)[:k]
            docs = docs[best]
        top: list[int] = docs.tolist()
        return top

    def _categories(
        self,
        matched: NDArray[np.bool_],
        scores: NDArray[np.float64],
        offer_ids: list[str],
        topical: list[str],
        *,
        report: bool = False,
    ) -> list[str | None]:
        """The best category of each offer, None when none of its categories matched at all, or
        the best matched only words that say something is wrong ("deu problema no eproc").

        A `report` (something is broken, nothing asked) is never put in a category for questions
        only ("a pesquisa de atendimentos mostra a data errada" is a defect, not a consultation).
        """
        if not offer_ids:
            return []
        docs = self.index.category_docs
        # Two conversions for all offers, then plain Python over a few categories each.
        hit = matched[docs].tolist()
        values = scores[docs].tolist()
        found: list[str | None] = []
        for offer_id in offer_ids:
            start, end = self.index.category_runs.get(offer_id, (0, 0))
            places = [
                n
                for n in range(start, end)
                if not (report and (offer_id, self._category_id(docs, n)) in self.questions_only)
            ]
            if not any(hit[n] for n in places):
                found.append(None)
                continue
            # The first of equal bests, as numpy's argmax picks.
            best = max(places, key=values.__getitem__)
            others = [values[n] for n in places if n != best]
            if offer_id in self.timed and values[best] < CATEGORY_MARGIN * max(others, default=0.0):
                # Two categories with different deadlines fit about as well: ask, do not guess.
                found.append(None)
                continue
            doc = self.index.docs[int(docs[best])]
            if not any(term in doc.weights for term in topical):
                # Only "problema", "erro"...: the user is asked, not guessed for.
                found.append(None)
                continue
            found.append(doc.id)
        return found

    def _category_id(self, docs: NDArray[np.intp], place: int) -> str:
        return self.index.docs[int(docs[place])].id

    def _rerank(self, folded: list[str], ranked: list[tuple[str, float]]) -> tuple[Candidate, ...]:
        """Re-order the leading articles by how much the message resembles one of their phrases.

        `ranked` holds (article id, score) pairs, best first.
        """
        stop = self.kb.language.stopwords
        query = " ".join(w for w in folded if w not in stop)
        leading = ranked[:RERANK_TOP]
        # An article's similarity is its best phrase's (rapidfuzz token_set_ratio, 0..100).
        best = self.phrase_scorer.best(query, [article for article, _ in leading])
        head = [
            Candidate("article", article, round(score + PHRASE_WEIGHT * (b / 100 - 1), 4))
            for (article, score), b in zip(leading, best, strict=True)
        ]
        head.sort(key=_ranking_key)
        tail = [Candidate("article", article, score) for article, score in ranked[RERANK_TOP:]]
        return (*head, *tail)

    def decide(self, text: str) -> Decision:
        """The catalog decision for one message (see the module docstring for thresholds)."""
        if self._cached is not None and len(text) <= MAX_CHARS:
            return self._cached(text)
        return self._decide(text)

    def cache_clear(self) -> None:
        """Forget the kept decisions (see `cache_size`)."""
        if self._cached is not None:
            self._cached.cache_clear()

    def _decide(self, text: str) -> Decision:
        return decide(self.kb, self.rank(text))


def _generic_stems(kb: KnowledgeBase) -> frozenset[str]:
    lang = kb.language
    phrases = [*lang.problem, *lang.generic, *lang.question, *lang.request]
    phrases += [system.name for system in kb.systems.values()]
    return frozenset(stem(w) for p in phrases for w in words(p, lang.abbreviations))


def hesitates(ranked: tuple[Candidate, ...]) -> bool:
    """Whether the lexical engine hesitates between its two best articles (or both are weak)."""
    if len(ranked) < 2:
        return False
    return ranked[0].score < SURE_ABOVE or ranked[0].score - ranked[1].score < UNSURE_MARGIN


def _system_words(kb: KnowledgeBase) -> list[str]:
    """System names and keywords of one word, long enough to correct a typo in."""
    found = set()
    for system in kb.systems.values():
        for phrase in (system.name, *system.keywords):
            folded = words(phrase, kb.language.abbreviations)
            if len(folded) == 1 and len(folded[0]) >= MIN_NAME_TYPO and folded[0].isalpha():
                found.add(folded[0])
    return sorted(found)


def _plain_expansions(abbreviations: Mapping[str, str]) -> bool:
    """Whether every expansion is plain lower-case ASCII words, as folded words are.

    Then the corrected words of a message (folded words, expansions, speller corrections from the
    folded articles) are all plain words, which normalizing again leaves alone unless they are
    abbreviations or their line is cut at MAX_CHARS.
    """
    expanded = (word for expansion in abbreviations.values() for word in expansion.split())
    return all(_PLAIN_WORD.fullmatch(word) for word in expanded)


def _ranking_key(candidate: Candidate) -> tuple[float, str]:
    return (-candidate.score, candidate.id)


def _pair_key(pair: tuple[str, float]) -> tuple[float, str]:
    """`_ranking_key` of an (id, score) pair."""
    return (-pair[1], pair[0])


def _article_text(article: Article) -> str:
    return " ".join(
        [article.title, *article.synonyms, *article.questions, *article.tags, article.body]
    )


def _offer_text(offer: Offer) -> str:
    cats = [k for c in offer.categories for k in (c.label, c.description, *c.keywords)]
    return " ".join([offer.name, offer.purpose, *offer.keywords, *cats])
