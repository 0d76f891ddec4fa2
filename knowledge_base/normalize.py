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
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# The combining marks of the Combining Diacritical Marks block: accents, cedilla, tilde.
_LATIN_MARKS = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in range(0x300, 0x370) if unicodedata.combining(chr(c)))
    + "]"
)
# One space per character that is not an ASCII letter or digit (word breaks, not deletions).
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_STEMMER = snowballstemmer.stemmer("portuguese")


def fold(text: str) -> str:
    """Lower case without accents, ordinals as letters (1º -> 1o), other symbols as spaces."""
    return _NOT_ALNUM.sub(" ", _unaccented_lower(text))


def _unaccented_lower(text: str) -> str:
    """The first MAX_CHARS characters in lower case, without combining marks (accents).

    Every message goes through here, so the work is done by C loops: NFKD splits accented
    letters into letter + combining mark, a regex drops the marks of Latin letters, and only
    other non-ASCII characters (rare) are looked at one by one. Same steps, same order, as the
    obvious per-character version.
    """
    decomposed = unicodedata.normalize("NFKD", text[:MAX_CHARS].replace("°", "o"))
    if not decomposed.isascii():
        decomposed = _LATIN_MARKS.sub("", decomposed)
        if not decomposed.isascii():
            decomposed = _NON_ASCII.sub(_without_marks, decomposed)
    return decomposed.lower()


def _without_marks(run: re.Match[str]) -> str:
    """A run of non-ASCII characters without its combining marks."""
    return "".join(c for c in run[0] if not unicodedata.combining(c))


def words(text: str, abbreviations: Mapping[str, str]) -> list[str]:
    """Folded words with abbreviations expanded (vc -> voce, n -> nao)."""
    out: list[str] = []
    # The words of fold(text) are the [a-z0-9] runs of its lower-case form: fold only turns
    # the characters between them into spaces.
    for word in _WORD.findall(_unaccented_lower(text)):
        expansion = abbreviations.get(word)
        if expansion is None:
            out.append(word)
        else:
            out.extend(expansion.split())
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
