"""Triage of free text and its questions: the article shown, the grau, the system, the offer."""

from __future__ import annotations

from . import answers, routing
from .actions import Action, Keyboard, NoteGap, Reply
from .context import Context
from .events import Event, Text
from .keyboards import BACK, GRAU, NOT_SOLVED, SOLVED, button, column, named, navigation
from .ports import Services
from .state import IDLE, ConversationState, CorruptState, Step, get_mapping, get_str, get_strs

# Knowledge base text on choosing ONE of the two eproc offers by grau.
GRAU_TEXT = "eproc_escolha_grau"


def start(text: str, services: Services) -> Step:
    """Triage a new message and follow the decision."""
    decision = services.triage.decide(text)
    return routing.follow(decision, Context.of(text, decision), services)


def on_article(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Solved, not solved (go on to support) or a new question."""
    context = Context.from_data(state.data)
    if answers.yes(event, SOLVED):
        return Step(IDLE, (Reply("article_solved"),))
    if answers.no(event, NOT_SOLVED):
        article = services.kb.articles.get(get_str(state.data, "article"))
        if article is None:
            raise CorruptState("article gone")
        system = services.kb.systems.get(article.system)
        offers = list(article.offers) or list(system.offers if system else ())
        # Asking for support is a support problem even when the question was a how-to.
        grau = (answers.grau_of(event) if isinstance(event, Text) else None) or context.grau
        wanting = Context(context.text or article.title, context.category, grau)
        gap = NoteGap("not_solved", context.text, article.id)
        return routing.route(offers, wanting, services, state.to_dict()).after(gap)
    # The article answered that question: anything else typed now is a new one.
    if isinstance(event, Text) and event.text.strip():
        return start(event.text, services)
    return None


def on_ask_grau(state: ConversationState, event: Event, services: Services) -> Step | None:
    """1º grau / Colégio Recursal or 2º grau, by button or typed."""
    grau = answers.grau_of(event)
    if grau is None:
        return _back_or_rephrased(state, event, services)
    offers = get_strs(state.data, "offers")
    context = Context.from_data(state.data)
    chosen = Context(context.text, context.category, grau)
    return routing.route(list(offers), chosen, services, state.to_dict())


def on_ask_system(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The system the problem is about, by button, number or name."""
    kb = services.kb
    systems = [kb.systems[s] for s in get_strs(state.data, "systems") if s in kb.systems]
    index = answers.chosen(event, "s:", [(s.id, s.name, *s.keywords) for s in systems])
    if index is None:
        return _back_or_rephrased(state, event, services)
    system = systems[index]
    context = Context.from_data(state.data)
    if context.text:
        # Knowing the system, triage can often tell the category ("fora do ar" on the portal).
        decision = services.triage.decide(f"{context.text}\n{system.name}")
        if decision.system == system.id:
            context = Context(
                context.text, decision.category or context.category, decision.grau or context.grau
            )
    return routing.route(list(system.offers), context, services, state.to_dict())


def on_ask_offer(state: ConversationState, event: Event, services: Services) -> Step | None:
    """The offer, when a system has several that do not split by grau."""
    kb = services.kb
    offers = [kb.offers[o] for o in get_strs(state.data, "offers") if o in kb.offers]
    index = answers.chosen(event, "o:", [(o.id, o.name) for o in offers])
    if index is None:
        return _back_or_rephrased(state, event, services)
    context = Context.from_data(state.data)
    return routing.to_offer(offers[index], context, services, state.to_dict())


def prompt_article(state: ConversationState, services: Services) -> list[Action]:
    """The article, then whether it solved the problem."""
    article_id = get_str(state.data, "article")
    if article_id not in services.kb.articles:
        raise CorruptState(f"unknown article {article_id!r}")
    keys = ((button("solved", SOLVED),), (button("not_solved", NOT_SOLVED),))
    return [Reply("article", {"article_id": article_id, "ticket_option": True}, keys)]


def prompt_ask_grau(state: ConversationState, services: Services) -> list[Action]:
    """Ask the grau, naming the category triage found."""
    context = Context.from_data(state.data)
    kb = services.kb
    offers = [kb.offers[o] for o in get_strs(state.data, "offers") if o in kb.offers]
    category = next((c for o in offers if (c := o.category(context.category or ""))), None)
    params = {
        "category": category.label if category else None,
        "hint": kb.texts.get(GRAU_TEXT, ""),
    }
    return [Reply("ask_grau", params, GRAU + _navigation(state))]


def prompt_ask_system(state: ConversationState, services: Services) -> list[Action]:
    """Ask which system, one button each."""
    kb = services.kb
    systems = [kb.systems[s] for s in get_strs(state.data, "systems") if s in kb.systems]
    keys = column(named(s.name, f"s:{i}") for i, s in enumerate(systems))
    params = {"systems": [s.name for s in systems], "described": bool(state.data.get("text"))}
    return [Reply("ask_system", params, keys + _navigation(state))]


def prompt_ask_offer(state: ConversationState, services: Services) -> list[Action]:
    """Ask which offer, with what each one is for."""
    kb = services.kb
    offers = [kb.offers[o] for o in get_strs(state.data, "offers") if o in kb.offers]
    keys = column(named(o.name, f"o:{i}") for i, o in enumerate(offers))
    params = {"offers": [{"name": o.name, "purpose": o.purpose} for o in offers]}
    return [Reply("ask_offer", params, keys + _navigation(state))]


def _navigation(state: ConversationState) -> Keyboard:
    return navigation(back=get_mapping(state.data, "origin") is not None)


def _back_or_rephrased(state: ConversationState, event: Event, services: Services) -> Step | None:
    origin = get_mapping(state.data, "origin")
    if answers.said(event, BACK, answers.BACK):
        return Step(ConversationState.from_dict(origin), prompt=True) if origin else None
    return _rephrased(event, Context.from_data(state.data), services)


def _rephrased(event: Event, context: Context, services: Services) -> Step | None:
    """Free text that answers no question: triage it together with what came before."""
    if not isinstance(event, Text) or not event.text.strip():
        return None
    if not context.text:
        return start(event.text, services)
    decision = services.triage.decide(f"{context.text}\n{event.text}")
    return routing.follow(decision, context.adding(event.text, decision), services)
