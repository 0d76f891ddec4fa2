"""Load the knowledge base directory and check it: every problem, or a ready KnowledgeBase.

Problems are reported root cause first: a file that cannot be read comes before what only
follows from it, and those consequences (links to an article that did not parse, references to
offers when offers.toml did not parse) are summed up in one line instead of listed.
"""

from __future__ import annotations

from pathlib import Path

from .article_checks import article_problems
from .article_files import read_article
from .catalog_checks import catalog_problems
from .clocks_file import read_clocks
from .language_file import read_language
from .models import Article, KnowledgeBase
from .offers_file import read_offers
from .problems import KnowledgeBaseError, Problem, errors

OFFERS_FILE = "offers.toml"
LANGUAGE_FILE = "language.toml"
CLOCKS_FILE = "clocks.toml"
ARTICLES_DIR = "articles"
# Problems that stop a file from being read at all: every other problem may follow from them.
ROOT_CODES = frozenset(
    {
        "file_unreadable",
        "fm_missing",
        "fm_unclosed",
        "fm_not_mapping",
        "yaml_unclosed_quote",
        "yaml_colon",
        "yaml_unclosed_list",
        "yaml_syntax",
        "toml_unclosed_string",
        "toml_missing_equals",
        "toml_unclosed_array",
        "toml_bad_value",
        "toml_duplicate",
        "toml_syntax",
        "toml_key_chars",
        "toml_table_header",
        "catalog_missing",
    }
)
FOLLOW_CODES = frozenset({"links_follow_unread", "refs_follow_catalog"})


def read_knowledge_base(root: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Read everything under root and return what could be read plus every problem found."""
    if not root.is_dir():
        return KnowledgeBase(root=root), [Problem.of(root, 1, "kb_dir_missing")]
    catalog = read_offers(root / OFFERS_FILE)
    problems = list(catalog.problems)
    language, language_problems = read_language(root / LANGUAGE_FILE)
    problems += language_problems
    clocks, clock_problems = read_clocks(root / CLOCKS_FILE)
    problems += clock_problems
    articles: dict[str, Article] = {}
    unread: dict[str, Problem] = {}
    files = sorted((root / ARTICLES_DIR).glob("*.md"))
    if not files:
        problems.append(Problem.of(root / ARTICLES_DIR, 1, "no_articles"))
    for path in files:
        article, found = read_article(path)
        problems += found
        if article is None:
            unread[path.stem] = next((p for p in found if p.code in ROOT_CODES), found[0])
            continue
        if article.id in articles:
            first = articles[article.id].path
            problems.append(
                Problem.of(
                    path, article.line_of("id"), "id_duplicate", value=article.id, other=first
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
    # A warning, not an error: renaming an offer must not block a reload; its old clock rule
    # is simply unused until the editor renames it in clocks.toml too.
    problems += [
        Problem.warn(root / CLOCKS_FILE, rule.line or 1, f"oferta desconhecida '{rule.offer_id}'")
        for rule in clocks.values()
        if rule.offer_id not in kb.offers
    ]
    if not catalog.unread:
        offers_text = (root / OFFERS_FILE).read_text(encoding="utf-8")
        problems += [
            p
            for p in catalog_problems(kb, root / OFFERS_FILE, offers_text)
            if p.param("value") not in catalog.broken
        ]
    catalog_root = catalog.problems[0] if catalog.unread and catalog.problems else None
    problems += article_problems(kb, catalog_root, catalog.broken, unread)
    return kb, ordered(problems)


def load_knowledge_base(root: Path) -> KnowledgeBase:
    """The knowledge base at root; raises KnowledgeBaseError listing every error."""
    kb, problems = read_knowledge_base(root)
    if errors(problems):
        raise KnowledgeBaseError(errors(problems))
    return kb


def ordered(problems: list[Problem]) -> list[Problem]:
    """Root causes first (each followed by its summary of consequences), then errors by file
    and line, then warnings."""
    return sorted(
        set(problems),
        key=lambda p: (
            p.code not in ROOT_CODES | FOLLOW_CODES,
            p.severity == "warning",
            p.path,
            p.line,
            p.code in FOLLOW_CODES,
            p.code,
            p.params,
        ),
    )
