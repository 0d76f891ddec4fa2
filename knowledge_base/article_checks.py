"""Checks of the articles once everything is read: systems, offers and links they name, bodies.

References that cannot be checked because their target did not parse are counted into one
summary at the cause ("3 links broken only because this file was not read").
"""

from __future__ import annotations

from collections import Counter

from .body_checks import body_problems
from .models import KnowledgeBase
from .problems import Problem
from .render import article_links

# Articles of no particular system.
GENERAL_SYSTEM = "geral"


def article_problems(
    kb: KnowledgeBase,
    catalog_root: Problem | None,
    broken_offers: set[str],
    unread: dict[str, Problem],
) -> list[Problem]:
    """Each article's references and body; `catalog_root` is why offers.toml was not read (its
    references are then counted, not checked), `unread` the files that did not parse by id."""
    catalog_unread = catalog_root is not None
    problems: list[Problem] = []
    follows: Counter[str] = Counter()
    known_systems = ", ".join(sorted(kb.systems))
    known_offers = ", ".join(sorted(kb.offers))
    skipped_refs = 0
    for article in kb.articles.values():
        path = article.path
        if kb.systems and article.system not in kb.systems and article.system != GENERAL_SYSTEM:
            problems.append(
                Problem.of(
                    path,
                    article.line_of("system"),
                    "system_unknown",
                    value=article.system,
                    known=known_systems,
                )
            )
        elif catalog_unread and article.system != GENERAL_SYSTEM:
            skipped_refs += 1
        for offer_id in article.offers:
            if catalog_unread:
                skipped_refs += 1
            elif offer_id not in kb.offers and offer_id not in broken_offers:
                problems.append(
                    Problem.of(
                        path,
                        article.line_of("offers"),
                        "offer_unknown",
                        value=offer_id,
                        known=known_offers,
                    )
                )
        for offset, target in article_links(article.body):
            if target in unread:
                follows[target] += 1
            elif target not in kb.articles:
                problems.append(
                    Problem.of(path, article.body_line + offset, "link_broken", value=target)
                )
        problems += body_problems(article)
    for target, count in follows.items():
        root = unread[target]
        problems.append(Problem.of(root.path, root.line, "links_follow_unread", count=count))
    if catalog_root is not None and skipped_refs:
        problems.append(
            Problem.of(
                catalog_root.path, catalog_root.line, "refs_follow_catalog", count=skipped_refs
            )
        )
    return problems
