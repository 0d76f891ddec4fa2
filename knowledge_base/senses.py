"""Words that are not what they look like: ambiguous system names and denied words.

Both lists live in language.toml (`[ambiguous]`, `negations`); the engine reads a message's
words through `Senses.resolve` before anything else, so signals and matching agree.
"""

from __future__ import annotations

import re

from .models import Language

# How many words after a negation ("nao e o eproc", "nao e erro do sistema") it denies, not
# counting stopwords: one, since punctuation is gone ("nao e o eproc, e o SEI").
DENIED_WORDS = 1
_CAPITAL_WORD = re.compile(r"\b[A-ZÀ-Ý]{2,}\b")


class Senses:
    """The ambiguous words and negations of one language file."""

    def __init__(self, language: Language) -> None:
        self.ambiguous = language.ambiguous
        # By first word: a message is only tried for the negations its words can start.
        self.negations: dict[str, list[tuple[str, ...]]] = {}
        for negation in language.negations:
            if negation.split():
                self.negations.setdefault(negation.split()[0], []).append(tuple(negation.split()))
        # A system's own name needs no article to be denied: "nao e eproc" as "nao e o eproc".
        self.bare_denials = {
            n[:2] for forms in self.negations.values() for n in forms if len(n) == 3
        }
        self.own_names = frozenset(language.own_names)
        self.stopwords = language.stopwords
        # Words a message must have for anything here to apply (the common case: none).
        self.starts = frozenset(self.negations) | frozenset(self.ambiguous)
        self.interrogatives = frozenset(q for q in language.question if " " not in q)

    def resolve(self, text: str, folded: list[str]) -> list[str]:
        """The words of a message without ambiguous words used as common words, nor denied ones.

        An ambiguous word stays where it is a name: in capitals in the message ("SEI"), or right
        after one of its marker words ("no sei"). A negation drops itself and the next
        DENIED_WORDS words that are not stopwords.
        """
        if self.starts.isdisjoint(folded):
            return folded
        capitals = {w.lower() for w in _CAPITAL_WORD.findall(text)}
        kept: list[str] = []
        denied = skip = 0
        echo = ""
        for place, word in enumerate(folded):
            if skip:
                skip -= 1
                continue
            if denied:
                denied -= word not in self.stopwords
                continue
            if word == echo:
                # "nao e o eproc nao, e o SEI": the second "nao" closes the first, denies nothing.
                echo = ""
                continue
            echo = ""
            skip = self._negation_at(folded, place)
            if skip:
                skip, denied, echo = skip - 1, DENIED_WORDS, word
                continue
            markers = self.ambiguous.get(word)
            if markers is not None and word not in capitals:
                before = folded[place - 1] if place else ""
                if before not in markers:
                    # "nao sei a quem pedir": what follows the verb is no question of the user's.
                    skip = self._indirect_question(folded, place + 1)
                    continue
            kept.append(word)
        return kept

    def _indirect_question(self, folded: list[str], start: int) -> int:
        """How many words after a common-word use are an indirect question ("a quem", "se")."""
        for length in (1, 2):
            if any(w in self.interrogatives for w in folded[start : start + length]):
                return length
        return 0

    def _negation_at(self, folded: list[str], place: int) -> int:
        """The length of the negation starting at `place`, 0 when none does."""
        candidates = self.negations.get(folded[place], ())
        found = [len(n) for n in candidates if tuple(folded[place : place + len(n)]) == n]
        named = folded[place + 2] if place + 2 < len(folded) else ""
        if named in self.own_names and tuple(folded[place : place + 2]) in self.bare_denials:
            found.append(2)
        return max(found, default=0)
