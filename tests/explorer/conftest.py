"""The explorer's fixtures: a real server on loopback and Debian's chromium driven by Playwright;
a failing browser test leaves a screenshot in tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.settings import Settings
from tests.explorer.browser import CHROMIUM, ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

Opener = Callable[..., Awaitable[Any]]


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed = report.failed


@pytest.fixture
async def open_explorer(
    aiohttp_server: Any, request: pytest.FixtureRequest
) -> AsyncIterator[Opener]:
    """Serve the settings' app and open its explorer (at an optional hash) in a new page."""
    from playwright.async_api import async_playwright

    pages: list[Any] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS
        )

        async def opener(settings: Settings, hash_: str = "", ready: bool = True) -> Any:
            server = await aiohttp_server(create_app(settings, build_catalog(settings)))
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            pages.append(page)
            await page.goto(str(server.make_url("/_mockproxy/explorer/")) + hash_)
            if ready:
                await page.wait_for_selector("body[data-ready=true]")
            return page

        try:
            yield opener
        finally:
            if getattr(request.node, "failed", False) and pages:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                await pages[-1].screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
            await browser.close()
