"""The reference pane in a real browser: what a reader of the description needs to see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.explorer.browser import SCENARIOS, open_operation, requires_browser, spec_settings
from tests.explorer.conftest import Opener

pytestmark = requires_browser


async def shop(open_explorer: Opener, tmp_path: Path, key: str) -> Any:
    page = await open_explorer(spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    await open_operation(page, "shop", key)
    return page


async def test_descriptions_are_rendered_from_commonmark(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Code spans and links in a description become markup; links open in a new tab."""
    page = await shop(open_explorer, tmp_path, "getPet")
    description = page.locator(".ref > .markdown").first
    assert await description.locator("code").text_content() == "petId"
    link = description.locator("a")
    assert await link.get_attribute("href") == "https://example.com/guide"
    assert await link.get_attribute("rel") == "noopener noreferrer"


async def test_markup_in_descriptions_cannot_run_scripts(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Scripts and event handlers in a description are removed before it is shown."""
    page = await open_explorer(spec_settings(tmp_path, SCENARIOS / "shop.yaml"), "#/shop")
    await page.wait_for_selector(".ref .markdown strong")
    await page.wait_for_timeout(200)
    assert await page.evaluate("window.injected ?? null") is None
    assert await page.locator(".ref script, .ref [onerror]").count() == 0


async def test_parameters_show_type_required_enum_default_and_example(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Each parameter row names its type, whether it is required, and its documented values."""
    page = await shop(open_explorer, tmp_path, "getPet")
    path_row = page.locator("tr[data-param='path:petId']")
    assert await path_row.locator(".prop-type").text_content() == "integer <int64>"
    assert await path_row.locator(".badge").text_content() == "required"
    assert "≥ 1" in await path_row.text_content()
    assert "example: 42" in await path_row.text_content()
    kind = await page.locator("tr[data-param='query:kind']").text_content()
    assert 'one of: "cat""dog"' in kind
    assert 'default: "dog"' in kind
    assert "deprecated" in await page.locator("tr[data-param='query:legacy']").text_content()
    header = await page.locator("tr[data-param='header:X-Trace']").text_content()
    assert "required" in header
    assert 'example: "trace-1"' in header


async def test_deprecated_operation_is_marked(open_explorer: Opener, tmp_path: Path) -> None:
    """A deprecated operation says so in its title and in the navigation."""
    page = await shop(open_explorer, tmp_path, "deletePet")
    assert await page.text_content("#ref-title .badge") == "deprecated"
    assert "deprecated" in (await page.get_attribute("a.op[data-key=deletePet]", "class") or "")


async def test_security_requirements_are_listed(open_explorer: Opener, tmp_path: Path) -> None:
    """The schemes an operation accepts are named with their kind and description."""
    from tests.explorer.browser import fax_settings

    page = await open_explorer(fax_settings())
    await open_operation(page, "fax", "sendFaxJob")
    security = page.locator(".ref-section", has_text="Security")
    assert await security.locator("li").all_text_contents() == ["httpBasicAuth: HTTP basic"]
    assert "user name and password" in await security.text_content()


async def test_body_schema_tree_shows_required_constraints_and_access(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """The request body's properties carry required marks, constraints, read/write-only."""
    page = await shop(open_explorer, tmp_path, "createPet")
    body = page.locator(".ref-section", has_text="Request body")
    assert await body.locator(".schema-type").first.text_content() == "Pet (object) "
    name = body.locator(".prop", has=page.locator(".prop-name", has_text="name")).first
    assert "required" in await name.text_content()
    assert "min length 1" in await name.text_content()
    assert "max length 40" in await name.text_content()
    assert "read-only" in await body.locator(".prop", has_text="id").first.text_content()
    assert "write-only" in await body.locator(".prop", has_text="secret").first.text_content()


async def test_one_of_and_discriminator_are_shown(open_explorer: Opener, tmp_path: Path) -> None:
    """oneOf options are listed by name under the discriminator and its mapping."""
    page = await shop(open_explorer, tmp_path, "createPet")
    group = page.locator(".ref-section", has_text="Request body").locator(".combinator").first
    assert await group.locator(".combinator-title").text_content() == "One of:"
    assert "discriminator: pet_type (cat → Cat, dog → Dog)" in await group.text_content()
    assert await group.locator(":scope > .prop .prop-name").all_text_contents() == ["Cat", "Dog"]


async def test_recursive_schema_is_marked_not_expanded(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Pet -> owner -> pets -> Pet stops at a 'recursive' mark instead of opening again."""
    page = await shop(open_explorer, tmp_path, "createPet")
    body = page.locator(".ref-section", has_text="Request body")
    await body.locator("details.prop > summary", has_text="owner").first.click()
    await body.locator("details.prop > summary", has_text="pets").first.click()
    items = body.locator(".prop-name", has_text="[items]").first
    assert await items.evaluate("node => node.closest('.prop').tagName") == "DIV"
    assert (
        await items.evaluate(
            "node => node.closest('.prop').querySelector('.badge.recursive').textContent"
        )
        == "↻ recursive"
    )


async def test_responses_show_status_headers_schema_and_examples(
    open_explorer: Opener, tmp_path: Path
) -> None:
    """Each documented status is listed with its headers, schema and named examples."""
    page = await shop(open_explorer, tmp_path, "getPet")
    statuses = page.locator(".response-doc > summary .code")
    assert await statuses.all_text_contents() == ["200", "404"]
    ok = page.locator(".response-doc[data-status='200']")
    assert await ok.get_attribute("open") == ""
    assert "X-Rate-Limit" in await ok.locator("table").text_content()
    assert "Requests left this hour" in await ok.locator("table").text_content()
    examples = ok.locator(".example > summary")
    assert await examples.all_text_contents() == ["Example: cat · A cat", "Example: dog · A dog"]
    missing = page.locator(".response-doc[data-status='404']")
    assert await missing.locator(".media-type").text_content() == "application/problem+json"


async def test_callbacks_are_listed(open_explorer: Opener, tmp_path: Path) -> None:
    """A callback shows its name, URL expression, method and request body."""
    page = await shop(open_explorer, tmp_path, "createPet")
    callback = page.locator(".callback")
    assert await callback.locator("h4").text_content() == "adopted {$request.body#/callbackUrl}"
    assert "POST The pet was adopted" in await callback.text_content()
    assert "petId" in await callback.locator(".schema").text_content()
