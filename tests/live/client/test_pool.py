"""The upstream pool on its own, against scripted raw HTTP servers on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from proxy.live.client import StreamedBody, UpstreamPool
from proxy.live.client.response import (
    HIGH_WATER,
    UpstreamMalformed,
    UpstreamReset,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from proxy.settings import Timeouts
from tests.live.conftest import raw_upstream

QUICK = Timeouts(connect=2, read=2, total=5)
HOST = b"Host: upstream.test\r\n"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

Reply = Callable[[int, bytes, asyncio.StreamWriter], Awaitable[bool]]


@dataclass
class Script:
    """A raw server: for each request head, ``reply(index, head, writer)``; False closes."""

    reply: Reply
    connections: int = 0
    heads: list[bytes] = field(default_factory=list)
    port: int = 0


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        return await reader.readuntil(b"\r\n\r\n")
    return None


@contextlib.asynccontextmanager
async def raw_server(reply: Reply) -> AsyncIterator[Script]:
    script = Script(reply)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        script.connections += 1
        while (head := await _read_head(reader)) is not None:
            script.heads.append(head)
            if not await reply(len(script.heads) - 1, head, writer):
                break
            await writer.drain()

    async with raw_upstream(serve) as port:
        script.port = port
        yield script


@pytest.fixture
async def pool() -> AsyncIterator[UpstreamPool]:
    upstream_pool = UpstreamPool(limit_per_origin=4, max_idle_per_origin=2)
    yield upstream_pool
    await upstream_pool.close()


async def get(
    pool: UpstreamPool, script: Script, method: str = "GET", body: bytes | None = None
) -> tuple[int, bytes]:
    endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
    response = await endpoint.send(method, b"/x", HOST, body, QUICK)
    try:
        return response.status, await response.read()
    finally:
        response.close()


async def always_ok(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(OK)
    return True


async def first_only(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """Answers the first request; closes as the second arrives (the idle-close race)."""
    if index == 1:
        return False
    writer.write(OK)
    return True


async def test_keep_alive_connection_is_reused(pool: UpstreamPool) -> None:
    """Three requests in turn travel over one connection."""
    async with raw_server(always_ok) as script:
        for _ in range(3):
            assert await get(pool, script) == (200, b"ok")
    assert script.connections == 1


async def test_request_is_written_as_given(pool: UpstreamPool) -> None:
    """Request line and fields go out byte for byte, with the body framed by Content-Length."""
    async with raw_server(always_ok) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        fields = b"Host: h\r\nX-Odd: a  b\r\n"
        response = await endpoint.send("POST", b"/a%2Fb?x=1+2", fields, b"hi", QUICK)
        await response.read()
    assert script.heads[0] == (
        b"POST /a%2Fb?x=1+2 HTTP/1.1\r\nHost: h\r\nX-Odd: a  b\r\nContent-Length: 2\r\n\r\n"
    )


async def test_stale_keep_alive_connection_is_retried_once(pool: UpstreamPool) -> None:
    """A pooled connection the upstream dropped before answering is replaced, not a 502."""
    async with raw_server(first_only) as script:
        assert await get(pool, script) == (200, b"ok")
        assert await get(pool, script) == (200, b"ok")
    assert script.connections == 2


async def test_connection_closed_while_idle_leaves_the_pool(pool: UpstreamPool) -> None:
    """An idle connection the upstream closes is dropped at once; the next request opens anew."""

    async def answer_then_close(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(OK)
        await writer.drain()
        return False

    async with raw_server(answer_then_close) as script:
        assert await get(pool, script) == (200, b"ok")
        await asyncio.sleep(0.05)
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        assert (endpoint.idle, endpoint.open) == (0, 0)
        assert await get(pool, script) == (200, b"ok")
    assert script.connections == 2


async def test_stale_connection_is_not_retried_for_post(pool: UpstreamPool) -> None:
    """A non-idempotent request is not sent twice (RFC 9112 9.3.1): the failure is reported."""
    async with raw_server(first_only) as script:
        assert await get(pool, script) == (200, b"ok")
        with pytest.raises(UpstreamUnreachable):
            await get(pool, script, "POST", b"{}")
    assert script.connections == 1


async def closing(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """An answer with Connection: close (the server would keep it: the client must not)."""
    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
    return True


async def chunked(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """A chunked answer in two writes, with a trailer."""
    writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    writer.write(b"3\r\nabc\r\n")
    await asyncio.sleep(0.01)
    writer.write(b"2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n")
    return True


async def until_close(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """An answer without length or chunking: the body ends with the connection."""
    writer.write(b"HTTP/1.1 200 OK\r\n\r\nall of ")
    await writer.drain()
    await asyncio.sleep(0.01)
    writer.write(b"it")
    return False


@pytest.mark.parametrize(
    ("reply", "body", "connections"),
    [(closing, b"ok", 2), (chunked, b"abcde", 1), (until_close, b"all of it", 2)],
    ids=["connection-close-not-reused", "chunked-reassembled-and-reused", "read-until-close"],
)
async def test_answer_framing_and_reuse(
    pool: UpstreamPool, reply: Reply, body: bytes, connections: int
) -> None:
    """Each framing gives the whole body; a connection is reused only when the answer left it
    usable (not after Connection: close or a body ended by closing)."""
    async with raw_server(reply) as script:
        assert await get(pool, script) == (200, body)
        assert await get(pool, script) == (200, body)
    assert script.connections == connections


async def test_interim_answers_are_skipped(pool: UpstreamPool) -> None:
    """100 Continue and 103 Early Hints come before the real answer, which is the one returned."""

    async def interim(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
        writer.write(b"HTTP/1.1 201 Created\r\nX-Final: 1\r\nContent-Length: 1\r\n\r\nz")
        return True

    async with raw_server(interim) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        response = await endpoint.send("GET", b"/", HOST, None, QUICK)
        assert (response.status, response.headers) == (
            201,
            [(b"X-Final", b"1"), (b"Content-Length", b"1")],
        )
        assert await response.read() == b"z"


async def test_head_answer_ends_with_its_headers(pool: UpstreamPool) -> None:
    """A HEAD answer's Content-Length announces no body; the connection serves the next request."""

    async def head_then_get(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        if head.startswith(b"HEAD"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        else:
            writer.write(OK)
        return True

    async with raw_server(head_then_get) as script:
        assert await get(pool, script, "HEAD") == (200, b"")
        assert await get(pool, script) == (200, b"ok")
    assert script.connections == 1


@pytest.mark.parametrize("status", [204, 304], ids=["no-content", "not-modified"])
async def test_bodiless_statuses_have_no_body(pool: UpstreamPool, status: int) -> None:
    """204 and 304 end with their headers whatever they announce."""

    async def bodiless(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 %d X\r\nContent-Length: 10\r\n\r\n" % status)
        if index == 1:
            writer.write(OK)
        return True

    async with raw_server(bodiless) as script:
        assert await get(pool, script) == (status, b"")


async def test_read_timeout_counts_silence(pool: UpstreamPool) -> None:
    """An upstream that never answers fails after the read timeout, not the total one."""

    async def silent(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(3)
        return False

    async with raw_server(silent) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout, match="read"):  # the total one would say "total"
            await endpoint.send("GET", b"/", HOST, None, Timeouts(connect=1, read=0.3, total=5))
        assert time.monotonic() - started >= 0.3


async def test_total_timeout_bounds_a_dripping_head(pool: UpstreamPool) -> None:
    """Bytes every 0.1 s keep the read timeout at bay; the total timeout still ends a head
    that never completes."""

    async def drip(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 30:
            await asyncio.sleep(0.1)
            writer.write(bytes([byte]))
            await writer.drain()
        return False

    async with raw_server(drip) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout, match="total"):  # the head would take 4 s
            await endpoint.send("GET", b"/", HOST, None, Timeouts(connect=1, read=0.5, total=0.8))
        assert time.monotonic() - started >= 0.8


async def test_a_steady_body_streams_past_the_total_timeout(pool: UpstreamPool) -> None:
    """Once the head is in, only silence (the read timeout) ends a body: one arriving slowly
    but steadily is read to its end, past the total timeout."""

    async def drip(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        for _ in range(12):
            await asyncio.sleep(0.1)
            writer.write(b"x")
            await writer.drain()
        return True

    async with raw_server(drip) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        started = time.monotonic()
        response = await endpoint.send(
            "GET", b"/", HOST, None, Timeouts(connect=1, read=0.5, total=0.5)
        )
        assert await response.read() == b"x" * 12
        assert time.monotonic() - started > 1


async def test_refused_connection_is_unreachable(pool: UpstreamPool, unused_tcp_port: int) -> None:
    """Nothing listening: UpstreamUnreachable, at once."""
    endpoint = pool.endpoint("http", "127.0.0.1", unused_tcp_port, True)
    with pytest.raises(UpstreamUnreachable):
        await endpoint.send("GET", b"/", HOST, None, QUICK)


async def test_reset_mid_body_is_a_reset(pool: UpstreamPool) -> None:
    """A connection lost before the announced length arrived fails the body, not the head."""

    async def short(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        return False

    async with raw_server(short) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        response = await endpoint.send("GET", b"/", HOST, None, QUICK)
        assert response.status == 200
        with pytest.raises(UpstreamReset):
            await response.read()


async def test_reading_pauses_while_the_consumer_lags(pool: UpstreamPool) -> None:
    """A big answer nobody reads stays mostly in the socket, not in memory."""
    size = 16 * HIGH_WATER

    async def big(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        writer.write(b"x" * size)
        return True

    async with raw_server(big) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        response = await endpoint.send("GET", b"/", HOST, None, QUICK)
        await asyncio.sleep(0.3)
        assert response._buffered < 2 * HIGH_WATER
        received = 0
        while chunk := await response.read_chunk(1 << 16):
            received += len(chunk)
        assert received == size


async def test_streamed_body_is_sent_chunked(pool: UpstreamPool, aiohttp_server: object) -> None:
    """A body of unknown length goes out chunked and arrives whole."""

    async def count(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app = web.Application(client_max_size=1 << 23)
    app.router.add_post("/", count)
    server = await aiohttp_server(app)  # type: ignore[operator]

    async def parts() -> AsyncIterator[bytes]:
        for _ in range(50):
            yield b"y" * 100_000

    endpoint = pool.endpoint("http", "127.0.0.1", server.port, True)
    response = await endpoint.send("POST", b"/", HOST, StreamedBody(parts(), None), QUICK)
    assert await response.read() == b"5000000"


async def slow_ok(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """An upstream script: every request is answered 200 after 50 ms, so requests overlap."""
    await asyncio.sleep(0.05)
    writer.write(OK)
    return True


async def test_idle_connections_are_bounded(pool: UpstreamPool) -> None:
    """After four requests at once, only max_idle_per_origin (2) connections are kept."""
    async with raw_server(slow_ok) as script:
        await asyncio.gather(*(get(pool, script) for _ in range(4)))
        await asyncio.sleep(0.05)
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        assert (script.connections, endpoint.idle, endpoint.open) == (4, 2, 2)


async def test_open_connections_are_limited(pool: UpstreamPool) -> None:
    """Beyond limit_per_origin (4) requests wait for a connection instead of opening more."""
    async with raw_server(slow_ok) as script:
        results = await asyncio.gather(*(get(pool, script) for _ in range(10)))
    assert results == [(200, b"ok")] * 10
    assert script.connections == 4


async def test_close_closes_idle_connections(pool: UpstreamPool) -> None:
    """Closing the pool ends its idle connections (the upstream sees the end)."""
    async with raw_server(always_ok) as script:
        await get(pool, script)
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        await pool.close()
        await asyncio.sleep(0.05)
        assert endpoint.open == 0


async def endless_header(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """A header field that never ends: only a limit on the head can stop reading it."""
    writer.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
    with contextlib.suppress(ConnectionError):
        while True:
            writer.write(b"a" * 8192)
            await writer.drain()
    return False


async def many_fields(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 101 + b"Content-Length: 0\r\n\r\n")
    return False


async def not_http(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
    return False


async def unasked_upgrade(index: int, head: bytes, writer: asyncio.StreamWriter) -> bool:
    """Switches protocols, though the request (whose Upgrade field never passes) asked for none."""
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
    return False


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (endless_header, "over 65536 bytes"),
        (many_fields, "over 100 fields"),
        (not_http, "malformed answer"),
        (unasked_upgrade, "101 Switching Protocols"),
    ],
    ids=["endless-header", "101-fields", "not-http", "unasked-upgrade"],
)
async def test_an_answer_head_over_the_limits_or_not_http_is_malformed(
    pool: UpstreamPool, reply: Reply, message: str
) -> None:
    """A head over 64 KiB or 100 fields, an answer that is not HTTP, or a switch of protocols
    nobody asked for, fails as malformed without reading the rest (an endless head would
    otherwise end in the total timeout)."""
    async with raw_server(reply) as script:
        endpoint = pool.endpoint("http", "127.0.0.1", script.port, True)
        with pytest.raises(UpstreamMalformed, match=message):
            await endpoint.send("GET", b"/", HOST, None, QUICK)
