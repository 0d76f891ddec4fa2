"""Inverted index over articles and offers with weighted fields, built once per knowledge base."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

import numpy as np
from numpy.typing import NDArray

from .models import Article, KnowledgeBase, Language, Offer
from .normalize import stem, words

# How much a match in each field counts. Editors' synonyms are the most deliberate signal.
ARTICLE_FIELDS = {"title": 2.0, "synonyms": 3.0, "questions": 1.5, "tags": 1.5, "body": 0.3}
OFFER_FIELDS = {"name": 1.5, "keywords": 3.0, "categories": 2.0, "purpose": 0.8}
# A term seen in a doc counts w/(w+SATURATION): many repetitions do not drown other words.
SATURATION = 1.0


@dataclass(frozen=True)
class Doc:
    """One searchable thing: an article, an offer, or one category of an offer."""

    kind: Literal["article", "offer", "category"]
    id: str
    system: str
    weights: dict[str, float] = field(default_factory=dict)
    offer: str = ""


def text_terms(text: str, language: Language) -> list[str]:
    """Stems plus adjacent-stem bigrams ("codig|invalid") of a text."""
    return word_terms(words(text, language.abbreviations), language)


def word_terms(folded: list[str], language: Language) -> list[str]:
    """`text_terms` of a text whose `normalize.words` are already known."""
    stems = [stem(w) for w in folded if w not in language.stopwords]
    return stems + [f"{a}|{b}" for a, b in itertools.pairwise(stems)]


def _weigh(fields: Iterable[tuple[float, Sequence[str]]], language: Language) -> dict[str, float]:
    weights: dict[str, float] = defaultdict(float)
    for weight, texts in fields:
        seen: set[str] = set()
        for text in texts:
            seen.update(text_terms(text, language))
        for term in seen:
            weights[term] += weight
    return dict(weights)


def article_doc(article: Article, language: Language) -> Doc:
    """The searchable form of an article."""
    f = ARTICLE_FIELDS
    fields = [
        (f["title"], [article.title]),
        (f["synonyms"], article.synonyms),
        (f["questions"], article.questions),
        (f["tags"], article.tags),
        (f["body"], [article.body]),
    ]
    return Doc("article", article.id, article.system, _weigh(fields, language))


def _category_weights(
    keywords: Sequence[str], prose: Sequence[str], language: Language
) -> dict[str, float]:
    """Keywords count three times, with their two-word phrases ("não abre"); the label and
    description once, word by word: the pairs of prose ("serviço que não") are accidents."""
    weights = _weigh([(3.0, keywords)], language)
    for term in {t for text in prose for t in text_terms(text, language) if "|" not in t}:
        weights[term] = weights.get(term, 0.0) + 1.0
    return weights


def offer_docs(offer: Offer, language: Language) -> list[Doc]:
    """The searchable form of an offer, and one doc per category for picking the category."""
    f = OFFER_FIELDS
    category_words = [k for c in offer.categories for k in (c.label, c.description, *c.keywords)]
    fields = [
        (f["name"], [offer.name]),
        (f["keywords"], offer.keywords),
        (f["categories"], category_words),
        (f["purpose"], [offer.purpose]),
    ]
    docs = [Doc("offer", offer.id, offer.system, _weigh(fields, language), offer.id)]
    weights = [
        _category_weights(c.keywords, [c.label, c.description], language) for c in offer.categories
    ]
    # The offer's own name ("ferramenta de solicitação de serviços", in the descriptions) and a
    # word every category has tell no category apart: they would only make the best category
    # look less sure than it is.
    shared = set.intersection(*(set(w) for w in weights)) if len(weights) > 1 else set()
    shared.update(text_terms(offer.name, language))
    for c, cat_weights in zip(offer.categories, weights, strict=True):
        telling = {term: w for term, w in cat_weights.items() if term not in shared}
        docs.append(Doc("category", c.id, offer.system, telling, offer.id))
    return docs


class Index:
    """Postings and idf for every doc of a knowledge base; a query is a sum over its terms.

    Postings are numpy arrays, so scoring a query adds a few vectors into one dense array of
    scores instead of looping in Python over every doc a common word appears in.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        lang = kb.language
        self.language = lang
        self.docs: list[Doc] = [article_doc(a, lang) for a in kb.articles.values()]
        for offer in kb.offers.values():
            self.docs.extend(offer_docs(offer, lang))
        lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for number, doc in enumerate(self.docs):
            for term, weight in doc.weights.items():
                ids, values = lists[term]
                ids.append(number)
                values.append(weight / (weight + SATURATION))
        self.postings: dict[str, tuple[NDArray[np.int32], NDArray[np.float64]]] = {
            term: (np.array(ids, dtype=np.int32), np.array(values))
            for term, (ids, values) in lists.items()
        }
        searchable = sum(1 for d in self.docs if d.kind != "category") or 1
        self.idf = {
            term: math.log(1 + searchable / (1 + len(ids)))
            for term, (ids, _) in self.postings.items()
        }
        kinds = np.array([d.kind for d in self.docs])
        self.articles = np.flatnonzero(kinds == "article")
        self.offers = np.flatnonzero(kinds == "offer")
        self.categories_of: dict[str, NDArray[np.intp]] = {
            d.id: np.array(
                [n for n, c in enumerate(self.docs) if c.kind == "category" and c.offer == d.id],
                dtype=np.intp,
            )
            for d in self.docs
            if d.kind == "offer"
        }
        self.systems = np.array([d.system for d in self.docs])
        self.ids = [d.id for d in self.docs]
        # Each system's docs, so a message naming systems needs no search through every doc.
        self._of_system = {system: self.systems == system for system in set(self.systems.tolist())}
        # All categories in one array, each offer's as one run of it: (start, end).
        runs = list(self.categories_of.values())
        self.category_docs = np.concatenate(runs) if runs else np.zeros(0, dtype=np.intp)
        ends = itertools.accumulate(len(run) for run in runs)
        self.category_runs = {
            offer: (end - len(run), end)
            for (offer, run), end in zip(self.categories_of.items(), ends, strict=True)
        }

    def named(self, systems: Iterable[str]) -> NDArray[np.bool_]:
        """Which docs belong to one of `systems` (as `np.isin(self.systems, systems)`)."""
        named = np.zeros(len(self.docs), dtype=bool)
        for system in systems:
            docs = self._of_system.get(system)
            if docs is not None:
                named |= docs
        return named

    def scores(self, terms: Mapping[str, float]) -> tuple[NDArray[np.float64], float]:
        """Raw score of every doc and the query's total weighted idf (the best possible).

        `terms` maps each query term to how much it says about the topic (1.0 = fully).
        """
        total = 0.0
        postings: list[NDArray[np.int32]] = []
        saturated: list[NDArray[np.float64]] = []
        factors: list[float] = []
        for term, weight in terms.items():
            idf = self.idf.get(term)
            if idf is None:
                total += self._unknown_idf(term) * weight
                continue
            total += idf * weight
            ids, values = self.postings[term]
            postings.append(ids)
            saturated.append(values)
            factors.append(idf * weight)
        if not postings:
            return np.zeros(len(self.docs)), total
        # One bincount instead of one `scores[ids] += ...` per term: bincount adds the weights
        # in array order, so every doc sums its terms in the same order, to the same doubles.
        counts = [len(ids) for ids in postings]
        contributions = np.repeat(factors, counts) * np.concatenate(saturated)
        ids = np.concatenate(postings)
        # With weights, bincount sums in doubles (the stubs only know its integer form).
        scores = cast("NDArray[np.float64]", np.bincount(ids, contributions, len(self.docs)))
        return scores, total

    def _unknown_idf(self, term: str) -> float:
        # Unknown words weigh like rare ones, so an off-topic message scores low; unknown
        # bigrams count less, or every long message would look off-topic.
        return 0.5 if "|" in term else math.log(1 + len(self.docs))
