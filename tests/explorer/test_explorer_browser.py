"""The API Explorer driven in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists(),
    reason="browser tests need playwright (pip) and Debian's chromium at /usr/bin/chromium",
)


@pytest.fixture
async def page(aiohttp_server: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    server = await aiohttp_server(create_app(settings, build_catalog(settings)))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await page.goto(str(server.make_url("/_mockproxy/explorer/")))
        await page.wait_for_selector("body[data-ready=true]")
        try:
            yield page
        finally:
            failed = getattr(request.node, "failed", False)
            if failed:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                await page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True
                )
            await browser.close()


async def run_shell(command: str) -> tuple[int, str]:
    """Run a copied curl command as a user would, adding only a status line at the end."""
    process = await asyncio.create_subprocess_exec(
        "bash", "-c", command + " -w '\\n%{http_code}'", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    body, _, status = output.decode().rpartition("\n")
    return int(status), body


async def send(page: Any) -> tuple[str, str]:
    count = await page.locator("#history li").count()
    await page.click("#send")
    await page.wait_for_function(f"document.querySelectorAll('#history li').length > {count}")
    return await page.text_content("#status"), await page.text_content("#response-body")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is needed to run the copied command")
async def test_send_fax_401_history_and_copied_curl(page: Any) -> None:
    """Example + custNr + credentials -> 201 with the jobId; no credentials -> 401; history; curl."""
    await page.click("button.op[data-key=sendFaxJob]")
    await page.fill("#path-custNr", "9991")
    await page.select_option("#example", "withOptions")
    assert '"coverpageTemplate": "coverpage-default.ftl.html"' in await page.input_value("#body")
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "user")
    await page.fill("#sec-httpBasicAuth-password", "pass")
    status, body = await send(page)
    assert status == "201"
    assert '"jobId": "FJKQQUVF1J0IADYARQEXKC"' in body

    await page.click("details.preview summary")
    await page.click("#copy-curl")
    curl = await page.input_value("#copied")
    assert curl.startswith("curl -sS -X POST 'http://127.0.0.1:")
    copied_status, copied_body = await run_shell(curl)
    assert (copied_status, copied_body) == (201, '{"jobId":"FJKQQUVF1J0IADYARQEXKC"}')

    await page.fill("#sec-httpBasicAuth-user", "")
    await page.fill("#sec-httpBasicAuth-password", "")
    status, body = await send(page)
    assert status == "401"
    assert "Not authenticated. Supported authentication types: httpBasicAuth." in body

    entries = await page.locator("#history li").all_text_contents()
    assert [entry.split(" · ")[0].split()[-1] for entry in entries] == ["401", "201"]


async def test_required_path_parameter_is_highlighted(page: Any) -> None:
    """An empty required path parameter is marked until it is filled."""
    await page.click("button.op[data-key=getFaxStatus]")
    await page.fill("#path-jobId", "")
    assert "missing" in (await page.get_attribute("#path-jobId", "class") or "")
    await page.fill("#path-jobId", "FJKQQUVF1J0IADYARQEXKC")
    assert "missing" not in (await page.get_attribute("#path-jobId", "class") or "")


async def test_validation_errors_appear_next_to_their_fields(page: Any) -> None:
    """A mock validation problem is shown beside the query field it names."""
    await page.click("button.op[data-key=listFaxReports]")
    await page.fill("#path-custNr", "9991")
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "u")
    await page.click("#tab-query")
    await page.fill("input[aria-label='query parameter limit value']", "5000")
    status, _ = await send(page)
    assert status == "400"
    error = page.locator("[data-pointer='/query/limit'] + .field-error")
    assert await error.text_content() == "/query/limit: 5000 is greater than the maximum of 1000"


async def test_body_is_checked_against_the_schema_as_you_type(page: Any) -> None:
    """The body editor lists schema errors while typing."""
    await page.click("button.op[data-key=sendFaxJob]")
    await page.click("#tab-body")
    await page.fill("#body", '{"recipients": [{"number": 5}]}')
    assert await page.locator("#body-errors li").all_text_contents() == [
        "body/recipients/0/number: expected string, got integer"
    ]


async def test_reopening_history_restores_the_request(page: Any) -> None:
    """A history entry brings back the operation and its fields."""
    await page.click("button.op[data-key=getFaxStatus]")
    await page.fill("#path-custNr", "1234")
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "u")
    await send(page)
    await page.click("button.op[data-key=sendFaxJob]")
    await page.click("#history li button")
    assert await page.text_content("#op-title") == "Fetch the status report of one job"
    assert await page.input_value("#path-custNr") == "1234"


@pytest.mark.skipif(
    importlib.util.find_spec("requests") is None, reason="requests is not installed"
)
async def test_copied_python_reproduces_the_request(page: Any) -> None:
    """The copied Python (requests) program gets the same status and body."""
    await page.click("button.op[data-key=sendFaxJob]")
    await page.fill("#path-custNr", "9991")
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "user")
    await page.click("details.preview summary")
    await page.click("#copy-python")
    program = await page.input_value("#copied")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", program, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    assert output.decode().splitlines() == ["201", '{"jobId":"FJKQQUVF1J0IADYARQEXKC"}']
