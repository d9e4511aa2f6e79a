"""The explorer's endpoints: the page, its files and the catalog it is built from."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from structlog.testing import capture_logs

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    result: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return result


async def test_catalog_lists_the_fax_operations_with_examples_and_security(
    client: TestClient[Any, Any],
) -> None:
    """The catalog carries what the page needs to fill a request."""
    body = await (await client.get("/_mockproxy/explorer/api/catalog")).json()
    assert body["mock_prefix"] == "/_mock"
    [api] = body["apis"]
    assert (api["name"], api["mount"], api["has_upstream"]) == ("fax", "/fax/fax4a-api", True)
    assert api["security_schemes"]["httpBasicAuth"]["kind"] == "http"
    send = next(op for op in api["operations"] if op["key"] == "sendFaxJob")
    assert (send["method"], send["path"], send["tags"], send["security"]) == (
        "POST",
        "/{custNr}/fax",
        ["jobs"],
        [["httpBasicAuth"]],
    )
    assert send["parameters"][0]["name"] == "custNr"
    [media] = send["body"]["media_types"]
    assert [e["name"] for e in media["examples"]] == ["minimal", "withOptions"]
    assert media["default"] == {"recipients": [{"number": "+498900000000"}]}
    assert media["schema"]["properties"]["recipients"]["items"]["required"] == ["number"]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/_mockproxy/explorer/", "text/html"),
        ("/_mockproxy/explorer/static/explorer.js", "text/javascript"),
        ("/_mockproxy/explorer/static/explorer.css", "text/css"),
    ],
    ids=["page", "script", "styles"],
)
async def test_files_are_served_from_the_package(
    client: TestClient[Any, Any], path: str, content_type: str
) -> None:
    """The page and its files come from the installed package with their types."""
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith(content_type)


async def test_bare_prefix_redirects_to_the_page(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """/_mockproxy/explorer sends the browser to /_mockproxy/explorer/; the redirect carries
    the request id and is logged with its own status."""
    with caplog.at_level(logging.INFO, logger="proxy.context"), capture_logs() as logs:
        response = await client.get(
            "/_mockproxy/explorer", allow_redirects=False, headers={"X-Request-Id": "r-308"}
        )
    assert (response.status, response.headers["Location"]) == (308, "/_mockproxy/explorer/")
    assert response.headers["X-Request-Id"] == "r-308"
    [line] = [entry for entry in logs if entry["event"] == "request.completed"]
    assert (line["status"], line["request_id"]) == (308, "r-308")


@pytest.mark.parametrize(
    "name", ["../keys.py", ".hidden", "nope.js"], ids=["traversal", "dotfile", "missing"]
)
async def test_unknown_files_are_404_problems(client: TestClient[Any, Any], name: str) -> None:
    """Only the page's own files are served."""
    response = await client.get(f"/_mockproxy/explorer/static/{name}")
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
