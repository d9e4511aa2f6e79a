"""Copied programs reproduce the request: curl, Python (requests), JavaScript (fetch), HTTPie."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from typing import Any

import pytest

from tests.explorer.browser import copied, fax_settings, open_operation, requires_browser, run
from tests.explorer.conftest import Opener

pytestmark = requires_browser
ANSWER = '{"jobId":"FJKQQUVF1J0IADYARQEXKC"}'


async def filled_fax_job(open_explorer: Opener) -> Any:
    page = await open_explorer(fax_settings())
    await open_operation(page, "fax", "sendFaxJob")
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "user")
    await page.fill("#sec-httpBasicAuth-password", "pass")
    return page


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_copied_curl_reproduces_the_request(open_explorer: Opener) -> None:
    """The curl command carries only the credentials and Content-Type, and gets the 201."""
    page = await filled_fax_job(open_explorer)
    command = await copied(page, "curl")
    assert command.startswith("curl -sS -X POST 'http://127.0.0.1:")
    assert command.count(" -H ") == 2
    assert "-H 'Authorization: Basic dXNlcjpwYXNz' -H 'Content-Type: application/json'" in command
    output = await run("bash", "-c", command + " -w '\\n%{http_code}'")
    assert output.splitlines() == [ANSWER, "201"]


@pytest.mark.skipif(importlib.util.find_spec("requests") is None, reason="requests is missing")
async def test_copied_python_reproduces_the_request(open_explorer: Opener) -> None:
    """The Python (requests) program prints the same status and body."""
    page = await filled_fax_job(open_explorer)
    program = await copied(page, "python")
    assert "X-Requested-With" not in program
    assert (await run(sys.executable, "-c", program)).splitlines() == ["201", ANSWER]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_copied_javascript_reproduces_the_request(open_explorer: Opener) -> None:
    """The JavaScript (fetch) program prints the same status and body under node."""
    page = await filled_fax_job(open_explorer)
    program = await copied(page, "javascript")
    assert "X-Requested-With" not in program
    output = await run("node", "--input-type=module", "-e", program)
    assert output.splitlines() == ["201", ANSWER]


@pytest.mark.skipif(shutil.which("http") is None, reason="HTTPie is not installed")
async def test_copied_httpie_reproduces_the_request(open_explorer: Opener) -> None:
    """The HTTPie command gets the same body."""
    page = await filled_fax_job(open_explorer)
    command = await copied(page, "httpie")
    assert "X-Requested-With" not in command
    output = await run("bash", "-c", command)
    assert output.strip() == ANSWER


async def test_copies_carry_the_mock_preferences(open_explorer: Opener) -> None:
    """A status chosen in the mock panel travels with the copied request as Prefer."""
    page = await filled_fax_job(open_explorer)
    await page.select_option("#mock-code", "400")
    assert "-H 'Prefer: code=400'" in await copied(page, "curl")
