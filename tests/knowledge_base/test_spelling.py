"""Typo tolerance: misspelt words map to known ones; short words and garbage stay as they are."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from rapidfuzz import fuzz

from knowledge_base.spelling import MIN_LENGTH, Speller
from knowledge_base.triage import Triage

VOCABULARY = [
    "autenticacao",
    "certificado",
    "redistribuicao",
    "navegador",
    "dispositivo",
    "senha",
    "sei",
    "eproc",
]


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("autenticasao", "autenticacao"),
        ("autentcacao", "autenticacao"),
        ("certficado", "certificado"),
        ("redistribuisao", "redistribuicao"),
        ("navegadr", "navegador"),
        ("dispositvo", "dispositivo"),
    ],
)
def test_typo_maps_to_the_known_word(speller: Speller, typo: str, word: str) -> None:
    assert speller.correct(typo) == word


def test_known_word_is_returned_unchanged(speller: Speller) -> None:
    assert speller.correct("senha") == "senha"


@pytest.mark.parametrize("word", ["sie", "epro", "snha"])
def test_words_shorter_than_the_minimum_are_not_corrected(speller: Speller, word: str) -> None:
    assert len(word) < MIN_LENGTH
    assert speller.correct(word) is None


@pytest.mark.parametrize("garbage", ["xkcdqwerty", "zzzzzzzz", "bolodecenoura", "abcdefgh"])
def test_unknown_garbage_is_not_corrected(speller: Speller, garbage: str) -> None:
    assert speller.correct(garbage) is None


def test_words_with_digits_are_not_corrected(speller: Speller) -> None:
    assert speller.correct("senha123") is None


def test_correction_is_stable_across_calls(speller: Speller) -> None:
    assert [speller.correct("certficado") for _ in range(3)] == ["certificado"] * 3


def test_triage_query_terms_use_the_corrected_word(tiny_triage: Triage) -> None:
    typo = tiny_triage.query_terms("autenticasao")
    right = tiny_triage.query_terms("autenticação")
    assert typo == right


_TIE_SCRIPT = """
from knowledge_base.spelling import Speller
print(Speller(["cadastro", "cadastre", "cadastra", "cadastrar"]).correct("cadastri"))
"""


@pytest.mark.slow
def test_tied_corrections_do_not_depend_on_hash_seed() -> None:
    picks = set()
    for seed in range(8):
        done = subprocess.run(
            [sys.executable, "-c", _TIE_SCRIPT],
            env={"PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        )
        picks.add(done.stdout.strip())
    assert len(picks) == 1, picks


def _closest_by_scan(vocabulary: list[str], word: str) -> str | None:
    """The speller's rule written as a plain scan: the reference the index must agree with."""
    if word in vocabulary:
        return word
    if len(word) < MIN_LENGTH or not word.isalpha():
        return None
    best, best_score = None, 0.0
    for w in sorted(set(vocabulary), key=lambda w: (len(w), w)):
        if w[0] == word[0] and abs(len(w) - len(word)) <= 1:
            score = fuzz.ratio(word, w)
            if score >= 82 and score > best_score:
                best, best_score = w, score
    return best


def _typo(rng: random.Random, word: str) -> str:
    at = rng.randrange(1, len(word))
    letter = rng.choice("abcdefghijlmnopqrstuvxz")
    return rng.choice(
        [
            word[:at] + word[at + 1 :],
            word[:at] + letter + word[at + 1 :],
            word[:at] + letter + word[at:],
            word[:at] + word[at + 1 : at + 2] + word[at] + word[at + 2 :],
        ]
    )


def test_indexed_candidates_pick_what_a_scan_of_the_vocabulary_picks(triage: Triage) -> None:
    vocabulary = sorted(triage.speller.vocabulary)
    rng = random.Random(12)
    longer = [w for w in vocabulary if len(w) >= MIN_LENGTH]
    for _ in range(1500):
        word = _typo(rng, rng.choice(longer))
        assert triage.speller.correct(word) == _closest_by_scan(vocabulary, word), word
