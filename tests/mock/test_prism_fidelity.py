"""Behaviours users rely on from Prism: small specs served end to end on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
