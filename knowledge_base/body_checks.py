"""Checks of an article's Markdown body: what would reach users broken or unsafe."""

from __future__ import annotations

import re

from .lint_messages import quote
from .models import Article
from .problems import Problem
from .render import ARTICLE_LINK, SPLIT_MARKER, TELEGRAM_LIMIT, render_article

# Link targets an article may use: web pages, other articles, phone numbers. Anything else
# (javascript:, data:, file:) is refused rather than handed to users' clients.
ALLOWED_SCHEMES = ("https://", "http://", ARTICLE_LINK, "tel:")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BULLET = re.compile(r"^\s*[*]\s+")


def body_problems(article: Article) -> list[Problem]:
    """Raw HTML, unpaired `**`/`*`, incomplete links, disallowed link targets, long parts."""
    problems: list[Problem] = []
    path = article.path
    for offset, row in enumerate(article.body.splitlines()):
        line = article.body_line + offset
        if row.strip() == SPLIT_MARKER:
            continue
        tag = _TAG.search(row)
        if tag:
            problems.append(Problem.of(path, line, "html_raw", value=tag.group(0)))
        links = list(_LINK.finditer(row))
        for link in links:
            target = link.group(2)
            if not target.startswith(ALLOWED_SCHEMES):
                problems.append(Problem.of(path, line, "link_scheme", value=target))
        text = _LINK.sub(lambda m: m.group(1), row)
        if "](" in text:
            problems.append(Problem.of(path, line, "md_link_open", quoted=quote(row)))
        text = _BULLET.sub("", text)
        if text.count("**") % 2:
            problems.append(Problem.of(path, line, "md_bold_open"))
        elif text.replace("**", "").count("*") % 2:
            problems.append(Problem.of(path, line, "md_italic_open"))
    for number, part in enumerate(render_article(article), start=1):
        if len(part) > TELEGRAM_LIMIT:
            problems.append(
                Problem.of(
                    path,
                    article.body_line,
                    "part_too_long",
                    number=number,
                    length=len(part),
                    limit=TELEGRAM_LIMIT,
                )
            )
    return problems
