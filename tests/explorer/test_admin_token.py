"""The explorer on a server whose admin endpoints need a token."""

from __future__ import annotations

from tests.explorer.browser import fax_settings, requires_browser
from tests.explorer.conftest import Opener

pytestmark = requires_browser


async def test_token_is_asked_for_once_and_kept_for_the_tab(open_explorer: Opener) -> None:
    """The page asks for the admin token on a 401, asks again if it is refused, keeps the
    accepted one in sessionStorage, and does not ask again on reload."""
    page = await open_explorer(fax_settings(admin_token="s3cret"), ready=False)
    await page.wait_for_selector("#token-dialog[open]")
    await page.fill("#token-input", "wrong")
    await page.click("#token-ok")
    await page.wait_for_function(
        "document.getElementById('token-message').textContent.includes('refused')"
    )
    await page.fill("#token-input", "s3cret")
    await page.click("#token-ok")
    await page.wait_for_selector("body[data-ready=true]")
    assert await page.evaluate("sessionStorage.getItem('mockproxy.adminToken')") == "s3cret"
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    assert not await page.is_visible("#token-dialog")
