"""Two problems in one message: say both, ask which first, offer the other when one is done."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from knowledge_base.decision import Decision

from . import answers, routing
from .actions import Action, Reply
from .events import Button, Event, Text
from .keyboards import button, column, named, navigation
from .ports import Services
from .state import IDLE, ConversationState, CorruptState, Step, get_strs
from .triage_context import Context

ASK = "ask_subject"
PENDING = "pending"
NEXT = "sub:next"
# A part shorter than this many words is not a problem of its own ("tenho duas coisas").
MIN_WORDS = 3
# Decisions that name a problem's destination; `none` and `clarify:sistema` do not.
_KINDS = ("article", "offer")
_ORDINALS = (("1", "primeiro", "primeira"), ("2", "segundo", "segunda"))


def ask_if_two(text: str, services: Services) -> Step | None:
    """Ask which problem first when the parts of a message go to two different systems: parts
    split at sentence ends and the language file's joins, else at its weak joins too ("e")."""
    language = services.kb.language
    step = _ask_if_two(text, language.joins, services)
    if step is None and language.weak_joins:
        step = _ask_if_two(text, (*language.joins, *language.weak_joins), services)
    return step


def _ask_if_two(text: str, joins: tuple[str, ...], services: Services) -> Step | None:
    parts = [p for p in _parts(text, joins) if len(p.split()) >= MIN_WORDS]
    if len(parts) < 2:
        return None
    found: list[tuple[str, Decision]] = []
    for part in parts:
        decision = services.triage.decide(part)
        routed = decision.kind in _KINDS or decision.label == "clarify:grau"
        # Each part must name its system: a sentence of a long story that only resembles an
        # article of another system ("ninguém sabe") is detail, not a second problem.
        named = routed and decision.system is not None and decision.system in decision.named
        if named and all(decision.system != d.system for _, d in found):
            found.append((part, decision))
    if len(found) < 2:
        return None
    data = {"subjects": [part for part, _ in found[:2]], "text": text}
    return Step(ConversationState(ASK, data), prompt=True)


def on_ask(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The problem to treat first, by button, number, order word or the system it names."""
    parts = list(get_strs(state.data, "subjects"))
    if len(parts) != 2:
        raise CorruptState(f"subjects: expected two, got {parts!r}")
    index = _chosen(event, parts, services)
    if index is None:
        return None
    first, other = parts[index], parts[1 - index]
    decision = services.triage.decide(first)
    context = Context.of(first, decision)
    return routing.follow(decision, replace(context, pending=other), services)


def prompt(state: ConversationState, services: Services) -> list[Action]:
    """Both problems, one button each."""
    parts = list(get_strs(state.data, "subjects"))
    if len(parts) != 2:
        raise CorruptState(f"subjects: expected two, got {parts!r}")
    keys = column(named(_short(p), f"sub:{i}") for i, p in enumerate(parts))
    return [Reply(ASK, {"subjects": parts}, keys + navigation(back=False))]


def done(context: Context, *actions: Action) -> Step:
    """The first problem is done: offer the one left waiting, if any."""
    if not context.pending:
        return Step(IDLE, actions)
    keys = ((button("next_subject", NEXT),),)
    offer = Reply("next_subject", {"subject": context.pending}, keys)
    return Step(ConversationState(IDLE.name, {PENDING: context.pending}), (*actions, offer))


def _chosen(event: Event, parts: list[str], services: Services) -> int | None:
    if isinstance(event, Button):
        data = event.data.removeprefix("sub:")
        return int(data) if data.isdigit() and int(data) < len(parts) else None
    if not isinstance(event, Text):
        return None
    named_system = services.triage.decide(event.text).system
    systems = [services.triage.decide(p).system for p in parts]
    if named_system and systems.count(named_system) == 1:
        return systems.index(named_system)
    words = set(answers.normalize(event.text).split())
    # "o acesso primeiro": a word of one problem only says which, before any order word.
    ordinals = {name for names in _ORDINALS for name in names}
    own = words - services.kb.language.stopwords - ordinals
    by_words = [i for i, p in enumerate(parts) if own & set(answers.normalize(p).split())]
    if len(by_words) == 1:
        return by_words[0]
    by_order = [i for i, names in enumerate(_ORDINALS) if words & set(names)]
    return by_order[0] if len(by_order) == 1 else None


def _parts(text: str, joins: tuple[str, ...]) -> list[str]:
    return [p.strip() for p in _splitter(joins).split(text) if p and p.strip()]


@lru_cache(maxsize=8)
def _splitter(joins: tuple[str, ...]) -> re.Pattern[str]:
    """Sentence ends and the language file's joining phrases ("e também", "e o"); not colons,
    which introduce what the words before them are about ("uma ideia de tema: localizadores")."""
    phrases = "|".join(_join(j) for j in sorted(joins, key=len, reverse=True) if j.split())
    alternatives = r"[.;!?]+\s+|[.;!?]+$" + (rf"|\s+(?:{phrases})" if phrases else "")
    return re.compile(alternatives, re.IGNORECASE)


def _join(phrase: str) -> str:
    """A joining phrase whose first word is dropped and whose other words open the next part:
    in "e o SEI não deixa", "o" is what makes "SEI" a name."""
    first, *rest = phrase.split()
    after = rf"(?={re.escape(' '.join(rest))}\s)" if rest else ""
    return rf"{re.escape(first)}\s+{after}"


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
