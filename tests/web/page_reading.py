"""Reading the supervisors' page in the browser: log in, table rows, chart bars, durations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from playwright.async_api import Page

from .conftest import WebBot


async def log_in(page: Page, web_bot: WebBot, telegram_id: int, code: str) -> int:
    """Fill the login form and submit it; the HTTP status of the answer to the POST (the page
    that answers, or the one it redirects to, is then loaded)."""
    await page.goto(f"{web_bot.base}/entrar")
    await page.fill("#telegram_id", str(telegram_id))
    await page.fill("#code", code)
    async with page.expect_response(
        lambda r: r.url == f"{web_bot.base}/entrar" and r.request.method == "POST"
    ) as posted:
        await page.click("button[type=submit]")
    await page.wait_for_load_state()
    return (await posted.value).status


def cell(row: dict[str, str], name: str) -> int:
    """A counting column of a table row."""
    return int(row[name])


async def table_rows(page: Page, selector: str) -> list[dict[str, str]]:
    """The table's body rows: their data-offer/office/agent, and each cell by data-col or by
    position (`c0`, `c1`, ...)."""
    return await page.eval_on_selector_all(
        f"{selector} tbody tr",
        """rows => rows.map(r => Object.assign(
            {offer: r.dataset.offer || '', office: r.dataset.office || '',
             agent: r.dataset.agent || ''},
            Object.fromEntries([...r.cells].map((c, i) => ['c' + i, c.innerText.trim()])),
            Object.fromEntries([...r.querySelectorAll('[data-col]')]
                .map(c => [c.dataset.col, c.innerText.trim()]))))""",
    )


async def column_of(page: Page, selector: str, header: str) -> str:
    """The `c<N>` key of the column whose header reads `header`."""
    headers: list[str] = await page.eval_on_selector_all(
        f"{selector} thead th", "cells => cells.map(c => c.innerText.trim())"
    )
    return f"c{headers.index(header)}"


@dataclass(frozen=True)
class ChartBar:
    """One bar as the page draws it: its title text and its drawn height."""

    title: str
    height: float


@dataclass(frozen=True)
class PageChart:
    """A chart's caption and bars, in order."""

    caption: str
    bars: list[ChartBar]


async def charts(page: Page) -> dict[str, PageChart]:
    """The page's SVG charts by their aria-label."""
    found = await page.eval_on_selector_all(
        "figure",
        """figures => figures.map(f => ({
            label: f.querySelector('svg').getAttribute('aria-label'),
            caption: f.querySelector('figcaption').textContent.trim(),
            bars: [...f.querySelectorAll('rect')].map(r => ({
                title: r.querySelector('title').textContent.trim(),
                height: parseFloat(r.getAttribute('height'))}))}))""",
    )
    return {
        f["label"]: PageChart(f["caption"], [ChartBar(b["title"], b["height"]) for b in f["bars"]])
        for f in found
    }


_SPAN = re.compile(r"^(?:(\d+) d (\d+) h|(\d+) h (\d{2}) min|(\d+) min)$")


def shown_span(text: str) -> tuple[timedelta, timedelta] | None:
    """A duration as the page writes it ("2 d 4 h", "3 h 05 min", "45 min"; "—" is None):
    the span shown and the unit it was cut to."""
    if text == "—":
        return None
    match = _SPAN.match(text)
    assert match is not None, f"not a duration: {text!r}"
    days, day_hours, hours, minutes, only_minutes = match.groups()
    if days is not None:
        return timedelta(days=int(days), hours=int(day_hours)), timedelta(hours=1)
    if hours is not None:
        return timedelta(hours=int(hours), minutes=int(minutes)), timedelta(minutes=1)
    return timedelta(minutes=int(only_minutes)), timedelta(minutes=1)


def cut(span: timedelta, unit: timedelta) -> timedelta:
    """`span` cut down to whole `unit`s."""
    return unit * (span // unit)
