"""Behaviours users rely on from Prism: small specs served end to end on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec


async def serve(aiohttp_client: Any, tmp_path: Path, text: str) -> TestClient[Any, Any]:
    """``mockproxy mock`` for a description written to ``tmp_path``."""
    path = tmp_path / "api.yaml"
    path.write_text(text)
    settings = settings_for_spec(path)
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


SWAGGER = """\
swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /hello:
    get:
      produces: [application/json, text/plain, application/xml]
      responses:
        '200':
          description: ok
          schema: {type: string}
          examples:
            text/plain: hello
            application/xml: <greeting>hello</greeting>
  /nobody:
    get:
      produces: [application/json]
      responses:
        '200': {description: no schema}
"""


async def test_xml_string_example_is_sent_as_written(aiohttp_client: Any, tmp_path: Path) -> None:
    """A string example of an XML type is the body, not escaped inside ``<root>``."""
    client = await serve(aiohttp_client, tmp_path, SWAGGER)
    response = await client.get("/hello", headers={"Accept": "application/xml"})
    assert (response.status, await response.text()) == (200, "<greeting>hello</greeting>")


async def test_swagger_examples_per_media_type_win_without_accept(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """Without Accept, a media type with a documented example beats JSON without one."""
    client = await serve(aiohttp_client, tmp_path, SWAGGER)
    response = await client.get("/hello")
    assert response.headers["Content-Type"] == "text/plain"
    assert await response.text() == "hello"


async def test_swagger_produces_is_negotiated_without_a_schema(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """An Accept that fits none of ``produces`` is 406 even when the response has no schema."""
    client = await serve(aiohttp_client, tmp_path, SWAGGER)
    refused = await client.get("/nobody", headers={"Accept": "text/csv"})
    assert refused.status == 406
    assert (await refused.json())["available_media_types"] == ["application/json"]
    assert (await client.get("/nobody", headers={"Accept": "application/json"})).status == 200


ROUTES = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items:
    post:
      responses:
        '201': {description: made}
  /links/{optionId}:
    post:
      parameters: [{name: optionId, in: path, required: true, schema: {type: string}}]
      responses:
        '201': {description: made}
  /links/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer, example: 7}}}
  /links/{id}/details:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok}
"""


async def test_head_without_get_is_405_with_allow(aiohttp_client: Any, tmp_path: Path) -> None:
    """HEAD on a path documenting neither GET nor HEAD is refused, naming what is allowed."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    response = await client.head("/items")
    assert (response.status, response.headers["Allow"]) == (405, "POST")


async def test_twin_templates_route_by_method(aiohttp_client: Any, tmp_path: Path) -> None:
    """``/links/{optionId}`` (POST) and ``/links/{id}`` (GET) both answer their method."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    got = await client.get("/links/7")
    assert (got.status, await got.json()) == (200, {"id": 7})
    assert got.headers["X-Mockproxy-Operation"] == "GET /links/{id}"
    posted = await client.post("/links/7")
    assert (posted.status, posted.headers["X-Mockproxy-Operation"]) == (
        201,
        "POST /links/{optionId}",
    )
    refused = await client.delete("/links/7")
    assert (refused.status, refused.headers["Allow"]) == (405, "POST, GET")


async def test_empty_segment_is_a_missing_path_parameter(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """``/links//details`` is validated: 422 naming the missing parameter, not 404."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    response = await client.get("/links//details")
    assert response.status == 422
    assert (await response.json())["errors"] == [
        {"pointer": "/path/id", "detail": 'required path parameter "id" is missing'}
    ]


async def test_preflight_names_every_method_of_the_path(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A preflight is 204 with the methods of every template matching the path."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    response = await client.options(
        "/links/7",
        headers={"Origin": "http://app.test", "Access-Control-Request-Method": "GET"},
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Methods"] == "POST, GET, OPTIONS"
    assert await response.read() == b""


async def test_cors_headers_on_every_answer(aiohttp_client: Any, tmp_path: Path) -> None:
    """Answers and problem answers alike carry the CORS headers, credentials for an Origin."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    anonymous = await client.head("/items")
    assert anonymous.status == 405
    assert (
        anonymous.headers["Access-Control-Allow-Origin"],
        anonymous.headers["Access-Control-Allow-Headers"],
    ) == ("*", "*")
    origin = {"Origin": "http://app.test"}
    for response in (
        await client.get("/links/7", headers=origin),
        await client.delete("/links/7", headers=origin),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "http://app.test"
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert response.headers["Access-Control-Allow-Headers"] == "*"
        assert response.headers["Access-Control-Expose-Headers"] == "*"


SECURED = """\
openapi: 3.0.3
info: {title: t, version: '1'}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
    key: {type: apiKey, in: header, name: X-Key}
paths:
  /plain:
    get:
      security: [{basic: []}]
      responses:
        '200': {description: ok}
  /both:
    get:
      security: [{basic: [], key: []}]
      responses:
        '200': {description: ok}
        '401':
          description: who are you
          content:
            application/json:
              example: {error: unauthenticated}
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [qty], properties: {qty: {type: integer}}}
      responses:
        '201': {description: made}
        '422':
          description: invalid
          content:
            application/json:
              examples:
                tooMany: {value: {error: too many}}
"""
BASIC = {"Authorization": "Basic dXNlcjpwYXNz"}


async def test_basic_credential_must_be_id_and_password(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """``Basic abc123`` is not base64 of ``id:password``: 401; a well-formed one passes."""
    client = await serve(aiohttp_client, tmp_path, SECURED)
    refused = await client.get("/plain", headers={"Authorization": "Basic abc123"})
    assert refused.status == 401
    assert await refused.json() == {
        "code": 401,
        "message": "Not authenticated. Supported authentication types: basic.",
    }
    assert (await client.get("/plain", headers=BASIC)).status == 200


async def test_combined_schemes_need_both_and_answer_the_documented_401(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """Schemes required together (AND) need both; the spec's own 401 is the answer."""
    client = await serve(aiohttp_client, tmp_path, SECURED)
    half = await client.get("/both", headers=BASIC)
    assert (half.status, await half.json()) == (401, {"error": "unauthenticated"})
    assert (await client.get("/both", headers={**BASIC, "X-Key": "k"})).status == 200


async def test_invalid_request_with_unknown_example_name_is_404(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """An invalid request gets its 422 example by name; a name the 422 lacks is a 404."""
    client = await serve(aiohttp_client, tmp_path, SECURED)
    named = await client.post("/orders", json={}, headers={"Prefer": "example=tooMany"})
    assert (named.status, await named.json()) == (422, {"error": "too many"})
    unknown = await client.post("/orders", json={}, headers={"Prefer": "example=nope"})
    assert unknown.status == 404
    assert (await unknown.json())["available_examples"] == ["tooMany"]


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("GET", "/links/7", {"Accept": "application/xml"}, 406),
        ("GET", "/links/seven", {}, 422),
        ("GET", "/links/7", {"Prefer": "code=404"}, 404),
    ],
    ids=["not-acceptable", "invalid-request", "undocumented-code"],
)
async def test_mock_problems_say_the_mock_answered_which_operation(
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    """A problem the mock answers for a matched operation carries ``X-Mockproxy-Source`` and
    ``X-Mockproxy-Operation``, as its other answers do."""
    client = await serve(aiohttp_client, tmp_path, ROUTES)
    response = await client.request(method, path, headers=headers)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (
        response.status,
        response.headers.get("X-Mockproxy-Source"),
        response.headers.get("X-Mockproxy-Operation"),
    ) == (status, "mock", "GET /links/{id}")
