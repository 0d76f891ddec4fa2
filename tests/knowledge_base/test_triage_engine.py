"""Engine internals that must not change a decision: index sums, terms, ties, the decision cache."""

from __future__ import annotations

import random

import numpy as np
import pytest

from knowledge_base import decide as rules
from knowledge_base.decision import Candidate
from knowledge_base.index import text_terms, word_terms
from knowledge_base.models import KnowledgeBase
from knowledge_base.normalize import MAX_CHARS, stem, words
from knowledge_base.signals import Signals
from knowledge_base.triage import GENERIC_WEIGHT, Ranking, Triage

MESSAGES = [
    "o eproc recusa meu código de autenticação",
    "meu e-mailu do infoeproc não chegou",  # "mailu" is corrected to "mail", an abbreviation
    "vc sabe pq n consigo logar no sei?",
    "sou do 2º grau e a publicação não saiu no eproc",
    "qual a melhor pizza da cidade?",
    "",
    "senha " * 400,  # past MAX_CHARS once abbreviations and corrections are joined
    "vc " * 700,
]


def _reference_query_terms(triage: Triage, text: str) -> dict[str, float]:
    """Query terms as first written: the corrected words normalized again from their text."""
    lang = triage.kb.language
    fixed = []
    for word in words(text, lang.abbreviations):
        if word in lang.stopwords:
            continue
        if stem(word) not in triage.index.idf:
            word = triage.speller.correct(word) or word
        fixed.append(word)
    weighted: dict[str, float] = {}
    for term in text_terms(" ".join(fixed), lang):
        generic = any(part in triage.generic for part in term.split("|"))
        weighted.setdefault(term, GENERIC_WEIGHT if generic else 1.0)
    return weighted


@pytest.mark.parametrize("text", MESSAGES)
def test_query_terms_equal_normalizing_the_corrected_words_again(triage: Triage, text: str) -> None:
    assert triage.query_terms(text) == _reference_query_terms(triage, text)


def test_a_correction_that_is_an_abbreviation_is_expanded(triage: Triage) -> None:
    assert triage.speller.correct("mailu") == "mail"
    terms = triage.query_terms("meu e-mailu do infoeproc")
    assert stem("email") in terms
    assert "mail" not in terms


def test_word_terms_are_the_text_terms_of_the_words(kb: KnowledgeBase) -> None:
    lang = kb.language
    for text in MESSAGES:
        assert word_terms(words(text, lang.abbreviations), lang) == text_terms(text, lang)


def test_index_scores_equal_summing_term_by_term(triage: Triage) -> None:
    index = triage.index
    rng = random.Random(3)
    known = sorted(index.idf)
    for _ in range(200):
        chosen = [*rng.sample(known, rng.randint(0, 12)), "nunca|visto", "palavranova"]
        terms = {t: rng.choice([1.0, GENERIC_WEIGHT, rng.random()]) for t in chosen}
        expected = np.zeros(len(index.docs))
        total = 0.0
        for term, weight in terms.items():
            idf = index.idf.get(term)
            if idf is None:
                total += (0.5 if "|" in term else np.log(1 + len(index.docs))) * weight
                continue
            total += idf * weight
            ids, saturated = index.postings[term]
            expected[ids] += idf * weight * saturated
        scores, got_total = index.scores(terms)
        assert scores.tolist() == expected.tolist()
        assert got_total == pytest.approx(total, rel=1e-12)


def test_equal_scores_are_ordered_by_label(kb: KnowledgeBase) -> None:
    signals = Signals("", None, (), False, False, False, False)
    first, second = sorted(kb.articles)[:2]
    offer = Candidate("offer", min(kb.offers), 0.5, None)
    articles = (Candidate("article", second, 0.5), Candidate("article", first, 0.5))
    decision = rules.decide(kb, Ranking(signals, articles, (offer,), 5.0))
    # "article:..." < "offer:...", whatever the ids.
    assert decision.candidates == (articles[1], articles[0], offer)
    assert decision.label == f"article:{first}"


def test_cache_hands_out_the_same_decision_for_a_repeated_message(kb: KnowledgeBase) -> None:
    plain = Triage(kb)
    cached = Triage(kb, cache_size=2)
    text = "o eproc recusa meu código de autenticação"
    assert cached.decide(text) is cached.decide(text)
    assert cached.decide(text) == plain.decide(text)
    assert plain.decide(text) is not plain.decide(text)


def test_cache_is_bounded_and_skips_long_messages(kb: KnowledgeBase) -> None:
    cached = Triage(kb, cache_size=2)
    first = cached.decide("senha do sei")
    cached.decide("senha do eproc")
    cached.decide("balcão virtual")  # the oldest, "senha do sei", is dropped
    assert cached.decide("senha do sei") is not first
    long_text = "erro no eproc " * (MAX_CHARS // 10)
    assert len(long_text) > MAX_CHARS
    assert cached.decide(long_text) is not cached.decide(long_text)
    cached.cache_clear()
    assert cached.decide("balcão virtual") == Triage(kb).decide("balcão virtual")
