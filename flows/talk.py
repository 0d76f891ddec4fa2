"""Reading what a message does besides describing a problem, with the knowledge base's words.

Greetings, thanks and goodbyes; "não sei"; a change of course; frustration; a request for a
person. The phrase lists live in language.toml; here they are only looked up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from knowledge_base.models import Language
from knowledge_base.normalize import plain

SmallTalk = Literal["greeting", "thanks", "goodbye"]


# A letter typed several times ("bom diaa", "oiii", "obrigadooo") reads as one, in the message
# and in the phrases alike.
_REPEATED = re.compile(r"([a-z])\1+")


def _padded(text: str, language: Language) -> str:
    return f" {_squeezed(plain(text, language.abbreviations))} "


def _squeezed(text: str) -> str:
    return _REPEATED.sub(r"\1", text)


@lru_cache(maxsize=32)
def _padded_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases squeezed and space-padded, longest first (so "bom dia" goes before "bom")."""
    return tuple(sorted((f" {_squeezed(p)} " for p in phrases), key=len, reverse=True))


@lru_cache(maxsize=4)
def _squeezed_words(stopwords: frozenset[str]) -> frozenset[str]:
    return frozenset(_squeezed(w) for w in stopwords)


def _found(padded: str, phrases: tuple[str, ...]) -> bool:
    return any(p in padded for p in _padded_phrases(phrases))


def _strip(padded: str, phrases: tuple[str, ...]) -> str:
    for phrase in _padded_phrases(phrases):
        while phrase in padded:
            padded = padded.replace(phrase, " ")
    return padded


def small_talk(text: str, language: Language) -> SmallTalk | None:
    """What a message made only of conversation is (the last kind named wins), else None."""
    padded = _padded(text, language)
    kinds: list[SmallTalk] = []
    for kind, phrases in (
        ("greeting", language.greeting),
        ("thanks", language.thanks),
        ("goodbye", language.goodbye),
    ):
        if _found(padded, phrases):
            kinds.append(kind)  # type: ignore[arg-type]
    if not kinds:
        return None
    every = (*language.greeting, *language.thanks, *language.goodbye, *language.filler)
    rest = _strip(padded, every).split()
    if any(word not in _squeezed_words(language.stopwords) for word in rest):
        return None
    return "thanks" if "thanks" in kinds else kinds[-1]


def closing(text: str, language: Language) -> bool:
    """Thanks or a goodbye that reports no problem ("deu certo, obrigada, tchau")."""
    padded = _padded(text, language)
    said = _found(padded, language.thanks) or _found(padded, language.goodbye)
    return said and not _found(padded, language.problem) and "?" not in text


def dont_know(text: str, language: Language) -> bool:
    """A short "não sei" answer ("não sei qual é o meu grau", "sei lá")."""
    padded = _padded(text, language)
    return len(padded.split()) <= 8 and _found(padded, language.dont_know)


def switching(text: str, language: Language) -> bool:
    """Words announcing a change of course ("esquece, na verdade...")."""
    return _found(_padded(text, language), language.switch)


def frustrated(text: str, language: Language) -> bool:
    """A frustrated message: its phrases, or shouting (mostly capitals) with exclamations."""
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    return shouting or "!!" in text or _found(_padded(text, language), language.frustration)


def wants_person(text: str, language: Language) -> bool:
    """A request for a person or a ticket ("falar com atendente", "abre um chamado pra mim")."""
    padded = _padded(text, language)
    return _found(padded, language.person) or _found(padded, language.request)
