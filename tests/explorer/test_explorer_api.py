"""The explorer's endpoints: the page, its files, the catalog and one operation's reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.settings import Settings
from tests.explorer.browser import SCENARIOS, fax_settings, spec_settings


async def start(aiohttp_client: Any, settings: Settings) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    return await start(aiohttp_client, fax_settings())


async def operation(client: TestClient[Any, Any], api: str, key: str) -> Any:
    response = await client.get(
        "/_mockproxy/explorer/api/operation", params={"api": api, "key": key}
    )
    assert response.status == 200
    return await response.json()


async def test_catalog_lists_apis_tags_and_operations(client: TestClient[Any, Any]) -> None:
    """The catalog carries what the navigation needs, and no more."""
    body = await (await client.get("/_mockproxy/explorer/api/catalog")).json()
    assert body["mock_prefix"] == "/_mock"
    [api] = body["apis"]
    assert (api["name"], api["mount"], api["mode"], api["mode_source"]) == (
        "fax",
        "/fax/fax4a-api",
        "mock",
        "config apis.fax.mode",
    )
    assert api["tags"] == [
        {"name": "jobs", "description": "Sending fax jobs"},
        {"name": "reports", "description": "Status reports of sent jobs"},
    ]
    assert api["description"].startswith("A sample cloud-fax API")
    assert api["operations"][0] == {
        "key": "sendFaxJob",
        "method": "POST",
        "path": "/{custNr}/fax",
        "summary": "Send a fax job to one or more recipients",
        "tags": ["jobs"],
        "deprecated": False,
        "mode": "mock",
    }


async def test_operation_carries_parameters_body_and_responses(
    client: TestClient[Any, Any],
) -> None:
    """One operation's reference: prefilled parameters, body examples, responses with headers."""
    send = await operation(client, "fax", "sendFaxJob")
    [cust_nr] = send["parameters"]
    assert (cust_nr["name"], cust_nr["in"], cust_nr["required"], cust_nr["start"]) == (
        "custNr",
        "path",
        True,
        "9991",
    )
    [media] = send["body"]["media_types"]
    assert [e["name"] for e in media["examples"]] == ["minimal", "withOptions"]
    assert media["start"] == {"recipients": [{"number": "+498900000000"}]}
    assert media["schema"] == {"$ref": "FaxJobRequest"}
    assert send["schemas"]["FaxJobRequest"]["properties"]["recipients"]["items"] == {
        "$ref": "FaxRecipient"
    }
    created = send["responses"][0]
    assert (created["status"], [h["name"] for h in created["headers"]]) == ("201", ["Location"])
    assert [e["name"] for e in created["content"][0]["examples"]] == ["accepted", "acceptedExpress"]
    assert send["security"] == [["httpBasicAuth"]]


async def test_recursive_schemas_are_named_once(aiohttp_client: Any, tmp_path: Path) -> None:
    """Pet -> Owner -> Pet: each schema appears once in the table and refers to the other."""
    client = await start(aiohttp_client, spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    body = await operation(client, "shop", "createPet")
    assert sorted(body["schemas"]) == ["Cat", "Dog", "Owner", "Pet"]
    assert body["schemas"]["Pet"]["properties"]["owner"] == {"$ref": "Owner"}
    assert body["schemas"]["Owner"]["properties"]["pets"]["items"] == {"$ref": "Pet"}


async def test_callbacks_are_read_from_the_description(aiohttp_client: Any, tmp_path: Path) -> None:
    """An operation's callbacks come with their expression, method, body schema and answers."""
    client = await start(aiohttp_client, spec_settings(tmp_path, SCENARIOS / "shop.yaml"))
    body = await operation(client, "shop", "createPet")
    assert body["callbacks"] == [
        {
            "name": "adopted",
            "expression": "{$request.body#/callbackUrl}",
            "operations": [
                {
                    "method": "POST",
                    "summary": "The pet was adopted",
                    "description": None,
                    "body": [
                        {
                            "media_type": "application/json",
                            "schema": {
                                "type": "object",
                                "properties": {"petId": {"type": "integer"}},
                            },
                        }
                    ],
                    "responses": [{"status": "200", "description": "Callback received"}],
                }
            ],
        }
    ]


@pytest.mark.parametrize(
    ("query", "status"),
    [({"api": "fax", "key": "nope"}, 404), ({"api": "nope", "key": "x"}, 404), ({}, 400)],
    ids=["unknown-operation", "unknown-api", "missing"],
)
async def test_unknown_operation_is_a_problem(
    client: TestClient[Any, Any], query: dict[str, str], status: int
) -> None:
    """An operation that is not loaded, or not named, gets a problem, not a crash."""
    response = await client.get("/_mockproxy/explorer/api/operation", params=query)
    assert response.status == status
    assert response.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/_mockproxy/explorer/", "text/html"),
        ("/_mockproxy/explorer/static/explorer.js", "text/javascript"),
        ("/_mockproxy/explorer/static/explorer.css", "text/css"),
        ("/_mockproxy/explorer/static/vendor/marked.umd.js", "text/javascript"),
        ("/_mockproxy/explorer/static/vendor/purify.min.js", "text/javascript"),
        ("/_mockproxy/explorer/static/vendor/marked-LICENSE.txt", "text/plain"),
    ],
    ids=["page", "script", "styles", "marked", "dompurify", "licence"],
)
async def test_files_are_served_from_the_package(
    client: TestClient[Any, Any], path: str, content_type: str
) -> None:
    """The page, its files and the vendored renderer come from the installed package."""
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith(content_type)


async def test_bare_prefix_redirects_to_the_page(
    client: TestClient[Any, Any], info_logs: list[dict[str, Any]]
) -> None:
    """/_mockproxy/explorer sends the browser to /_mockproxy/explorer/; the redirect carries
    the request id and is logged with its own status."""
    response = await client.get(
        "/_mockproxy/explorer", allow_redirects=False, headers={"X-Request-Id": "r-308"}
    )
    assert (response.status, response.headers["Location"]) == (308, "/_mockproxy/explorer/")
    assert response.headers["X-Request-Id"] == "r-308"
    [line] = [entry for entry in info_logs if entry["event"] == "request.completed"]
    assert (line["status"], line["request_id"]) == (308, "r-308")


@pytest.mark.parametrize(
    "path",
    ["static/../keys.py", "static/.hidden", "static/nope.js", "static/vendor/nope.js"],
    ids=["traversal", "dotfile", "missing", "missing-vendor"],
)
async def test_unknown_files_are_404_problems(client: TestClient[Any, Any], path: str) -> None:
    """Only the page's own files are served."""
    response = await client.get(f"/_mockproxy/explorer/{path}")
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
