"""Signals: phrases found as whole words, systems in order of mention, grau patterns."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from knowledge_base.models import KnowledgeBase, Language, System
from knowledge_base.signals import PhraseSet, SignalReader

WORDS = ["nao", "consigo", "entrar", "no", "sistema", "portal", "alfa", "beta", "erro", "de"]
PHRASES = [
    "nao consigo",
    "nao consigo entrar",
    "erro",
    "portal",
    "entrar no sistema",
    "de erro de",
    "Não consigo",  # not normalized: never found
    "   ",  # no words: never found
]


def _reference_found(padded: str, phrases: list[str]) -> bool:
    return any(f" {p} " in padded for p in phrases if p)


def test_phrase_set_finds_exactly_the_whole_word_occurrences() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        folded = [rng.choice(WORDS) for _ in range(rng.randint(0, 8))]
        phrases = rng.sample(PHRASES, rng.randint(0, len(PHRASES)))
        padded = f" {' '.join(folded)} "
        found = PhraseSet(phrases).found_in(padded, set(folded))
        assert found == _reference_found(padded, phrases), (folded, phrases)


def test_phrase_set_needs_whole_words() -> None:
    phrases = PhraseSet(["erro", "nao consigo"])
    assert phrases.found_in(" deu erro ", {"deu", "erro"})
    assert not phrases.found_in(" erros ", {"erros"})
    assert not phrases.found_in(" nao consigoo ", {"nao", "consigoo"})


def _reader(**language: tuple[str, ...]) -> SignalReader:
    systems = {
        "a": System("a", "Alfa", keywords=("portal alfa", "alfa x")),
        "b": System("b", "Beta"),
        "c": System("c", "Gama", keywords=("portal",)),
    }
    return SignalReader(
        KnowledgeBase(root=Path("."), systems=systems, language=Language(**language))
    )


@pytest.mark.parametrize(
    ("text", "systems"),
    [
        ("beta e alfa", ("b", "a")),
        ("alfa e beta", ("a", "b")),
        ("nada aqui", ()),
        ("o portal", ("c",)),
        # A system is placed where its longest phrase that occurs first occurs: "portal alfa"
        # comes after "beta", though "alfa" alone comes before it.
        ("alfa, beta e o portal alfa", ("b", "a", "c")),
        ("Portal Alfa", ("a", "c")),
    ],
)
def test_systems_in_order_of_mention(text: str, systems: tuple[str, ...]) -> None:
    assert _reader().read(text).systems == systems


def test_grau_patterns_that_refer_to_their_groups_keep_their_meaning() -> None:
    # Joined into one alternation, \1 would refer to the first pattern's group.
    reader = _reader(grau_1=(r"(x)y", r"\b(a)\1\b"), grau_2=(r"segundo", r"(?P<g>b)(?P=g)"))
    assert reader.read("aa").grau == "1"
    assert reader.read("bb").grau == "2"
    assert reader.read("xy").grau == "1"
    assert reader.read("ab").grau is None


def test_grau_patterns_match_anywhere_like_separate_searches() -> None:
    reader = _reader(grau_1=(r"\bvara(s)?\b", r"\b(1|1o)\s*grau\b"), grau_2=(r"\bcamara\b",))
    assert reader.read("sou da vara").grau == "1"
    assert reader.read("1º grau").grau == "1"
    assert reader.read("a camara").grau == "2"
    assert reader.read("vara e camara").grau is None
    assert reader.read("varas").grau == "1"
    assert reader.read("avara").grau is None


def test_invalid_grau_pattern_still_raises() -> None:
    # Each pattern is compiled alone first, as before: "a)|(b" must not pass by being joined.
    with pytest.raises(re.error):
        _reader(grau_1=("a)|(b", "c"))
