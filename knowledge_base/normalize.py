"""Portuguese text normalization: case, accents, punctuation, abbreviations, stems."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

import snowballstemmer

# Users paste long e-mails; beyond this the message says nothing more about its topic.
MAX_CHARS = 2000

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("portuguese")


def fold(text: str) -> str:
    """Lower case without accents, ordinals as letters (1º -> 1o), other symbols as spaces."""
    text = text[:MAX_CHARS]
    decomposed = unicodedata.normalize("NFKD", text.replace("°", "o"))
    kept = [c for c in decomposed if not unicodedata.combining(c)]
    return "".join(c if c.isascii() and c.isalnum() else " " for c in "".join(kept).lower())


def words(text: str, abbreviations: Mapping[str, str]) -> list[str]:
    """Folded words with abbreviations expanded (vc -> voce, n -> nao)."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        out.extend(abbreviations.get(word, word).split())
    return out


def plain(text: str, abbreviations: Mapping[str, str]) -> str:
    """The folded text as one line of words, for phrase and pattern matching."""
    return " ".join(words(text, abbreviations))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball Portuguese stem of a folded word; digits and short words stay as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    # Without accents Snowball cannot see that -coes/-oes is the plural of -cao/-ao
    # ("autenticacoes" would not meet "autenticacao"), so make the plural singular first.
    if word.endswith("oes") and len(word) > 5:
        word = word[:-3] + "ao"
    return str(_STEMMER.stemWord(word))


def terms(text: str, abbreviations: Mapping[str, str], stopwords: frozenset[str]) -> list[str]:
    """Stems of the meaningful words, in order."""
    return [stem(w) for w in words(text, abbreviations) if w not in stopwords]


def has_phrase(plain_text: str, phrase: str) -> bool:
    """Whole-word occurrence of an already-normalized phrase in normalized text."""
    if not phrase:
        return False
    padded = f" {plain_text} "
    return f" {phrase} " in padded
