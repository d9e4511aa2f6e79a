"""Shared by the toolkit's end-to-end tests: mockproxy from config text, a loopback callback
listener, raw sockets that see broken answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from tests.test_mock_app import AUTH, BASE

TESTS = Path(__file__).resolve().parent
FAX_SPEC = TESTS.parent / "config" / "specs" / "fax.yaml"
WEBHOOKS = TESTS / "callbacks" / "specs" / "webhooks.yaml"
PEOPLE = TESTS / "mock" / "specs" / "people.yaml"
REPORTS = BASE + "/fax/reports"

Client = TestClient[Any, Any]
MakeClient = Callable[[str], Awaitable[Client]]


def client_factory(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """Makes clients of mockproxy serving the given config text (specs by absolute path)."""
    made = iter(range(1000))

    async def make(text: str) -> Client:
        path = tmp_path / f"config{next(made)}.yaml"
        path.write_text(text)  # a test's set-up, before any server runs
        settings = load_settings(path, environ={})
        client: Client = await aiohttp_client(create_app(settings, build_catalog(settings)))
        return client

    return make


def fax_config(extra: str = "", api_extra: str = "") -> str:
    return (
        f"callbacks: {{delay: 0ms, backoff: 10ms}}\n{extra}"
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mount: /fax/fax4a-api\n    mode: mock\n{api_extra}"
    )


async def journal(client: Client, **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/_mockproxy/requests", params=filters)
    entries: list[dict[str, Any]] = (await response.json())["requests"]
    return entries


async def raw_get(client: Client, target: str, headers: str = "") -> bytes:
    """A GET on a plain socket, read until the server closes: what a broken answer leaves."""
    assert client.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    auth = AUTH["Authorization"]
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n{headers}\r\n".encode()
    )
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


RECEIVED: web.AppKey[list[tuple[str, str, bytes]]] = web.AppKey("received", list)


def receiver() -> web.Application:
    """A loopback listener recording every callback it receives."""

    async def hook(request: web.Request) -> web.Response:
        request.app[RECEIVED].append((request.method, request.path_qs, await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app[RECEIVED] = []
    app.router.add_route("*", "/{tail:.*}", hook)
    return app


async def received(server: Any, count: int = 1, wait: float = 5) -> list[tuple[str, str, bytes]]:
    for _ in range(int(wait / 0.02)):
        if len(server.app[RECEIVED]) >= count:
            break
        await asyncio.sleep(0.02)
    found: list[tuple[str, str, bytes]] = server.app[RECEIVED]
    return found


def webhooks_config() -> str:
    return f"callbacks: {{delay: 0ms, backoff: 10ms}}\napis:\n  hooks:\n    spec: {WEBHOOKS}\n    mode: mock\n"
