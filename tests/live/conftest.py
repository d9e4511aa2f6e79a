"""A recording upstream on loopback and a proxy in front of it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.settings import ApiSettings, Mode, Settings, Timeouts

FAX_SPEC = Path(__file__).resolve().parents[2] / "config" / "specs" / "fax.yaml"
AUTH = {"Authorization": "Basic dXNlcjpwYXNz"}
TEST_TIMEOUTS = Timeouts(connect=2, read=2, total=5)
VALID_REPORT = {
    "jobId": "FJKQQUVF1J0IADYARQEXKC",
    "recipientStatus": [{"number": "+498900000000", "status": "OK"}],
}


@dataclass
class Seen:
    """One request as the upstream saw it."""

    method: str
    raw_path: str
    query_string: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Recorder:
    seen: list[Seen] = field(default_factory=list)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)


RECORDER = web.AppKey("recorder", Recorder)


async def upstream_handler(request: web.Request) -> web.StreamResponse:
    """Records the request, then behaves as `?behave=` says."""
    recorder = request.app[RECORDER]
    behave = request.query.get("behave", "echo")
    if behave == "big-upload":
        size = 0
        async for chunk in request.content.iter_chunked(1 << 16):
            size += len(chunk)
        body = str(size).encode()
    else:
        body = await request.read()
    recorder.seen.append(
        Seen(
            request.method,
            request.raw_path,
            request.query_string,
            [(k.decode(), v.decode()) for k, v in request.raw_headers],
            body if behave != "big-upload" else b"",
        )
    )
    return await BEHAVIOURS[behave](request, body)


async def _echo(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.json_response({"method": request.method, "body": body.decode()})


async def _report(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.json_response(VALID_REPORT)


async def _bad_report(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.json_response({"jobId": 5}, headers={"X-Extra": "1"})


async def _gzip(request: web.Request, body: bytes) -> web.StreamResponse:
    payload = gzip.compress(b'{"compressed": true}')
    return web.Response(
        body=payload, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
    )


async def _gzip_report(request: web.Request, body: bytes) -> web.StreamResponse:
    payload = gzip.compress(json.dumps(VALID_REPORT).encode())
    return web.Response(
        body=payload, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
    )


async def _brotli_report(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(
        body=b"\x0b\x02\x80not-decodable-here",
        headers={"Content-Encoding": "br", "Content-Type": "application/json"},
    )


async def _cookies(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.Response(text="ok")
    response.headers.add("Set-Cookie", "a=1; Path=/")
    response.headers.add("Set-Cookie", "b=2; Path=/")
    response.headers["Connection"] = "X-Secret-Hop"
    response.headers["X-Secret-Hop"] = "dropped"
    return response


async def _redirect(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(status=302, headers={"Location": "/elsewhere"})


async def _redirect_below_base(request: web.Request, body: bytes) -> web.StreamResponse:
    """A redirect to another report, written as an absolute URL of this upstream."""
    location = str(request.url.with_path("/fax/v1/9991/fax/reports/J2").with_query(None))
    return web.Response(status=303, headers={"Location": location})


async def _error(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(status=500, text="upstream broke", headers={"X-Upstream": "yes"})


async def _unavailable(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(status=503, text="maintenance")


async def _slow(request: web.Request, body: bytes) -> web.StreamResponse:
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        request.app[RECORDER].cancelled.set()
        raise
    return web.Response(text="late")


async def _big_download(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_length = 100 * (1 << 20)
    await response.prepare(request)
    chunk = b"x" * (1 << 20)
    for _ in range(100):
        await response.write(chunk)
    return response


async def _big_upload(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(text=body.decode())


async def _reset(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_length = int(request.query.get("length", 1 << 20))
    await response.prepare(request)
    await response.write(b"partial")
    assert request.transport is not None
    request.transport.close()
    return response


async def _stall(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.StreamResponse()
    response.content_length = 1000
    await response.prepare(request)
    await response.write(b"partial")
    await asyncio.sleep(10)
    return response


async def _chunked(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for part in (b"one ", b"two ", b"three"):
        await response.write(part)
    await response.write_eof()
    return response


async def _no_content(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(status=204, headers={"X-Upstream": "yes"})


async def _not_modified(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(status=304, headers={"ETag": '"v1"'})


async def _own_id(request: web.Request, body: bytes) -> web.StreamResponse:
    return web.Response(text="ok", headers={"X-Request-Id": "upstream-1"})


async def _own_id_chunked(request: web.Request, body: bytes) -> web.StreamResponse:
    response = web.StreamResponse(headers={"X-Request-Id": "upstream-2"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write(b"ok")
    await response.write_eof()
    return response


BEHAVIOURS: dict[str, Callable[[web.Request, bytes], Awaitable[web.StreamResponse]]] = {
    "echo": _echo,
    "report": _report,
    "bad-report": _bad_report,
    "gzip": _gzip,
    "gzip-report": _gzip_report,
    "brotli-report": _brotli_report,
    "cookies": _cookies,
    "redirect": _redirect,
    "redirect-below-base": _redirect_below_base,
    "error": _error,
    "unavailable": _unavailable,
    "slow": _slow,
    "big-download": _big_download,
    "big-upload": _big_upload,
    "reset": _reset,
    "stall": _stall,
    "chunked": _chunked,
    "no-content": _no_content,
    "not-modified": _not_modified,
    "own-id": _own_id,
    "own-id-chunked": _own_id_chunked,
}


def upstream_app() -> web.Application:
    app = web.Application(client_max_size=1 << 30)
    app[RECORDER] = Recorder()
    app.router.add_route("*", "/{tail:.*}", upstream_handler)
    return app


def proxy_settings(
    upstream: str | None,
    mode: Mode = Mode.LIVE,
    operations: dict[str, Mode] | None = None,
    timeouts: Timeouts = TEST_TIMEOUTS,
    env_mode: Mode | None = None,
    api_env_mode: Mode | None = None,
    api_mode: Mode | None = None,
) -> Settings:
    api = ApiSettings(
        name="fax",
        spec_path=FAX_SPEC,
        mount="/fax",
        upstream=upstream,
        mode=api_mode,
        env_mode=api_env_mode,
        operations=MappingProxyType(operations or {}),
        timeouts=timeouts,
    )
    return Settings(
        apis=MappingProxyType({"fax": api}),
        mode=mode,
        env_mode=env_mode,
        max_body_bytes=1 << 30,
    )


@dataclass
class Pair:
    upstream: TestServer
    client: TestClient[Any, Any]

    @property
    def seen(self) -> list[Seen]:
        return self.upstream.app[RECORDER].seen

    @property
    def recorder(self) -> Recorder:
        return self.upstream.app[RECORDER]


@pytest.fixture
def make_pair(aiohttp_server: Any, aiohttp_client: Any) -> Callable[..., Awaitable[Pair]]:
    async def make(**options: Any) -> Pair:
        upstream = await aiohttp_server(upstream_app())
        base = str(upstream.make_url("/fax/v1"))
        settings = proxy_settings(base, **options)
        app = create_app(settings, build_catalog(settings))
        client = await aiohttp_client(app, server_kwargs={"handler_cancellation": True})
        return Pair(upstream, client)

    return make


def parse_violations(value: str) -> list[dict[str, str]]:
    result: list[dict[str, str]] = json.loads(value)
    return result


Connection = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_upstream(handle: Connection) -> AsyncIterator[int]:
    """A raw TCP server on loopback running ``handle`` per connection; yields its port.

    On the way out every connection is closed and its handler given time to end, so no
    stream outlives the test's event loop.
    """
    writers: set[asyncio.StreamWriter] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.add(writer)
        try:
            await handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await server.wait_closed()
        await asyncio.sleep(0.01)
