"""Debian's chromium driven by Playwright for the page tests (no browser is ever downloaded): the launch and a page
that keeps the script errors it meets (`page.errors`), and the pages served, shared by the desktop and phone-width
tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from credscore_cli.webserver import WEB_DIR, WebConfig, serve_web

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """The installed chromium, headless, for the block (the screenshots' folder made first)."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@contextmanager
def opened_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a context of its own (`context_options`: viewport and the like); `page.errors` lists the script
    errors it threw."""
    context = browser.new_context(**context_options)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    yield opened
    context.close()


@contextmanager
def web_pages(config: WebConfig) -> Iterator[str]:
    """The pages served as `credscore serve` serves them, for the block; yields their base URL."""
    server, url = serve_web(config, WEB_DIR)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
