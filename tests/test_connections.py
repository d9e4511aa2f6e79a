"""The connection guard on a real loopback server: head deadline, connection limit, 503."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from proxy.connections import ConnectionGuard
from tests.sockets import closed_by_server

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
GUARD = web.AppKey("guard", ConnectionGuard)
RELEASE = web.AppKey("release", asyncio.Event)


@web.middleware
async def announce(request: web.Request, handler: Handler) -> web.StreamResponse:
    """What the request context does: tell the guard a request is in progress, then done."""
    guard = request.app[GUARD]
    guard.request_started(request.transport)
    try:
        return await handler(request)
    finally:
        guard.request_finished(request.transport)


async def ok(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def quick(request: web.Request) -> web.Response:
    await asyncio.sleep(0.2)
    return web.Response(text="quick")


async def held(request: web.Request) -> web.Response:
    await request.app[RELEASE].wait()
    return web.Response(text="released")


@contextlib.asynccontextmanager
async def guarded_server(
    head_timeout: float = 5.0, max_connections: int | None = None
) -> AsyncIterator[tuple[int, ConnectionGuard]]:
    guard = ConnectionGuard(head_timeout, max_connections)
    app = web.Application(middlewares=[announce])
    app[GUARD] = guard
    app[RELEASE] = asyncio.Event()
    app.router.add_get("/ok", ok)
    app.router.add_get("/held", held)
    app.router.add_get("/quick", quick)
    runner = web.AppRunner(app, keepalive_timeout=75, access_log=None)
    await runner.setup()
    assert runner.server is not None
    server = await asyncio.get_running_loop().create_server(
        guard.wrap(runner.server), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1], guard
    finally:
        app[RELEASE].set()
        server.close()
        await guard.close()
        await runner.cleanup()


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def get(port: int, path: str = "/ok") -> bytes:
    reader, writer = await connect(port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), timeout=5)
    writer.close()
    return answer


async def test_a_head_sent_byte_by_byte_is_cut_at_the_head_timeout() -> None:
    """A client trickling its request head is closed once the head timeout has passed,
    however often it sends a byte."""
    async with guarded_server(head_timeout=0.5) as (port, _):
        reader, writer = await connect(port)

        async def trickle() -> None:
            for byte in b"GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.05)

        trickling = asyncio.create_task(trickle())
        try:
            assert await closed_by_server(reader, within=5)
            assert not trickling.done()  # cut while it still had bytes to send
        finally:
            trickling.cancel()
            writer.close()


async def test_a_kept_alive_connection_gets_the_head_timeout_again() -> None:
    """After an answer, a connection may idle; once a new head starts, it has the head
    timeout to finish it."""
    async with guarded_server(head_timeout=0.5) as (port, _):
        reader, writer = await connect(port)
        writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await reader.readuntil(b"ok")).startswith(b"HTTP/1.1 200")
        await asyncio.sleep(0.8)  # idle beyond the head timeout: still open
        assert not reader.at_eof()
        writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\n")
        assert await closed_by_server(reader, within=5)  # keep-alive would hold it 75 s
        writer.close()


async def test_a_request_in_progress_is_not_cut_by_the_head_timeout() -> None:
    """A request whose head arrived is handled however long it takes."""
    async with guarded_server(head_timeout=0.3) as (port, _):
        getting = asyncio.create_task(get(port, "/held"))
        await asyncio.sleep(0.9)
        assert not getting.done()
        # the handler is released by the server's shutdown in guarded_server
    assert (await getting).endswith(b"released")


async def test_at_the_limit_a_new_connection_closes_the_oldest_slow_one() -> None:
    """With every connection taken by clients that send nothing, a new client is served
    without waiting for a head timeout, and the oldest silent connection is the one closed."""
    async with guarded_server(head_timeout=60, max_connections=4) as (port, guard):
        silent = [await connect(port) for _ in range(4)]
        await asyncio.sleep(0.05)
        assert (await get(port)).endswith(b"ok")
        assert await closed_by_server(silent[0][0], within=5)
        assert not any(reader.at_eof() for reader, _ in silent[1:])
        assert guard.open_connections <= 4
        for _, writer in silent:
            writer.close()


async def test_at_the_limit_a_slow_head_is_closed_before_an_idle_connection() -> None:
    """An idle kept-alive connection, though older, outlives a client still trickling its
    head when a new connection needs a place."""
    async with guarded_server(head_timeout=60, max_connections=2) as (port, _):
        idle_reader, idle_writer = await connect(port)
        idle_writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        await idle_reader.readuntil(b"ok")
        slow_reader, slow_writer = await connect(port)
        slow_writer.write(b"GET /ok HTTP/1.1\r\n")
        await asyncio.sleep(0.05)
        assert (await get(port)).endswith(b"ok")
        assert await closed_by_server(slow_reader, within=5)
        idle_writer.write(b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await idle_reader.readuntil(b"ok")).startswith(b"HTTP/1.1 200")
        idle_writer.close()
        slow_writer.close()


async def test_when_every_connection_is_busy_a_new_one_gets_503() -> None:
    """Connections with requests in progress are never closed for a new one; the new one
    is told 503 with a problem document instead."""
    async with guarded_server(max_connections=2) as (port, _):
        busy = [asyncio.create_task(get(port, "/held")) for _ in range(2)]
        await asyncio.sleep(0.1)
        answer = await get(port)
        assert answer.startswith(b"HTTP/1.1 503")
        assert b"application/problem+json" in answer
        assert b"/too-many-connections" in answer
        assert not any(task.done() for task in busy)
    for task in busy:
        assert (await task).endswith(b"released")


async def test_drain_lets_quick_requests_finish_and_cancels_the_rest() -> None:
    """On shutdown, a request finishing within the grace period gets its answer; one still
    running after it is cancelled, so drain waits the grace period and no longer."""
    async with guarded_server() as (port, guard):
        quick = asyncio.create_task(get(port, "/quick"))
        stuck = asyncio.create_task(get(port, "/held"))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        assert await asyncio.wait_for(guard.drain(1), timeout=10) == 1  # /held never ends
        assert time.monotonic() - started >= 0.95
        assert (await quick).endswith(b"quick")
        assert await stuck == b""


async def test_drain_without_requests_returns_at_once() -> None:
    """With nothing in progress, shutdown does not wait for the grace period."""
    async with guarded_server() as (port, guard):
        await get(port)
        assert await asyncio.wait_for(guard.drain(60), timeout=10) == 0
