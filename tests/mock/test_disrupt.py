"""Faults as a real client socket sees them: reset, closed, held, garbage, trickled."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer

from proxy.mock.disrupt import MALFORMED_BYTES, disrupted
from proxy.mock.faults import Disruption, FaultKind

BODY = b'{"jobId":"FJKQQUVF1J0IADYARQEXKC","pages":3,"note":"' + b"x" * 200 + b'"}'


def serving(disruption: Disruption) -> web.Application:
    """An app whose one handler answers BODY through ``disrupted``."""

    async def answer() -> web.StreamResponse:
        return web.Response(body=BODY, content_type="application/json")

    async def handler(request: web.Request) -> web.StreamResponse:
        return await disrupted(request, disruption, answer)

    app = web.Application()
    app.router.add_get("/", handler)
    return app


async def raw_exchange(server: AiohttpServer) -> bytes:
    """Send a GET on a plain socket and read until the server closes (or resets)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


async def test_reset_is_a_tcp_reset(aiohttp_server: AiohttpServer) -> None:
    """The client's socket sees ECONNRESET and no byte of an answer."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.RESET)))
    with pytest.raises(ConnectionResetError):
        await raw_exchange(server)


async def test_empty_closes_without_an_answer(aiohttp_server: AiohttpServer) -> None:
    """The socket is closed cleanly with nothing sent; an HTTP client calls it a disconnect."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.EMPTY)))
    assert await raw_exchange(server) == b""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.get(server.make_url("/"))


async def test_timeout_holds_then_closes(aiohttp_server: AiohttpServer) -> None:
    """Nothing arrives before the client's own timeout."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.TIMEOUT, timeout_ms=1500)))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        with pytest.raises(TimeoutError):
            await session.get(server.make_url("/"))


async def test_timeout_is_capped(aiohttp_server: AiohttpServer) -> None:
    """A patient client gets a closed connection after the cap, still no answer."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.TIMEOUT, timeout_ms=200)))
    started = time.monotonic()
    assert await raw_exchange(server) == b""  # raw_exchange gives up after 5 s
    assert time.monotonic() - started >= 0.2


async def test_malformed_sends_bytes_that_are_not_http(aiohttp_server: AiohttpServer) -> None:
    """The socket receives the garbage bytes only; an HTTP client cannot parse them."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.MALFORMED)))
    assert await raw_exchange(server) == MALFORMED_BYTES
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientResponseError):
            await session.get(server.make_url("/"))


async def test_slow_trickles_the_whole_body(aiohttp_server: AiohttpServer) -> None:
    """Headers come before the body, the body in pieces over the configured time, complete."""
    server = await aiohttp_server(serving(Disruption(fault=FaultKind.SLOW, slow_ms=600)))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        started = time.monotonic()
        async with session.get(server.make_url("/")) as response:
            body_at_headers = response.content.total_bytes
            pieces = [chunk async for chunk in response.content.iter_any()]
        total = time.monotonic() - started
    assert response.status == 200 and response.content_type == "application/json"
    assert body_at_headers < len(BODY) // 2
    assert b"".join(pieces) == BODY and len(pieces) > 5
    assert total >= 0.6


async def test_delay_comes_before_the_answer(aiohttp_server: AiohttpServer) -> None:
    """A delayed answer arrives whole, after the delay."""
    server = await aiohttp_server(serving(Disruption(delay_ms=300)))
    async with aiohttp.ClientSession() as session:
        started = time.monotonic()
        async with session.get(server.make_url("/")) as response:
            assert await response.read() == BODY
        assert time.monotonic() - started >= 0.3
