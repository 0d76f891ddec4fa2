"""A real headless Chromium (Debian's package, driven by Playwright) for the page tests.

Never a downloaded browser: Playwright launches /usr/bin/chromium. Without it the tests skip
with the reason, except under CI=true, where `make test` installs it first and its absence fails.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

CHROMIUM = Path(os.environ.get("TRIAGEM_TEST_CHROMIUM", "/usr/bin/chromium"))
# `make screenshots` sets it to docs/screenshots; otherwise none are written.
SCREENSHOTS = os.environ.get("TRIAGEM_SCREENSHOTS")

try:
    from playwright.async_api import Browser, Page, async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None  # type: ignore[assignment]


def _unavailable() -> str | None:
    if async_playwright is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: `apt-get install chromium` (make test does it under CI)"
    return None


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium for one test."""
    reason = _unavailable()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests need Chromium: {reason}", pytrace=False)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh page (its own cookies) at a desktop size."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="pt-BR")
    made = await context.new_page()
    try:
        yield made
    finally:
        await context.close()


async def screenshot(page: Page, name: str) -> None:
    """Save the page for the README (NAME.png under $TRIAGEM_SCREENSHOTS, when set)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
