"""Turn a ranking into one of the catalog's decisions: article, offer, clarify or none.

Scores are the share of the message's information a candidate explains (0..1).

- ELSEWHERE: a message about another organization's service (language.toml `elsewhere`) that
  names none of our systems outright is `none`, whatever it resembles.
- A service offer (not support: "suggest a topic for the next Infoeproc") whose system the
  message names and whose category its words found goes first, when the message reports no
  problem and asks no question: a suggestion names its topic's words, which belong to other
  offers ("propor um Infoeproc sobre o domicílio judicial eletrônico").
- NONE_BELOW: under it nothing fits. A message naming a system goes to that system's offer;
  one that still looks like IT support is `clarify:sistema`; anything else is `none`.
- SURE_ABOVE: a candidate this strong is trusted even when the message names no system.
  Below it, or with less topical EVIDENCE than MIN_EVIDENCE (the summed idf of the message's
  known topic words), a reported problem that names no system is `clarify:sistema`.
- A problem report or a request for a person whose best match is an article under SURE_ABOVE
  (the article does not recognise the problem) goes to that article's support offer; an
  explicit request for a person ("quero abrir um chamado") always does. An article written for
  a problem (front matter `for_problems`) that leads every offer by PROBLEM_ARTICLE_LEAD keeps
  the report, even where a how-to article ranks above it: it recognises the problem.
- NAMED_ONLY: a message that names a system and says nothing else topical (no question) goes to
  that system's offers.
- An unsure or unmatched problem that names no system but names a grau belongs to the one
  system whose offers are split by grau (eproc).
- A system whose offers are split by grau (eproc) needs the grau: unknown -> `clarify:grau`.
- A problem whose best match is an offer of a system other than the one the message names goes
  to the named system's offers.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from .decision import Candidate, Decision, Ranking
from .models import Article, KnowledgeBase

NONE_BELOW = 0.16
SURE_ABOVE = 0.45
MIN_EVIDENCE = 2.0
TOP = 5
# Less topical evidence than this besides naming a system: the message only names the system.
NAMED_ONLY = 0.5
# How many times the best offer's score an article for problems needs to answer a report.
PROBLEM_ARTICLE_LEAD = 1.5


class _Common(TypedDict):
    """What every decision for one ranking carries."""

    candidates: tuple[Candidate, ...]
    grau: Literal["1", "2"] | None
    named: tuple[str, ...]


def decide(kb: KnowledgeBase, ranking: Ranking) -> Decision:
    """Pick the decision for a ranking; each branch is one rule of the module docstring.

    Each branch builds its Decision once (no `dataclasses.replace` chains: they cost more than
    the rest of the decision).
    """
    signals = ranking.signals
    candidates = tuple(sorted(ranking.articles[:TOP] + ranking.offers[:TOP], key=_key))[:TOP]
    best = candidates[0] if candidates else None
    named = signals.systems[0] if signals.systems else None
    common = _Common(candidates=candidates, grau=signals.grau, named=signals.systems)
    if signals.elsewhere:
        # "o balcão do Detran abre sábado?": another organization's service, not this desk.
        return Decision("none", **common)
    service = _named_service(kb, ranking)
    if service is not None and not (signals.problem or signals.question):
        system = kb.offers[service.id].system
        return Decision("offer", service.id, service.category, system=system, **common)
    if best is None or best.score < NONE_BELOW:
        if named:
            # A long story dilutes every score; the named system's best offer still tells the
            # category its topic words found.
            mine = next((c for c in ranking.offers if kb.offers[c.id].system == named), None)
            category = (
                mine.category if mine is not None and (mine is best or signals.problem) else None
            )
            return _route(kb, common, named, named, None, category)
        if signals.problem or signals.request:
            return _by_grau(kb, ranking, common)
        if signals.support:
            return _ask_system(kb, common, named)
        return Decision("none", system=named, **common)
    if named and ranking.evidence < NAMED_ONLY and not signals.question:
        # "preciso de ajuda com o eproc": the system and nothing else; its offers, not a guess.
        return _route(kb, common, named, named, None, None)
    unsure = best.score < SURE_ABOVE or ranking.evidence < MIN_EVIDENCE
    if not named and unsure and (signals.problem or signals.request):
        return _by_grau(kb, ranking, common)
    if best.kind == "offer":
        system = kb.offers[best.id].system
        if named and system not in signals.systems:
            # "esqueci minha senha do SEI": the system named wins over another system's offer
            # that shares the topic's words (every offer takes passwords); the category is
            # what the words found among the named system's own offers.
            mine = next((c for c in ranking.offers if kb.offers[c.id].system == named), None)
            category = mine.category if mine is not None else None
            return _route(kb, common, named, named, None, category)
        return _route(kb, common, named, system, best.id, best.category)
    article = kb.articles[best.id]
    explicit = signals.request and not signals.question
    reported = signals.problem and not signals.question and best.score < SURE_ABOVE
    if reported:
        # The article written for this problem, if one leads every offer far enough; it may
        # rank just under a how-to article that shares the problem's words.
        offer_best = max((c.score for c in ranking.offers), default=0.0)
        for_problem = next((c for c in ranking.articles if kb.articles[c.id].for_problems), None)
        if for_problem is not None and for_problem.score >= PROBLEM_ARTICLE_LEAD * offer_best:
            return Decision("article", for_problem.id, system=named, **common)
    if explicit or reported:
        offer = next((c for c in ranking.offers if _serves(kb, c.id, article)), None)
        if offer is not None or article.offers:
            category = offer.category if offer else None
            offer_id = offer.id if offer else None
            return _route(kb, common, named, article.system, offer_id, category)
    return Decision("article", best.id, system=named, **common)


def _route(
    kb: KnowledgeBase,
    common: _Common,
    named: str | None,
    system_id: str,
    offer_id: str | None,
    category: str | None,
) -> Decision:
    """The offer of a system; where the system splits its offers by grau, ask for it if unknown.

    `named` is the system the message names, kept when asking for the system instead.
    """
    system = kb.systems.get(system_id)
    offers = [kb.offers[o] for o in (system.offers if system else ()) if o in kb.offers]
    by_grau = {o.grau: o for o in offers if o.grau}
    if by_grau:
        grau = common["grau"]
        if grau in by_grau:
            return Decision("offer", by_grau[grau].id, category, system=system_id, **common)
        options = tuple(o.id for o in offers)
        return Decision("clarify", "grau", category, options=options, system=system_id, **common)
    target = offer_id or (offers[0].id if offers else None)
    if target is None:
        return _ask_system(kb, common, named)
    return Decision("offer", target, category, system=system_id, **common)


def _named_service(kb: KnowledgeBase, ranking: Ranking) -> Candidate | None:
    """The best service offer of a named system whose category the message's words found."""
    for candidate in ranking.offers:
        offer = kb.offers[candidate.id]
        named = offer.system in ranking.signals.systems
        if offer.kind == "servico" and named and candidate.category is not None:
            return candidate
    return None


