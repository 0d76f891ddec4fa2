"""What a message about the Balcão Virtual asks, read with the knowledge base's own words: the
service's bare name, a request to be attended (join a queue), the offices' hours, or a question
about how it works (the articles)."""

from __future__ import annotations

from collections.abc import Iterable

from knowledge_base.models import KnowledgeBase, Offer
from knowledge_base.normalize import plain, words
from knowledge_base.signals import PhraseSet, SignalReader, Signals

# The signal reader of the last knowledge base read (rebuilt after a reload): a memo, since
# compiling its phrases on every message would cost more than reading the message.
_readers: list[tuple[KnowledgeBase, SignalReader]] = []


def name_words(offer: Offer, kb: KnowledgeBase) -> frozenset[str]:
    """The words of the offer's and its system's names ("balcao", "virtual")."""
    system = kb.systems.get(offer.system)
    names = (offer.name, system.name if system else "")
    return frozenset(w for n in names for w in words(n, kb.language.abbreviations))


def names_only(text: str, offer: Offer, kb: KnowledgeBase) -> bool:
    """Whether the message is the service's name and nothing else ("Balcão Virtual", "balcão",
    "balcão virtual?"); "o que é o balcão virtual" is a question (the articles')."""
    lang = kb.language
    if _signals(text.replace("?", " "), kb).question:
        return False
    said = [w for w in words(text, lang.abbreviations) if w not in lang.stopwords]
    return bool(said) and set(said) <= name_words(offer, kb)


def asks_attendance(text: str, offer: Offer, kb: KnowledgeBase) -> bool:
    """Whether the message asks to be attended ("atendimento online com o cartório", "quero
    falar com a vara"): a request, or one of the offer's or its system's keyword phrases beyond
    its bare name; never a question or a problem report (those are the articles' to answer)."""
    signals = _signals(text, kb)
    if signals.question or signals.problem:
        return False
    if signals.request:
        return True
    system = kb.systems.get(offer.system)
    keywords = (*offer.keywords, *(system.keywords if system else ()))
    bare = name_words(offer, kb)
    beyond = [k for k in keywords if not set(words(k, kb.language.abbreviations)) <= bare]
    return _has_phrase(text, beyond, kb)


def asks_hours(text: str, phrases: tuple[str, ...], kb: KnowledgeBase) -> bool:
    """Whether a question asks for the offices' hours: one of the article's `office_hours`
    phrases ("que horas abre", "fim de semana") in it."""
    if not phrases or not _signals(text, kb).question:
        return False
    return _has_phrase(text, phrases, kb)


def _has_phrase(text: str, phrases: Iterable[str], kb: KnowledgeBase) -> bool:
    abbreviations = kb.language.abbreviations
    folded = words(text, abbreviations)
    found = PhraseSet(plain(p, abbreviations) for p in phrases)
    return found.found_in(f" {' '.join(folded)} ", set(folded))


def _signals(text: str, kb: KnowledgeBase) -> Signals:
    if not _readers or _readers[0][0] is not kb:
        _readers[:] = [(kb, SignalReader(kb))]
    return _readers[0][1].read(text)
