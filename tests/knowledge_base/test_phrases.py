"""Phrase similarity of the re-ranking: the same scores as rapidfuzz's token_set_ratio, cheaper."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz

from knowledge_base.phrases import PhraseScorer

PHRASES = {
    "codigo": ["codigo autenticacao invalido", "codigo 2fa nao aceito", "token invalido"],
    "senha": ["esqueci senha", "senha bloqueada eproc", "senha senha expirada"],
    "vazio": [],
    "estranho": ["", "código inválido", "e-mail não chega", "  espacos  duplos "],
}


def _expected(query: str, phrases: list[str]) -> float:
    return max((fuzz.token_set_ratio(query, p) for p in phrases), default=0.0)


@pytest.fixture(scope="module")
def scorer() -> PhraseScorer:
    return PhraseScorer(PHRASES)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "codigo invalido",  # shares words with some phrases
        "meu token nao funciona",  # shares one word with one phrase
        "abc xyz",  # shares no word with any phrase
        "senha",  # a subset of a phrase: 100
        "esqueci senha eproc bloqueada expirada",  # phrases are subsets of it: 100
        "código inválido",  # not plain words: the exact path only
        "senha senha senha",
    ],
)
def test_best_is_the_best_token_set_ratio_of_each_key(scorer: PhraseScorer, query: str) -> None:
    keys = list(PHRASES)
    assert scorer.best(query, keys) == [_expected(query, PHRASES[k]) for k in keys]


def test_a_key_without_phrases_scores_zero(scorer: PhraseScorer) -> None:
    assert scorer.best("codigo invalido", ["vazio", "codigo"])[0] == 0.0
    assert scorer.best("codigo invalido", ["vazio"]) == [0.0]
    assert scorer.best("codigo invalido", []) == []


def test_scores_equal_token_set_ratio_bit_for_bit_on_random_words() -> None:
    # Few distinct letters and short words: many shared words, near misses and equal lengths.
    rng = random.Random(20_250_525)

    def phrase(size: int) -> str:
        return " ".join(
            "".join(rng.choice("aeiosr0") for _ in range(rng.randint(1, 6)))
            for _ in range(rng.randint(1, size))
        )

    phrases = {f"k{n}": [phrase(5) for _ in range(rng.randint(1, 12))] for n in range(40)}
    scorer = PhraseScorer(phrases)
    for _ in range(300):
        query = phrase(12)
        keys = rng.sample(list(phrases), 6)
        assert scorer.best(query, keys) == [_expected(query, phrases[k]) for k in keys], query


def test_many_phrases_per_key() -> None:
    # Past 64 phrases a key's word masks are big integers: the last phrases must count too.
    phrases = {
        "a": [f"palavra{n} comum" for n in range(150)] + ["senha eproc"],
        "b": ["nada"],
        "c": [f"outra{n}" for n in range(70)] + ["eproc"],
    }
    scorer = PhraseScorer(phrases)
    for query in ("senha eproc", "eproc", "palavra149", "comum nada"):
        keys = ["b", "a", "c"]
        assert scorer.best(query, keys) == [_expected(query, phrases[k]) for k in keys]
    assert scorer.best("senha eproc", ["a"]) == [100.0]
