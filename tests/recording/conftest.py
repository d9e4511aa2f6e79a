"""A pets upstream on loopback, and config files that record from it or replay from disk."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.settings import Settings

PETS_SPEC = Path(__file__).parent / "scenarios" / "pets.yaml"
KEY = "api_key=SECRET-KEY"
PLAIN_PET = b'{"id": 1,   "name": "Rex"}\n'
"""Spaced oddly on purpose: a replay must give these bytes, not a re-rendering of them."""
SECRETS = ("SECRET-KEY", "SECRET-AUTH", "SECRET-COOKIE", "SECRET-INTERNAL", "SECRET-TOKEN")


async def _pet(request: web.Request) -> web.Response:
    pet = request.match_info["pet"]
    headers = {"X-Rate-Limit": "99", "X-Internal": "SECRET-INTERNAL"}
    if pet == "missing":
        return web.json_response({"message": "no such pet"}, status=404)
    if pet == "bad":
        return web.json_response({"id": "seven", "name": 7}, headers=headers)
    if pet in ("secret", "zipped"):
        body = {
            "id": 2,
            "name": "Tom",
            "token": "SECRET-TOKEN",
            "owner": {"name": "Ann", "ssn": "SECRET-SSN"},
        }
        headers["Set-Cookie"] = "session=SECRET-COOKIE; Path=/"
        if pet == "zipped":  # as a real API answers a client that accepts gzip
            headers["Content-Encoding"] = "gzip"
            payload = gzip.compress(json.dumps(body).encode())
            return web.Response(body=payload, content_type="application/json", headers=headers)
        return web.json_response(body, headers=headers)
    if pet.isdigit():
        body = PLAIN_PET.replace(b'"id": 1', b'"id": ' + pet.encode())
        return web.Response(body=body, content_type="application/json", headers=headers)
    return web.json_response({"message": "no such pet"}, status=404)


def pets_upstream() -> web.Application:
    app = web.Application()
    app.router.add_get("/pets/{pet}", _pet)
    return app


def write_config(
    folder: Path,
    upstream: str | None,
    mode: str,
    record: dict[str, Any],
    api_extra: dict[str, Any] | None = None,
) -> Path:
    """A config file in ``folder`` (recordings go to ``folder/recordings/pets.yaml``);
    ``api_extra`` holds more of the API's settings."""
    api: dict[str, Any] = {"spec": str(PETS_SPEC), "mount": "/pets-api", "record": record}
    api.update(api_extra or {})
    if upstream:
        api["upstream"] = upstream
    config = {"mode": mode, "apis": {"pets": api}}
    path = folder / "mockproxy.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def settings_in(
    folder: Path,
    upstream: str | None = None,
    mode: str = "record",
    environ: dict[str, str] | None = None,
    api_extra: dict[str, Any] | None = None,
    **record: Any,
) -> Settings:
    return load_settings(write_config(folder, upstream, mode, record, api_extra), environ or {})


@pytest.fixture
async def upstream_url(aiohttp_server: Any) -> str:
    server: TestServer = await aiohttp_server(pets_upstream())
    return str(server.make_url("")).rstrip("/")


async def start(settings: Settings) -> TestClient[Any, Any]:
    """A proxy for ``settings``; closing it waits for its recordings to be written."""
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(settings, build_catalog(settings)))
    )
    await client.start_server()
    return client


async def record(settings: Settings, *targets: str, **headers: str) -> list[bytes]:
    """Send each target through a recording proxy, then shut it down (as a restart would)."""
    client = await start(settings)
    bodies = []
    try:
        for target in targets:
            response = await client.get(target, headers=headers)
            bodies.append(await response.read())
    finally:
        await client.close()
    return bodies