def _by_grau(kb: KnowledgeBase, ranking: Ranking, common: _Common) -> Decision:
    """A problem naming no system: the system split by grau if it names a grau, else ask.

    "no segundo grau não consigo protocolar", "Turma recursal: as automatizações pararam": only
    one system is split by grau.
    """
    system = _split_by_grau(kb) if ranking.signals.grau else None
    if system is None:
        return _ask_system(kb, common, None)
    category = next((c.category for c in ranking.offers if c.category), None)
    return _route(kb, common, system, system, None, category)


def _split_by_grau(kb: KnowledgeBase) -> str | None:
    """The one system whose offers are split by grau, if exactly one is."""
    split = {o.system for o in kb.offers.values() if o.grau}
    return next(iter(split)) if len(split) == 1 else None


def _ask_system(kb: KnowledgeBase, common: _Common, named: str | None) -> Decision:
    """Ask which system the message is about."""
    return Decision("clarify", "sistema", options=tuple(kb.systems), system=named, **common)


def _serves(kb: KnowledgeBase, offer_id: str, article: Article) -> bool:
    """An offer the article sends users to, or any offer of the article's system."""
    return offer_id in article.offers or kb.offers[offer_id].system == article.system


def _key(candidate: Candidate) -> tuple[float, str, str]:
    # Ties by label ("article:x" < "offer:y"): kinds differ at their first letter, so comparing
    # kind then id orders as the label does, without building it.
    return (-candidate.score, candidate.kind, candidate.id)
