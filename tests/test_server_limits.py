"""`mockproxy serve` as a real process against misbehaving clients: slow heads, idle and
excess connections under a low descriptor limit, and SIGTERM with requests in flight."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.processes import FAX_SPEC, ROOT, free_port
from tests.sockets import closed_by_server

AUTH = "Authorization: Basic dXNlcjpwYXNz\r\n"


@dataclass
class Served:
    port: int
    process: asyncio.subprocess.Process


async def health(port: int, within: float = 2.0) -> bytes:
    """GET /_mockproxy/health on a new connection: the raw answer."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), within)
    try:
        writer.write(b"GET /_mockproxy/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return await asyncio.wait_for(reader.read(), within)
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def serve(
    tmp_path: Path, server: str, upstream: str | None = None, files: int | None = None
) -> AsyncIterator[Served]:
    """`python -m proxy serve` with ``server:`` settings (and a live upstream), optionally
    under a descriptor limit of ``files``; killed on the way out if still running."""
    config = tmp_path / "mockproxy.yaml"
    live = f"    mode: live\n    upstream: {upstream}\n" if upstream else "    mode: mock\n"
    config.write_text(
        f"server: {server}\nlog: {{format: json}}\napis:\n  fax:\n    spec: {FAX_SPEC}\n{live}"
    )
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]

    def lower_limit() -> None:
        if files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, limit))

    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        "serve",
        "-c",
        str(config),
        "--port",
        str(port),
        cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=lower_limit,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError, asyncio.TimeoutError):
                if (await health(port, 0.5)).startswith(b"HTTP/1.1 200"):
                    break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        yield Served(port, process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_health_answers_under_slowloris_at_the_descriptor_limit(tmp_path: Path) -> None:
    """With 400 connections trickling request heads into a process allowed 256 descriptors,
    a health probe on a new connection is answered long before the head timeout (10 s)
    could free a descriptor."""
    async with serve(tmp_path, "{}", files=256) as served:
        writers: list[asyncio.StreamWriter] = []
        try:
            for _ in range(400):
                _, writer = await asyncio.open_connection("127.0.0.1", served.port)
                writer.write(b"GET /_mockproxy/health HTTP/1.1\r\nHost: x\r\n")
                writers.append(writer)
            await asyncio.sleep(0.5)
            answer = await health(served.port)
            assert answer.startswith(b"HTTP/1.1 200")
        finally:
            for writer in writers:
                writer.close()


async def test_a_trickled_head_is_cut_at_server_head_timeout(tmp_path: Path) -> None:
    """A client sending its head a byte at a time is disconnected after server.head_timeout."""
    async with serve(tmp_path, "{head_timeout: 1}") as served:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)

        async def trickle() -> None:
            for byte in b"GET /_mockproxy/health HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                writer.write(bytes([byte]))
                await asyncio.sleep(0.1)

        trickling = asyncio.create_task(trickle())
        try:
            assert await closed_by_server(reader, within=5)
            assert not trickling.done()
        finally:
            trickling.cancel()
            writer.close()


async def test_an_idle_connection_is_closed_after_server_keepalive_timeout(
    tmp_path: Path,
) -> None:
    """A kept-alive connection left idle is closed after server.keepalive_timeout."""
    async with serve(tmp_path, "{keepalive_timeout: 1}") as served:
        reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
        writer.write(b"GET /_mockproxy/health HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readuntil(b'"ok"}')
        assert await closed_by_server(reader, within=5)
        writer.close()


async def test_sigterm_abandons_what_outlives_the_shutdown_timeout(
    tmp_path: Path, aiohttp_server: Any
) -> None:
    """SIGTERM with requests in flight: a quick one still gets its answer, the slow ones are
    closed after server.shutdown_timeout and logged once each as abandoned, never as 500,
    and the process exits long before they would have ended."""

    async def upstream_handler(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("wait", "30")))
        return web.json_response({"reports": []})

    upstream_app = web.Application()
    upstream_app.router.add_get("/{tail:.*}", upstream_handler)
    upstream = await aiohttp_server(upstream_app)
    async with serve(
        tmp_path, "{shutdown_timeout: 1}", upstream=str(upstream.make_url("/fax/v1"))
    ) as served:

        async def request(wait: float) -> bytes:
            reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
            writer.write(
                f"GET /fax/9991/fax/reports?wait={wait} HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n".encode()
            )
            try:
                return await asyncio.wait_for(reader.read(), timeout=10)
            finally:
                writer.close()

        slow = [asyncio.create_task(request(30)) for _ in range(3)]
        quick = asyncio.create_task(request(0.5))
        await asyncio.sleep(0.3)
        served.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(served.process.wait(), timeout=10) == 0  # not their 30 s
        assert (await quick).startswith(b"HTTP/1.1 200")
        assert [await task for task in slow] == [b"", b"", b""]
        assert served.process.stderr is not None
        lines = [json.loads(line) for line in (await served.process.stderr.read()).splitlines()]
        abandoned = [line for line in lines if line["event"] == "request.abandoned"]
        assert len(abandoned) == 3
        assert not [line for line in lines if line.get("status") == 500]
