"""Reading typed answers: yes/no, step words, numbers, grau, and options named by the user."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

from .events import Button, Event, Text

YES = frozenset({"sim", "s", "ok", "confirmo", "confirmar", "confirma", "isso", "resolveu", "pode"})
NO = frozenset({"nao", "n", "negativo"})
NOT_SOLVED = frozenset({"resolveu", "resolvido", "funcionou", "adiantou", "ajudou", "deu"})
BACK = frozenset({"voltar", "volta", "anterior"})
CANCEL = frozenset({"cancelar", "cancela", "sair"})
SKIP = frozenset({"pular", "pula", "pulo"})
DONE = frozenset({"continuar", "pronto", "concluir", "seguir", "terminei"})
FIX = frozenset({"corrigir", "corrige", "alterar", "editar"})

# "é o SEI" answers a question; "o portal de serviços está fora do ar" describes a problem.
SHORT_ANSWER = 3
_GRAU_1 = ("1", "1o", "1a", "primeiro", "primeira", "colegio recursal", "recursal")
_GRAU_2 = ("2", "2o", "2a", "segundo", "segunda")
_ORDINAL_WORDS = frozenset({"primeiro", "primeira", "segundo", "segunda"})
MENU = frozenset({"menu", "inicio", "comecar de novo", "recomecar"})


def normalize(text: str) -> str:
    """Lower case, no accents, ordinals as letters (1º -> 1o), words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("º", "o").replace("°", "o"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", bare))


def plain(text: str, abbreviations: Mapping[str, str]) -> str:
    """Normalized words with the knowledge base's abbreviations expanded ("n consigo")."""
    return " ".join(abbreviations.get(w, w) for w in normalize(text).split())


def first_word(text: str) -> str:
    """The first normalized word, or empty."""
    words = normalize(text).split()
    return words[0] if words else ""


def is_word(text: str, words: frozenset[str]) -> bool:
    """Whether the whole answer is one of these words ("Voltar!", "pular")."""
    return normalize(text) in words


def says_yes(text: str) -> bool:
    """A short affirmative answer ("sim", "resolveu, obrigado")."""
    return first_word(text) in YES and len(normalize(text).split()) <= 4


def says_no(text: str) -> bool:
    """A negative answer ("não", "não resolveu, quero falar com alguém").

    "Não consigo acessar o SEI" is not one: it is a new problem, for triage.
    """
    words = normalize(text).split()
    if not words or words[0] not in NO:
        return False
    return len(words) <= SHORT_ANSWER or words[1] in NOT_SOLVED


def number(text: str, high: int) -> int | None:
    """A typed option number between 1 and high."""
    plain = normalize(text)
    return int(plain) if plain.isdigit() and 1 <= int(plain) <= high else None


def grau(text: str) -> Literal["1", "2"] | None:
    """The grau a short answer names ("2", "segundo grau", "colégio recursal"), if exactly one.

    In a longer answer an ordinal counts only before "grau" or "instância": in "corre na 2ª vara"
    the 2 is the vara's.
    """
    plain = f" {normalize(text)} "
    short = len(plain.split()) <= SHORT_ANSWER

    def names(options: tuple[str, ...]) -> bool:
        return any(
            f" {w} " in plain
            if short or (not w[0].isdigit() and w not in _ORDINAL_WORDS)
            else f" {w} grau " in plain or f" {w} instancia " in plain
            for w in options
        )

    first, second = names(_GRAU_1), names(_GRAU_2)
    if first == second:
        return None
    return "1" if first else "2"


def pick(text: str, options: Sequence[Sequence[str]]) -> int | None:
    """Index of the option a typed answer names: by number, by a whole name, or unambiguously.

    Each option is a list of names (id, label, keywords). An answer naming two options picks
    none, and so does a negative one: "não sei" must not choose the SEI. A longer message that
    merely mentions a name is a description, better left to triage.
    """
    typed = number(text, len(options))
    if typed is not None:
        return typed - 1
    answer = normalize(text)
    if not answer or says_no(answer):
        return None
    names = [[normalize(n) for n in names if normalize(n)] for names in options]
    exact = [i for i, option in enumerate(names) if answer in option]
    if len(exact) == 1:
        return exact[0]
    padded = f" {answer} "
    mentioned = [i for i, option in enumerate(names) if any(f" {n} " in padded for n in option)]
    if len(mentioned) == 1 and len(answer.split()) <= SHORT_ANSWER:
        return mentioned[0]
    within = [i for i, option in enumerate(names) if any(f" {answer} " in f" {n} " for n in option)]
    return within[0] if len(within) == 1 else None


def said(event: Event, data: str, words: frozenset[str] = frozenset()) -> bool:
    """A press on the button with this data, or one of these words typed instead."""
    if isinstance(event, Button):
        return event.data == data
    return isinstance(event, Text) and is_word(event.text, words)


def yes(event: Event, data: str) -> bool:
    """The button with this data, or a short affirmative answer typed."""
    return said(event, data) or (isinstance(event, Text) and says_yes(event.text))


def no(event: Event, data: str) -> bool:
    """The button with this data, or a negative answer typed."""
    return said(event, data) or (isinstance(event, Text) and says_no(event.text))


def chosen(event: Event, prefix: str, options: Sequence[Sequence[str]]) -> int | None:
    """Index of an option pressed (callback data `prefix` + index) or named in typed text."""
    if isinstance(event, Button) and event.data.startswith(prefix):
        digits = event.data[len(prefix) :]
        return int(digits) if digits.isdigit() and int(digits) < len(options) else None
    return pick(event.text, options) if isinstance(event, Text) else None


def grau_of(event: Event) -> Literal["1", "2"] | None:
    """The grau a button (g:1, g:2) or a typed answer gives."""
    if isinstance(event, Button):
        return "1" if event.data == "g:1" else "2" if event.data == "g:2" else None
    return grau(event.text) if isinstance(event, Text) else None
