"""Advice that needs the triage engine: articles nothing leads to, synonyms two articles share.

These are warnings: the base still works, but an editor's article may never be shown, or triage
may hesitate between two articles. They run the engine read-only, so `kb lint` and the bot's
reload give them; loading alone (every start, every test) skips the cost.
"""

from __future__ import annotations

from .models import KnowledgeBase
from .normalize import fold
from .problems import Problem
from .render import article_links
from .triage import Triage


def advice(kb: KnowledgeBase, triage: Triage) -> list[Problem]:
    """Warnings about how triage reaches the articles of `kb`."""
    return unreachable_articles(kb, triage) + shared_synonyms(kb)


def unreachable_articles(kb: KnowledgeBase, triage: Triage) -> list[Problem]:
    """Articles that none of their own phrases leads to, and that no article links to."""
    linked = {target for a in kb.articles.values() for _, target in article_links(a.body)}
    problems = []
    for article in kb.articles.values():
        if article.id in linked:
            continue
        label = f"article:{article.id}"
        phrases = (article.title, *article.synonyms, *article.questions)
        if not any(triage.decide(p).label == label for p in phrases):
            problems.append(
                Problem.warn(article.path, article.line_of("title"), "article_unreachable")
            )
    return problems


def shared_synonyms(kb: KnowledgeBase) -> list[Problem]:
    """A synonym written in two articles, reported at the second (by file name)."""
    owner: dict[str, str] = {}
    problems = []
    for article in sorted(kb.articles.values(), key=lambda a: a.path):
        for synonym in article.synonyms:
            key = " ".join(fold(synonym).split())
            first = owner.setdefault(key, article.id)
            if first != article.id:
                problems.append(
                    Problem.warn(
                        article.path,
                        article.line_of("synonyms"),
                        "synonym_shared",
                        value=synonym,
                        other=first,
                    )
                )
    return problems
