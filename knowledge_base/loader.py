"""Load the knowledge base directory and check it: every problem, or a ready KnowledgeBase."""

from __future__ import annotations

from pathlib import Path

from .articles import read_article
from .clocks_file import read_clocks
from .language_file import read_language
from .models import Article, KnowledgeBase, Offer
from .offers_file import read_offers
from .problems import KnowledgeBaseError, Problem
from .render import TELEGRAM_LIMIT, article_links, render_article

OFFERS_FILE = "offers.toml"
LANGUAGE_FILE = "language.toml"
CLOCKS_FILE = "clocks.toml"
ARTICLES_DIR = "articles"


def read_knowledge_base(root: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Read everything under root and return what could be read plus every problem found."""
    problems: list[Problem] = []
    if not root.is_dir():
        return KnowledgeBase(root=root), [Problem(root, 1, "knowledge base directory not found")]
    catalog = read_offers(root / OFFERS_FILE)
    problems += catalog.problems
    language, language_problems = read_language(root / LANGUAGE_FILE)
    problems += language_problems
    clocks, clock_problems = read_clocks(root / CLOCKS_FILE)
    problems += clock_problems
    articles: dict[str, Article] = {}
    files = sorted((root / ARTICLES_DIR).glob("*.md"))
    if not files:
        problems.append(Problem(root / ARTICLES_DIR, 1, "no articles found"))
    for path in files:
        article, found = read_article(path)
        problems += found
        if article is None:
            continue
        if article.id in articles:
            first = articles[article.id].path
            problems.append(
                Problem(
                    path, article.line_of("id"), f"duplicate id '{article.id}' (also in {first})"
                )
            )
            continue
        articles[article.id] = article
    kb = KnowledgeBase(
        root=root,
        articles=articles,
        offers=catalog.offers,
        systems=catalog.systems,
        texts=catalog.texts,
        language=language,
        clocks=clocks,
    )
    problems += [
        Problem(root / CLOCKS_FILE, rule.line or 1, f"oferta desconhecida '{rule.offer_id}'")
        for rule in clocks.values()
        if rule.offer_id not in kb.offers
    ]
    # An offer already reported as broken is not reported again at every reference to it.
    problems += [p for p in _cross_references(kb) if not _about(p, catalog.broken)]
    return kb, sorted(set(problems))


def load_knowledge_base(root: Path) -> KnowledgeBase:
    """The knowledge base at root; raises KnowledgeBaseError listing every problem."""
    kb, problems = read_knowledge_base(root)
    if problems:
        raise KnowledgeBaseError(problems)
    return kb


def _cross_references(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    for article in kb.articles.values():
        problems += _article_references(article, kb)
    for offer in kb.offers.values():
        problems += _offer_references(offer, kb)
    offers_path = kb.root / OFFERS_FILE
    for system in kb.systems.values():
        for offer_id in system.offers:
            if offer_id not in kb.offers:
                message = f"system '{system.id}': unknown offer '{offer_id}'"
                problems.append(Problem(offers_path, system.line or 1, message))
    return problems


def _article_references(article: Article, kb: KnowledgeBase) -> list[Problem]:
    problems = []
    path = article.path
    if kb.systems and article.system not in kb.systems and article.system != "geral":
        problems.append(
            Problem(path, article.line_of("system"), f"unknown system '{article.system}'")
        )
    for offer_id in article.offers:
        if offer_id not in kb.offers:
            problems.append(Problem(path, article.line_of("offers"), f"unknown offer '{offer_id}'"))
    for offset, target in article_links(article.body):
        if target not in kb.articles:
            problems.append(
                Problem(path, article.body_line + offset, f"broken link to article '{target}'")
            )
    for number, part in enumerate(render_article(article), start=1):
        if len(part) > TELEGRAM_LIMIT:
            problems.append(
                Problem(
                    path,
                    article.body_line,
                    f"part {number} renders to {len(part)} characters, over Telegram's "
                    f"{TELEGRAM_LIMIT}: add a '<!-- parte -->' line where it may be split",
                )
            )
    return problems


def _offer_references(offer: Offer, kb: KnowledgeBase) -> list[Problem]:
    path = kb.root / OFFERS_FILE
    problems = []
    if kb.systems and offer.system not in kb.systems:
        problems.append(
            Problem(path, offer.line, f"offer '{offer.id}': unknown system '{offer.system}'")
        )
    for target in offer.support_redirect:
        if target not in kb.offers:
            problems.append(
                Problem(path, offer.line, f"offer '{offer.id}': unknown redirect '{target}'")
            )
    kinds = [f.kind for f in offer.fields]
    if "category" in kinds and not offer.categories:
        problems.append(
            Problem(path, offer.line, f"offer '{offer.id}': category field but no categories")
        )
    for f in offer.fields:
        if f.kind == "choice" and not f.choices:
            problems.append(
                Problem(path, offer.line, f"offer '{offer.id}': field '{f.id}' has no choices")
            )
    seen: set[str] = set()
    for c in offer.categories:
        if c.id in seen:
            problems.append(
                Problem(path, offer.line, f"offer '{offer.id}': duplicate category '{c.id}'")
            )
        seen.add(c.id)
    return problems


def _about(problem: Problem, offer_ids: set[str]) -> bool:
    return any(f"unknown offer '{o}'" in problem.message for o in offer_ids)
