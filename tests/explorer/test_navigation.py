"""The explorer's navigation in a real browser: panes, filter, deep links, speed on large APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.explorer import large_description
from proxy.settings import Settings
from tests.explorer.browser import (
    SCENARIOS,
    fax_settings,
    open_operation,
    requires_browser,
    spec_settings,
)
from tests.explorer.conftest import Opener

pytestmark = requires_browser
DISCORD = Path(__file__).resolve().parents[3] / "shared" / "specs" / "discord" / "openapi.json"


async def test_three_panes_show_navigation_reference_and_console(open_explorer: Opener) -> None:
    """Opening an operation fills the reference and the console beside the navigation."""
    page = await open_explorer(fax_settings())
    titles = await page.locator("nav .tag-title").all_text_contents()
    assert titles == ["jobs", "reports"]
    await open_operation(page, "fax", "sendFaxJob")
    assert await page.text_content("#ref-title") == "Send a fax job to one or more recipients"
    assert await page.is_visible("#request")
    assert await page.get_attribute("a.op[data-key=sendFaxJob]", "aria-current") == "page"


async def test_filter_keeps_matching_operations_and_their_groups(open_explorer: Opener) -> None:
    """Typing hides the operations (and tag groups) that do not match every word."""
    page = await open_explorer(fax_settings())
    await page.fill("#search", "get reports")
    visible = page.locator("nav a.op:visible")
    assert await visible.evaluate_all("links => links.map(l => l.dataset.key)") == [
        "listFaxReports",
        "getFaxStatus",
    ]
    assert await page.locator("nav .tag-group:visible .tag-title").all_text_contents() == [
        "reports"
    ]
    assert await page.text_content("#search-count") == "2 of 4 operations"


async def test_deep_link_opens_the_operation_and_back_returns(open_explorer: Opener) -> None:
    """#/<api>/<operationId> opens that operation; the back button goes to the previous one."""
    page = await open_explorer(fax_settings(), "#/fax/getFaxStatus")
    await page.wait_for_selector("body[data-operation='fax/getFaxStatus']")
    await open_operation(page, "fax", "sendFaxJob")
    assert page.url.endswith("#/fax/sendFaxJob")
    await page.go_back()
    await page.wait_for_selector("body[data-operation='fax/getFaxStatus']")
    assert await page.text_content("#ref-title") == "Fetch the status report of one job"


async def test_api_link_shows_the_overview_with_its_description(open_explorer: Opener) -> None:
    """#/<api> shows the API's rendered description and its tags with their operations."""
    page = await open_explorer(fax_settings(), "#/fax")
    await page.wait_for_selector("#ref-title")
    assert await page.text_content("#ref-title") == "Cloud Fax API (sample) 1.0.0"
    assert await page.text_content(".ref .markdown code") == "mockproxy serve"
    assert "Sending fax jobs" in await page.text_content(".ref")


async def test_unknown_deep_link_says_what_is_missing(open_explorer: Opener) -> None:
    """A link to an operation that does not exist says so instead of showing nothing."""
    page = await open_explorer(fax_settings(), "#/fax/nope")
    assert (
        await page.text_content("#reference") == 'Cloud Fax API (sample) has no operation "nope".'
    )


async def test_untagged_operations_are_grouped_by_path(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """A description without tags is grouped by the first segment of its paths."""
    spec = tmp_path / "untagged.yaml"
    spec.write_text(
        (SCENARIOS / "shop.yaml")
        .read_text()
        .replace("tags: [pets]", "tags: []")
        .replace("tags:\n  - name: pets\n    description: Pets *and* their owners\n", "")
    )
    page = await open_explorer(spec_settings(tmp_path, spec))
    assert await page.locator("nav .tag-title").all_text_contents() == ["pets"]


async def list_and_filter(open_explorer: Opener, settings: Settings, count: int) -> None:
    """Every operation is listed, and a filter typed word by word narrows the list to the
    operations whose text holds every word (the timing lives in bench/explorer.py)."""
    page = await open_explorer(settings)
    assert await page.locator("nav a.op").count() == count
    assert await page.get_attribute("body", "data-navigation-shown-ms") is not None
    shown = await page.evaluate(
        """async () => {
            const search = document.getElementById("search");
            const visible = () => [...document.querySelectorAll("nav a.op")]
                .filter((link) => link.offsetParent !== null).length;
            const counts = [];
            for (const text of ["get", "get 99", ""]) {
                search.value = text;
                search.dispatchEvent(new Event("input"));
                counts.push(visible());
            }
            return counts;
        }"""
    )
    assert shown[0] <= count and shown[1] < shown[0] and shown[2] == count


async def test_a_thousand_operations_are_listed_and_filtered(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """1,000 operations are all listed, and the filter narrows them as one types."""
    spec = large_description(tmp_path / "large.json", 1000)
    await list_and_filter(open_explorer, spec_settings(tmp_path, spec, "large"), 1000)


@pytest.mark.skipif(not DISCORD.exists(), reason="the shared Discord description is not here")
async def test_discord_is_listed_and_filtered(open_explorer: Opener, tmp_path: Path) -> None:
    """Discord's 242 operations are all listed, and the filter narrows them as one types."""
    await list_and_filter(open_explorer, spec_settings(tmp_path, DISCORD, "discord"), 242)
