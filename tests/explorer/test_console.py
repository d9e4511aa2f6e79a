"""The console in a real browser: filling, checking, sending to the mock or live, the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.explorer.browser import (
    SCENARIOS,
    fax_settings,
    open_operation,
    requires_browser,
    send,
    spec_settings,
)
from tests.explorer.conftest import Opener

pytestmark = requires_browser
JOB_ID = '"jobId": "FJKQQUVF1J0IADYARQEXKC"'


async def fax(open_explorer: Opener, key: str, **changes: Any) -> Any:
    page = await open_explorer(fax_settings(**changes))
    await open_operation(page, "fax", key)
    return page


async def sign_in(page: Any) -> None:
    await page.click("#tab-security")
    await page.fill("#sec-httpBasicAuth-user", "user")
    await page.fill("#sec-httpBasicAuth-password", "pass")


async def test_send_shows_status_time_size_source_and_body(open_explorer: Opener) -> None:
    """A sent fax job shows 201, the time taken, the size, the mock as source and the body."""
    page = await fax(open_explorer, "sendFaxJob")
    await page.select_option("#example", "withOptions")
    await sign_in(page)
    status, body = await send(page)
    assert status == "201"
    assert JOB_ID in body
    assert await page.text_content("#source") == "mock"
    assert await page.text_content("#size") == "34 B"
    assert (await page.text_content("#elapsed")).endswith(" ms")
    headers = await page.locator("#response-headers th").all_text_contents()
    assert "x-mockproxy-source" in headers


async def test_missing_credentials_get_the_mock_401_and_history_keeps_both(
    open_explorer: Opener,
) -> None:
    """Without credentials the mock answers 401; the history lists both sends, newest first."""
    page = await fax(open_explorer, "sendFaxJob")
    await sign_in(page)
    assert (await send(page))[0] == "201"
    await page.fill("#sec-httpBasicAuth-user", "")
    await page.fill("#sec-httpBasicAuth-password", "")
    status, body = await send(page)
    assert status == "401"
    assert body == (  # the spec's documented 401 example
        '{\n  "code": 401,\n  "message": "Not authenticated. Supported authentication types:'
        ' httpBasicAuth."\n}'
    )
    entries = await page.locator("#history li").all_text_contents()
    assert [entry.split(" · ")[0].split()[-1] for entry in entries] == ["401", "201"]


async def test_parameters_are_prefilled_from_the_description(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Path, query and header fields start with the example, schema example or default."""
    page = await open_explorer(spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    await open_operation(page, "shop", "getPet")
    assert await page.input_value("#path-petId") == "42"
    assert await page.input_value("[aria-label='query parameter kind value']") == "dog"
    assert not await page.is_checked("[aria-label='send query parameter kind']")
    await page.click("#tab-headers")
    assert await page.input_value("[aria-label='header X-Trace value']") == "trace-1"
    assert await page.text_content("#preview") == (
        f"GET /_mock/shop/pets/42 HTTP/1.1\nHost: {page.url.split('/')[2]}\nX-Trace: trace-1"
    )


async def test_send_waits_for_required_values_and_names_them(open_explorer: Opener) -> None:
    """Send is disabled while a required path parameter is empty, and says which one."""
    page = await fax(open_explorer, "getFaxStatus")
    assert await page.is_enabled("#send")
    await page.fill("#path-jobId", "")
    assert await page.is_disabled("#send")
    assert await page.text_content("#missing") == "Fill in jobId (path) to send."
    await page.fill("#path-jobId", "FJKQQUVF1J0IADYARQEXKC")
    assert await page.is_enabled("#send")
    assert await page.text_content("#missing") == ""


async def test_mock_panel_picks_status_and_example(open_explorer: Opener, tmp_path: Path) -> None:
    """Choosing 404 and its example sends Prefer and gets that documented answer."""
    page = await open_explorer(spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    await open_operation(page, "shop", "getPet")
    assert await page.locator("#mock-code option").all_text_contents() == [
        "Mock's choice (first success)",
        "200 · The pet",
        "404 · No such pet",
    ]
    await page.select_option("#mock-code", "200")
    await page.select_option("#mock-example", "dog")
    status, body = await send(page)
    assert (status, '"name": "Rex"' in body) == ("200", True)
    await page.select_option("#mock-code", "404")
    assert await page.locator("#mock-example option").all_text_contents() == [
        "Mock's choice",
        "gone",
    ]
    await page.select_option("#mock-example", "gone")
    assert await page.text_content("#mock-hint") == "Sent as Prefer: code=404, example=gone"
    status, body = await send(page)
    assert (status, body) == ("404", '{\n  "title": "gone"\n}')


async def test_dynamic_data_with_a_seed_repeats(open_explorer: Opener) -> None:
    """Dynamic data with the same seed gives the same generated body twice."""
    page = await fax(open_explorer, "getFaxStatus")
    await sign_in(page)
    await page.check("#mock-dynamic")
    await page.fill("#mock-seed", "7")
    assert await page.text_content("#mock-hint") == "Sent as Prefer: dynamic=true, seed=7"
    first = await send(page)
    second = await send(page)
    assert first[0] == "200"
    assert first == second


async def test_validation_errors_are_listed_once_and_mark_their_field(
    open_explorer: Opener,
) -> None:
    """The server's validation error appears in one list, and the field it names is marked
    (the bundled fax API warns: the answer is a 200 carrying the violations)."""
    page = await fax(open_explorer, "listFaxReports")
    await sign_in(page)
    await page.click("#tab-query")
    await page.check("[aria-label='send query parameter limit']")
    await page.fill("[aria-label='query parameter limit value']", "5000")
    status, _ = await send(page)
    assert status == "200"
    assert await page.locator("#problems li").all_text_contents() == [
        "/query/limit: 5000 is greater than the maximum of 1000"
    ]
    assert await page.get_attribute("[aria-label='query parameter limit value']", "aria-invalid")
    assert await page.locator(".field-error").count() == 0


async def test_body_is_checked_as_typed_in_the_same_list(open_explorer: Opener) -> None:
    """Schema errors in the body are listed while typing, in the one problems list."""
    page = await fax(open_explorer, "sendFaxJob")
    await page.fill("#body", '{"recipients": [{"number": 5}]}')
    assert await page.locator("#problems li").all_text_contents() == [
        "/body/recipients/0/number: expected string, got integer (as typed)"
    ]
    await sign_in(page)
    status, _ = await send(page)
    assert status == "201"  # the bundled fax API warns: answered, the violations listed
    assert await page.locator("#problems li").all_text_contents() == [
        '/body/recipients/0/number: 5 is not of type "string"'
    ]


async def test_live_says_when_the_mock_answers(open_explorer: Opener) -> None:
    """In Live, an operation whose effective mode is mock says so, and the mock answers."""
    page = await fax(open_explorer, "sendFaxJob")
    await page.select_option("#environment", "live")
    note = await page.text_content("#route-note")
    assert note.startswith("Live is answered by the mock here: the effective mode of sendFaxJob")
    assert "(config apis.fax.mode)" in note
    assert "/_mock" not in await page.text_content("#url")
    await sign_in(page)
    status, _ = await send(page)
    assert (status, await page.text_content("#source")) == ("201", "mock")


async def test_reopening_history_restores_the_request(open_explorer: Opener) -> None:
    """A history entry brings back the operation and its fields."""
    page = await fax(open_explorer, "getFaxStatus")
    await page.fill("#path-custNr", "1234")
    await sign_in(page)
    await send(page)
    await open_operation(page, "fax", "sendFaxJob")
    await page.click("#history li button")
    await page.wait_for_selector("body[data-operation='fax/getFaxStatus']")
    assert await page.text_content("#ref-title") == "Fetch the status report of one job"
    assert await page.input_value("#path-custNr") == "1234"


async def test_every_control_has_a_name(open_explorer: Opener, tmp_path: Path) -> None:
    """Every visible control of the page carries a label a screen reader can announce."""
    page = await open_explorer(spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    await open_operation(page, "shop", "getPet")
    await page.click("details.preview summary")
    unnamed = await page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
            .filter((node) => node.offsetParent !== null)
            .filter((node) => !(node.labels?.length || node.getAttribute("aria-label")
                || node.getAttribute("aria-labelledby") || node.textContent.trim()))
            .map((node) => node.outerHTML)"""
    )
    assert unnamed == []


async def test_keyboard_reaches_send_from_the_filter(open_explorer: Opener) -> None:
    """From the filter box, Tab alone reaches an operation link, and from its URL fields, Send."""
    page = await fax(open_explorer, "getFaxStatus")
    await page.focus("#search")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.classList.contains('api-title')")
    await page.focus("#path-jobId")
    for _ in range(5):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "send":
            break
    assert await page.evaluate("document.activeElement.id") == "send"
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#history li")
