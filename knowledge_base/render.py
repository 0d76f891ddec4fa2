"""Render an article's Markdown body as Telegram HTML, split where the editor allows."""

from __future__ import annotations

import html
import re

from .models import Article

TELEGRAM_LIMIT = 4096
SPLIT_MARKER = "<!-- parte -->"
ARTICLE_LINK = "artigo:"

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_SEE_ALSO = re.compile(r"^veja tamb[eé]m:?$", re.IGNORECASE)
_ONLY_LINK = re.compile(r"^[-*+]\s+\[[^\]]+\]\(artigo:[^)\s]+\)\.?$")


def render_article(article: Article) -> list[str]:
    """The article as Telegram HTML messages: title first, one part per split marker.

    A "Veja também" list of article links is left out: the flows show it as buttons.
    """
    chunks = _without_see_also(article.body).split(SPLIT_MARKER)
    parts = [render_markdown(chunk) for chunk in chunks]
    title = f"<b>{html.escape(article.title, quote=False)}</b>"
    parts[0] = f"{title}\n\n{parts[0]}" if parts[0] else title
    return [p for p in parts if p.strip()]


def render_section(article: Article, heading: str, markdown: str) -> str:
    """One section of an article as one Telegram HTML message, under the article's title."""
    title = f"<b>{html.escape(article.title, quote=False)}</b>"
    body = render_markdown(_without_see_also(markdown).replace(SPLIT_MARKER, ""))
    return f"{title}\n\n<b>{_inline(heading)}</b>\n{body}".strip()


def linked_articles(markdown: str) -> list[str]:
    """The ids an article links to (`[text](artigo:ID)`), once each, in order."""
    return list(dict.fromkeys(article_id for _, article_id in article_links(markdown)))


def _without_see_also(markdown: str) -> str:
    """The body without "Veja também:" lines and list items that are only an article link."""
    kept = [
        line
        for line in markdown.splitlines()
        if not _SEE_ALSO.match(line.strip()) and not _ONLY_LINK.match(line.strip())
    ]
    return "\n".join(kept)


def render_markdown(markdown: str) -> str:
    """Convert the small Markdown subset articles use into Telegram's HTML."""
    out: list[str] = []
    for raw in markdown.strip("\n").splitlines():
        line = raw.rstrip()
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            if out and out[-1]:
                out.append("")
            out.append(f"<b>{_inline(heading.group(1))}</b>")
        elif bullet:
            out.append(f"• {_inline(bullet.group(1))}")
        else:
            out.append(_inline(line.strip()))
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def article_links(markdown: str) -> list[tuple[int, str]]:
    """(line offset, article id) of every `[text](artigo:ID)` link in a body."""
    found = []
    for offset, line in enumerate(markdown.splitlines()):
        for match in _LINK.finditer(line):
            if match.group(2).startswith(ARTICLE_LINK):
                found.append((offset, match.group(2)[len(ARTICLE_LINK) :]))
    return found


def _inline(text: str) -> str:
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        label, target = html.escape(match.group(1), quote=False), match.group(2)
        if target.startswith(ARTICLE_LINK):
            links.append(f"<i>{label}</i>")
        else:
            links.append(f'<a href="{html.escape(target, quote=True)}">{label}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text)
    text = html.escape(text, quote=False)
    text = _BOLD.sub(r"<b>\1</b>", text)
    text = _ITALIC.sub(r"<i>\1</i>", text)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], text)
