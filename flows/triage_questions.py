"""Triage of free text and its questions: the grau, the system, the offer (article_answers.py:
the article shown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge_base.decision import Decision

from . import answers, personal, routing, subjects, talk
from .actions import Action, Keyboard, Reply
from .events import Button, Event, Text
from .keyboards import (
    BACK,
    GRAU,
    GRAU_UNKNOWN,
    button,
    column,
    named,
    navigation,
)
from .ports import Services
from .state import ConversationState, Step, get_mapping, get_strs
from .triage_context import Context

# Knowledge base texts on choosing ONE of the two eproc offers by grau, and on telling the grau.
GRAU_TEXT = "escolha_de_grau"
GRAU_HELP_TEXT = "como_saber_o_grau"
# Set once the grau was explained: a second "não sei" lets the team decide.
HELPED = "helped"


def start(text: str, services: Services) -> Step:
    """Triage a new message and follow the decision.

    A CPF is masked before anything keeps the text; a frustrated user hears it acknowledged;
    a message with two problems asks which comes first.
    """
    lang = services.kb.language
    masked, had_cpf = personal.mask_cpf(text)
    notes = []
    if talk.frustrated(text, lang):
        notes.append(Reply("frustration_ack"))
    if had_cpf:
        notes.append(Reply("cpf_notice"))
    two = subjects.ask_if_two(masked, services)
    if two is not None:
        return two.after(*notes)
    decision = services.triage.decide(masked)
    return routing.follow(decision, Context.of(masked, decision), services).after(*notes)


def on_ask_grau(state: ConversationState, event: Event, services: Services) -> Step | None:
    """1º grau / Colégio Recursal or 2º grau, by button, typed, or told by where the case is.

    "Não sei" explains how to tell; a second one (or the button) lets the team confirm it: the
    ticket goes to the 1º grau offer marked "grau a confirmar".
    """
    offers = get_strs(state.data, "offers")
    context = Context.from_data(state.data)
    grau = answers.grau_of(event)
    unknown = isinstance(event, Button) and event.data == GRAU_UNKNOWN
    if grau is None and isinstance(event, Text):
        # "corre na 2ª vara cível", "não sei, está com um desembargador": where the case is
        # tells the grau, "não sei" or not.
        decision = services.triage.decide(personal.mask_cpf(event.text)[0])
        if _elsewhere(decision, offers, services):
            # "antes disso: qual o horário do balcão virtual da vara?" is another system's
            # matter, not where the case is: that first, this one offered when it is done.
            return _another_matter(event.text, context, services)
        grau = decision.grau
        if grau is None and talk.dont_know(event.text, services.kb.language):
            if not state.data.get(HELPED):
                helped = ConversationState(state.name, {**state.data, HELPED: True})
                hint = services.kb.texts.get(GRAU_HELP_TEXT, "")
                return Step(helped, (Reply("grau_help", {"hint": hint}),), prompt=True)
            unknown = True
    if unknown:
        chosen = replace(context, grau="1", grau_unsure=True)
        return routing.route(list(offers), chosen, services, state.to_dict())
    if grau is None:
        return _back_or_rephrased(state, event, services)
    chosen = replace(context, grau=grau)
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
            # The name's own words ("ferramenta", "serviços") must not pick the category: the
            # message alone may tell it for one of this system's offers.
            alone = services.triage.decide(context.text).candidates
            told = (
                c.category
                for c in alone
                if c.kind == "offer" and c.id in system.offers and c.category
            )
            context = replace(
                context,
                category=decision.category or next(told, None) or context.category,
                grau=decision.grau or context.grau,
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
    unknown = ((button("grau_unknown", GRAU_UNKNOWN),),) if state.data.get(HELPED) else ()
    return [Reply("ask_grau", params, GRAU + unknown + _navigation(state))]


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


def _elsewhere(decision: Decision, offers: Sequence[str], services: Services) -> bool:
    """Whether a reply names only systems other than the one of the offers being chosen."""
    asked = {services.kb.offers[o].system for o in offers if o in services.kb.offers}
    return bool(decision.named) and asked.isdisjoint(decision.named)


def _another_matter(text: str, context: Context, services: Services) -> Step:
    """A new matter raised at a question: triaged alone, the one in progress kept for later."""
    masked = personal.mask_cpf(text)[0]
    decision = services.triage.decide(masked)
    later = replace(Context.of(masked, decision), pending=context.text)
    return routing.follow(decision, later, services)


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
    text, had_cpf = personal.mask_cpf(event.text)
    decision = services.triage.decide(f"{context.text}\n{text}")
    step = routing.follow(decision, context.adding(text, decision), services)
    return step.after(Reply("cpf_notice")) if had_cpf else step
