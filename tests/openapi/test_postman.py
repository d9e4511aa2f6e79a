"""Postman collections load as descriptions: structure, examples, auth, and the mock serving them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.cli import main
from proxy.config import settings_for_spec
from proxy.errors import SpecError
from proxy.openapi.loader import load_spec
from proxy.openapi.model import Operation, SecuritySchemeKind

POSTMAN = Path(__file__).with_name("scenarios") / "postman"


def operation(path: Path, method: str, template: str) -> Operation:
    spec = load_spec(path)
    return next(op for op in spec.operations if (op.method, op.path) == (method, template))


async def serve(aiohttp_client: Any, name: str) -> TestClient[Any, Any]:
    settings = settings_for_spec(POSTMAN / name)
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


def test_v21_requests_become_operations_with_variable_templates() -> None:
    """``{{id}}`` segments become ``{id}`` templates; a trailing empty segment is dropped."""
    spec = load_spec(POSTMAN / "booking.postman_collection.json")
    assert spec.origin == "Postman Collection v2.1"
    assert [(op.method, op.path, op.summary) for op in spec.operations] == [
        ("POST", "/booking", "Create Booking"),
        ("GET", "/booking/{id}", "Get Booking"),
        ("PUT", "/booking/{id}", "Update Booking"),
    ]
    get = spec.operations[1]
    assert [(p.name, p.location.value, p.required) for p in get.parameters] == [
        ("id", "path", True)
    ]


def test_raw_body_with_placeholders_is_an_unconstrained_json_body() -> None:
    """A raw JSON body that is not JSON until Postman fills it in keeps its media type only."""
    create = operation(POSTMAN / "booking.postman_collection.json", "POST", "/booking")
    assert create.request_body is not None
    [media] = create.request_body.content
    assert media.media_type == "application/json"
    assert media.schema is not None and media.schema.contents == {}


def test_folders_become_tags_and_query_and_headers_parameters() -> None:
    """Folder name as tag; query entries (disabled ones too) and headers as optional params."""
    basic = operation(POSTMAN / "interview.postman_collection.json", "GET", "/basic")
    assert basic.tags == ("Forms",)
    assert [(p.name, p.location.value, p.required, p.example) for p in basic.parameters] == [
        ("token", "query", False, basic.parameters[0].example),
        ("company", "query", False, "197"),
        ("module", "query", False, "1"),
        ("X-Client", "header", False, "mobile"),
    ]
    assert basic.parameters[1].description == "company id"


def test_saved_responses_become_named_examples_per_status() -> None:
    """Each saved response is a named example of its status and media type, body parsed."""
    basic = operation(POSTMAN / "interview.postman_collection.json", "GET", "/basic")
    ok, missing = basic.responses
    assert (ok.status, missing.status) == ("200", "404")
    [json_media] = ok.content
    assert json_media.media_type == "application/json"
    assert [(e.name, e.value["res"]["extends"]) for e in json_media.examples] == [
        ("Nothing filled in", []),
        ("With an extra field", [{"id": 4}]),
    ]
    assert [(m.media_type, m.examples[0].value) for m in missing.content] == [
        ("text/plain", "no such company")
    ]
    assert [(h.name, h.example) for h in ok.headers] == [
        ("access-control-allow-origin", "*"),
        ("x-powered-by", "PHP/7.1.12"),
    ]


def test_v20_path_segments_with_slashes_and_colon_variables() -> None:
    """v2.0's ``questions/:ids/answers`` segment splits into a template with an example."""
    spec = load_spec(POSTMAN / "questions.postman_collection.json")
    assert spec.origin == "Postman Collection v2.0"
    assert spec.servers == ("http://api.example.org",)
    [answers] = spec.operations
    assert answers.path == "/2.2/questions/{ids}/answers"
    assert (answers.parameters[0].name, answers.parameters[0].example) == ("ids", "42")
    assert answers.request_body is None


def test_collection_variables_resolve_in_host_and_path() -> None:
    """``{{baseUrl}}`` (itself using ``{{version}}``) is the server; ``{{kind}}`` a literal."""
    spec = load_spec(POSTMAN / "auth.postman_collection.json")
    assert (spec.api_version, spec.servers, spec.base_path) == (
        "1.2.0",
        ("https://api.example.com/v2",),
        "/v2",
    )
    assert [op.path for op in spec.operations] == [
        "/accounts/{accountId}",
        "/health",
        "/admin/users",
        "/admin/export",
    ]


def test_auth_is_inherited_from_collection_and_folder_unless_overridden() -> None:
    """Collection bearer, folder apikey, request noauth and basic become security schemes."""
    spec = load_spec(POSTMAN / "auth.postman_collection.json")
    assert [op.security for op in spec.operations] == [
        (("bearerAuth",),),
        (),
        (("apiKey-header-X-Admin-Key",),),
        (("basicAuth",),),
    ]
    key = spec.security_schemes["apiKey-header-X-Admin-Key"]
    assert (key.kind, key.parameter_name, key.location) == (
        SecuritySchemeKind.API_KEY,
        "X-Admin-Key",
        "header",
    )


