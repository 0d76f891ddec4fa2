"""The article shown for a message: solved, not solved, its section and its "Veja também"."""

from __future__ import annotations

from dataclasses import replace

from knowledge_base.decision import Decision
from knowledge_base.render import linked_articles
from knowledge_base.sections import sections

from . import answers, personal, routing, subjects, talk, triage_questions
from .actions import Action, Keyboard, NoteGap, Reply
from .events import Event, Text
from .keyboards import NOT_SOLVED, SOLVED, button
from .ports import Services
from .state import IDLE, ConversationState, CorruptState, Step, get_str
from .triage_context import Context

# Callback data prefixes of the article buttons (they work on old messages too).
OPEN_ARTICLE, FULL_ARTICLE = "a", "af"


def on_article(state: ConversationState, event: Event, services: Services) -> Step | None:
    """Solved, not solved (go on to support) or a new question."""
    context = Context.from_data(state.data)
    lang = services.kb.language
    if answers.yes(event, SOLVED):
        return subjects.done(context, Reply("article_solved"))
    if isinstance(event, Text) and talk.closing(event.text, lang):
        return subjects.done(context, Reply("smalltalk", {"kind": "thanks", "busy": False}))
    if isinstance(event, Text) and answers.is_word(event.text, answers.BACK):
        return Step(IDLE, prompt=True)
    if answers.no(event, NOT_SOLVED) or _asks_for_support(event, state, services):
        return _not_solved(state, event, context, services)
    # The article answered that question: anything else typed now is a new one, unless it
    # names no system and only makes sense as more of the same matter.
    if isinstance(event, Text) and event.text.strip():
        return _follow_up(state, event, context, services) or triage_questions.start(
            event.text, services
        )
    return None


def _not_solved(
    state: ConversationState, event: Event, context: Context, services: Services
) -> Step:
    """On to the support of the article's system, with what the user said."""
    article = services.kb.articles.get(get_str(state.data, "article"))
    if article is None:
        raise CorruptState("article gone")
    system = services.kb.systems.get(article.system)
    offers = list(article.offers) or list(system.offers if system else ())
    # Asking for support is a support problem even when the question was a how-to.
    grau = (answers.grau_of(event) if isinstance(event, Text) else None) or context.grau
    wanting = replace(context, text=context.text or article.title, grau=grau)
    gap = NoteGap("not_solved", context.text, article.id)
    return routing.route(offers, wanting, services, state.to_dict()).after(gap)


def _follow_up(
    state: ConversationState, event: Text, context: Context, services: Services
) -> Step | None:
    """A message naming no system that alone goes to another system, or nowhere, but read
    after the question the article answered stays in the article's system ("perdi o celular,
    o eproc pede o código" then "mas o e-mail cadastrado não é mais o meu"): the same article
    again means it did not solve the problem, unless alone it went nowhere (a question about
    the answer); another answer of that system is followed. None: a new question, triaged on
    its own."""
    article = services.kb.articles.get(get_str(state.data, "article"))
    masked = personal.mask_cpf(event.text)[0]
    alone = services.triage.decide(masked)
    if article is None or not context.text or alone.named:
        return None
    elsewhere = _system_of(alone, services)
    # Alone it goes nowhere ("mas hoje é dia útil, são 10h, por quê?"): a question about it.
    unplaced = elsewhere is None and (masked.rstrip().endswith("?") or len(masked.split()) > 3)
    if elsewhere == article.system or (elsewhere is None and not unplaced):
        return None
    together = services.triage.decide(f"{context.text}\n{masked}")
    if _system_of(together, services) != article.system:
        return None
    if unplaced:
        return routing.follow(together, context.adding(masked, together), services)
    if together.target == article.id:
        # The category the words found among the system's offers, as for a first message.
        category = next(
            (
                c.category
                for c in together.candidates
                if c.kind == "offer"
                and c.category
                and services.kb.offers[c.id].system == article.system
            ),
            None,
        )
        more = replace(context, text=f"{context.text}\n{masked}", category=category)
        return _not_solved(state, event, more, services)
    return routing.follow(together, context.adding(masked, together), services)


def prompt_article(state: ConversationState, services: Services) -> list[Action]:
    """The article (or one section of it), then whether it solved the problem.

    Under it: "Ver o artigo completo" when only a section was shown, and one button per
    article it links to ("Veja também").
    """
    article_id = get_str(state.data, "article")
    article = services.kb.articles.get(article_id)
    if article is None:
        raise CorruptState(f"unknown article {article_id!r}")
    section = state.data.get("section")
    if section is not None and (
        not isinstance(section, int) or not 0 <= section < len(sections(article))
    ):
        raise CorruptState(f"section {section!r} of {article_id!r}")
    keys: Keyboard = ((button("solved", SOLVED),), (button("not_solved", NOT_SOLVED),))
    if section is not None:
        keys += ((button("full_article", f"{FULL_ARTICLE}:{article_id}"),),)
    keys += see_also(article_id, services)
    params = {"article_id": article_id, "ticket_option": True, "section": section}
    return [Reply("article", params, keys)]


def see_also(article_id: str, services: Services) -> Keyboard:
    """One button per article the article links to."""
    kb = services.kb
    linked = [a for a in linked_articles(kb.articles[article_id].body) if a in kb.articles]
    return tuple(
        (button("see_also", f"{OPEN_ARTICLE}:{a}", title=kb.articles[a].title),) for a in linked
    )


def on_article_button(state: ConversationState, article_id: str, services: Services) -> Step:
    """A "Veja também" button, also on an old message: that article, with what the user said."""
    if article_id not in services.kb.articles:
        return Step(state, (Reply("not_understood"),), prompt=state.name != IDLE.name)
    context = Context.from_data(state.data) if state.name == "article" else Context()
    return routing.show_article(article_id, context, services)


def on_full_article(state: ConversationState, article_id: str, services: Services) -> Step:
    """ "Ver o artigo completo": the whole article, keeping the conversation about it."""
    return on_article_button(state, article_id, services)


def _asks_for_support(event: Event, state: ConversationState, services: Services) -> bool:
    """After an article, "pode abrir o chamado pra mim?" about the same thing: not solved."""
    if not isinstance(event, Text) or not talk.wants_person(event.text, services.kb.language):
        return False
    article = services.kb.articles.get(get_str(state.data, "article"))
    named = services.triage.decide(event.text).system
    return article is not None and named in (None, article.system)


def _system_of(decision: Decision, services: Services) -> str | None:
    """The system a decision leads to: its article's or offer's, else the one it names."""
    if decision.kind == "article" and decision.target in services.kb.articles:
        return services.kb.articles[decision.target].system
    if decision.kind == "offer" and decision.target in services.kb.offers:
        return services.kb.offers[decision.target].system
    return decision.system