def test_same_request_twice_merges_examples_with_a_warning(tmp_path: Path) -> None:
    """Two requests for one method and path: one operation with both saved examples."""
    saved = [
        {"name": name, "code": 200, "body": json.dumps({"n": n})}
        for n, name in enumerate(("first", "second"))
    ]
    items = [
        {"name": f"copy {n}", "request": {"method": "GET", "url": "/things"}, "response": [r]}
        for n, r in enumerate(saved)
    ]
    path = tmp_path / "twice.json"
    path.write_text(json.dumps({"info": {"name": "t", "schema": SCHEMA_21}, "item": items}))
    spec = load_spec(path)
    [things] = spec.operations
    assert [e.name for e in things.responses[0].content[0].examples] == ["first", "second"]
    assert spec.warnings == (
        "'copy 1': GET /things is already defined by 'copy 0'; its saved examples are added there",
    )


SCHEMA_21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def test_collection_v1_is_refused_with_advice(tmp_path: Path) -> None:
    """A v1 collection names the file and the version and says to export as v2.1."""
    path = tmp_path / "old.json"
    schema = "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"
    path.write_text(json.dumps({"info": {"name": "old", "schema": schema}, "requests": []}))
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    assert raised.value.messages == [
        f"{path}: Postman Collection v1.0 is not supported; export it as v2.1"
    ]


@pytest.mark.parametrize("item", [5, None, {"name": "a"}], ids=["number", "missing", "mapping"])
def test_a_collection_whose_item_is_not_a_list_is_refused(tmp_path: Path, item: object) -> None:
    """A collection without its list of requests and folders is refused with the file and the
    key, not served as an API without operations."""
    path = tmp_path / "broken.json"
    collection = {"info": {"name": "broken", "schema": SCHEMA_21}}
    path.write_text(json.dumps(collection if item is None else {**collection, "item": item}))
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    assert raised.value.messages == [
        f"{path}: not a Postman collection: 'item' must be the list of its requests and folders"
    ]


async def test_mock_answers_the_first_saved_example(aiohttp_client: Any) -> None:
    """The first saved 200 example is the default answer, with its saved headers."""
    client = await serve(aiohttp_client, "interview.postman_collection.json")
    response = await client.get("/basic")
    assert response.status == 200
    assert await response.json() == {"code": 0, "status": True, "res": {"extends": [], "basic": []}}
    assert response.headers["x-powered-by"] == "PHP/7.1.12"


async def test_prefer_picks_a_saved_example_by_name(aiohttp_client: Any) -> None:
    """``Prefer: example=`` names a saved response; a text body is sent as it is."""
    client = await serve(aiohttp_client, "interview.postman_collection.json")
    response = await client.get("/basic", headers={"Prefer": "example=Unknown company"})
    assert response.status == 404
    assert await response.text() == "no such company"


async def test_collection_auth_is_simulated(aiohttp_client: Any) -> None:
    """Bearer from the collection: 401 without it, 200 with it; noauth needs nothing."""
    client = await serve(aiohttp_client, "auth.postman_collection.json")
    assert (await client.get("/accounts/acc_1")).status == 401
    bearer = {"Authorization": "Bearer abc"}
    answer = await client.get("/accounts/acc_1", headers=bearer)
    assert (answer.status, await answer.json()) == (200, {"id": "acc_1", "owner": "Ada"})
    assert (await client.get("/v2/accounts/acc_1", headers=bearer)).status == 200
    assert (await client.get("/health")).status == 200
    assert (await client.get("/admin/users", headers={"X-Admin-Key": "k"})).status == 200
    basic = "Basic " + base64.b64encode(b"u:p").decode()
    assert (await client.get("/admin/export", headers={"Authorization": basic})).status == 200


async def test_explorer_lists_collection_operations(aiohttp_client: Any) -> None:
    """The explorer's catalog shows the converted operations with their examples."""
    client = await serve(aiohttp_client, "interview.postman_collection.json")
    body = await (await client.get("/_mockproxy/explorer/api/catalog")).json()
    [api] = body["apis"]
    assert [(op["method"], op["path"], op["tags"]) for op in api["operations"]] == [
        ("GET", "/basic", ["Forms"]),
        ("POST", "/login", ["Forms"]),
    ]


def test_check_names_the_collection_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mockproxy check`` loads a collection from the config and says what it was."""
    config = tmp_path / "mockproxy.yaml"
    source = POSTMAN / "auth.postman_collection.json"
    config.write_text(f"apis:\n  accounts:\n    spec: {source}\n    mount: /accounts\n")
    assert main(["check", "-c", str(config)]) == 0
    out = capsys.readouterr().out
    assert "accounts: Accounts 1.2.0 (Postman Collection v2.1), 4 operations" in out
