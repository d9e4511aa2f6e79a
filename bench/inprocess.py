"""Server CPU per request, measured in one process without sockets: for profiling.

    python bench/inprocess.py [--requests 20000] [--repeats 7] [--cold KIB] [--profile a]

wrk through loopback measures what a client sees, and on a shared machine it varies by 15 %
between identical runs: too coarse to tell whether a change saved a microsecond. This drives
aiohttp's own connection handler (HTTP parser, request, handler, response writer) with
pipelined requests through an in-memory transport, so what is left is the server's CPU per
request, minus the socket calls. The load and its transports cost 1 to 2 µs per request by
themselves: the ``harness`` line measures them against a server that answers at once with
canned bytes, and every figure printed has that subtracted. The best of several repeats is
stable to a few percent.

Run back to back, the server's code and data stay in the CPU caches, which under wrk they do
not: the kernel's loopback work runs between requests. ``--cold 1024`` sweeps 1 MiB through
the caches before each request (the harness too, so its cost is still subtracted), which
brings the ratios close to wrk's; use it to judge a change by what it does with cold caches.
``--profile KEY`` runs that scenario under pyinstrument and prints where the time goes.

``d`` is bench/run.py's (d), a GET forwarded to a bare upstream. Its client side is the real
one: the upstream is the yardstick in a process of its own, reached over loopback sockets, and
the figure is this process's CPU time per request (``time.process_time``: the proxy's Python
and its own socket calls, not the upstream's work, nor the wait for it). It has no yardstick
here; compare it with itself across a change.

The scenarios are bench/run.py's, on the bundled config; ``bare`` and ``same-*`` are its
yardsticks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import AUTH, MOCK_SCENARIOS, free_port, live_environment  # noqa: E402
from bench.yardstick import yardstick_app  # noqa: E402
from proxy.app import create_app  # noqa: E402
from proxy.catalog import build_catalog  # noqa: E402
from proxy.config import load_settings  # noqa: E402
from proxy.observability import configure_logging  # noqa: E402
from proxy.server import use_fast_event_loop  # noqa: E402


def request_bytes(method: str, path: str, headers: dict[str, str], body: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body:
        lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


SCENARIOS: dict[str, tuple[str, bytes, int]] = {
    "harness": ("harness", request_bytes("GET", "/", {}), 200),
    "bare": ("bare", request_bytes("GET", "/", {}), 200),
}
for _key, (_description, _request, _status) in MOCK_SCENARIOS.items():
    _raw = request_bytes(_request.method, _request.path, _request.headers, _request.body or "")
    SCENARIOS[_key] = ("mock", _raw, _status)
    SCENARIOS[f"same-{_key}"] = ("bare", _raw, 200)  # bench/run.py's same-request yardsticks

SCENARIOS["d"] = (  # bench/run.py's (d): the live API, forwarded to a bare upstream
    "live",
    request_bytes("GET", "/fax/fax4a-api/9991/fax/reports", {"Authorization": AUTH}),
    200,
)


class Load:
    """Closed-loop load like wrk's: each connection sends its next request on an answer."""

    def __init__(self, raw: bytes, total: int, sweep: bytearray | None = None) -> None:
        self.raw = raw
        self.total = total
        self.sweep = sweep
        self.sent = 0
        self.answered = 0
        self.statuses: set[bytes] = set()
        self.done = asyncio.Event()


class CannedServer(asyncio.Protocol):
    """A 'server' that answers every request at once with the same bytes: what the load and
    its transports cost by themselves (``harness``), to subtract from every scenario."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(self.ANSWER)


class MemoryTransport(asyncio.Transport):
    """One connection: takes what the server writes and sends the next request."""

    def __init__(self, load: Load) -> None:
        super().__init__()
        self.load = load
        self.protocol: asyncio.Protocol | None = None

    def send(self) -> None:
        load = self.load
        if load.sent < load.total and self.protocol is not None:
            load.sent += 1
            if load.sweep:
                bytes(load.sweep)  # copying streams it through the caches, evicting the server
            self.protocol.data_received(load.raw)

    def _take(self, data: bytes | bytearray | memoryview) -> None:
        chunk = bytes(data)
        if chunk.startswith(b"HTTP/1.1 "):
            load = self.load
            load.answered += 1
            load.statuses.add(chunk[9:12])
            if load.answered >= load.total:
                load.done.set()
            else:
                asyncio.get_running_loop().call_soon(self.send)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._take(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self._take(data)

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default
        )

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def close(self) -> None:
        pass


def build_app(kind: str, environ: dict[str, str]) -> web.Application:
    if kind in ("bare", "harness"):
        return yardstick_app()
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ=environ)
    return create_app(settings, build_catalog(settings))


@contextlib.asynccontextmanager
async def upstream_for(kind: str) -> AsyncIterator[dict[str, str]]:
    """For a live scenario, a bare upstream in a process of its own (its CPU is not counted)
    and the environment that points the bundled config's fax API at it, in live mode."""
    if kind != "live":
        yield {}
        return
    port = free_port()
    upstream = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.yardstick", str(port), cwd=ROOT
    )
    try:
        for _ in range(500):  # 10 s at most
            with contextlib.suppress(OSError):
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.02)
        else:
            raise SystemExit(f"the upstream on port {port} did not come up")
        yield live_environment(port)
    finally:
        upstream.terminate()
        await upstream.wait()


async def measure(
    key: str, requests: int, repeats: int, connections: int, cold_kib: int = 0
) -> float:
    """Best µs per request over the repeats, the harness's own cost included.

    ``cold_kib`` > 0 sweeps that many KiB through the CPU caches before each request, as the
    kernel's loopback work does under wrk: the server then runs with cold caches.
    """
    kind, raw, status = SCENARIOS[key]
    async with upstream_for(kind) as environ:
        return await _measure(
            key, kind, raw, status, environ, requests, repeats, connections, cold_kib
        )


async def _measure(
    key: str,
    kind: str,
    raw: bytes,
    status: int,
    environ: dict[str, str],
    requests: int,
    repeats: int,
    connections: int,
    cold_kib: int,
) -> float:
    runner = web.AppRunner(build_app(kind, environ), access_log=None, handle_signals=False)
    await runner.setup()
    assert runner.server is not None
    server: Callable[[], asyncio.Protocol] = CannedServer if kind == "harness" else runner.server
    # a live request waits for its upstream: count this process's CPU, not the wall clock
    clock = time.process_time if kind == "live" else time.perf_counter
    best = float("inf")
    statuses: set[bytes] = set()
    try:
        for _ in range(repeats):
            load = Load(raw, requests, bytearray(cold_kib * 1024))
            transports = [MemoryTransport(load) for _ in range(connections)]
            for transport in transports:
                transport.protocol = server()
                transport.protocol.connection_made(transport)
            started = clock()
            for transport in transports:
                transport.send()
            await load.done.wait()
            best = min(best, (clock() - started) / requests * 1e6)
            statuses |= load.statuses
            for transport in transports:
                assert transport.protocol is not None
                transport.protocol.connection_lost(None)
        if statuses != {str(status).encode()}:
            raise SystemExit(f"{key}: answered {statuses}, expected {status}")
    finally:
        await runner.cleanup()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--cold",
        type=int,
        default=0,
        metavar="KIB",
        help="sweep KIB through the caches before each request (1024 comes close to wrk's ratios)",
    )
    parser.add_argument("--profile", choices=sorted(SCENARIOS), default=None)
    parser.add_argument("--all", action="store_true", help="with --profile: library frames too")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    arguments = parser.parse_args()
    use_fast_event_loop()
    configure_logging("json", "warning")  # as bench/run.py runs the server
    if arguments.profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.0001) as profiler:
            asyncio.run(measure(arguments.profile, arguments.requests, 1, arguments.connections))
        profiler.print(show_all=arguments.all)
        return
    harness = asyncio.run(
        measure(
            "harness", arguments.requests, arguments.repeats, arguments.connections, arguments.cold
        )
    )
    print(f"harness {harness:6.1f} µs/request (the load's own cost, subtracted below)")
    bare = None
    for key in arguments.scenarios:
        if key == "harness":
            continue
        micros = asyncio.run(
            measure(
                key, arguments.requests, arguments.repeats, arguments.connections, arguments.cold
            )
        )
        server = micros - harness
        if key == "bare":
            bare = server
        judged = key != "bare" and SCENARIOS[key][0] == "mock"  # d has no yardstick here
        ratio = f"  ratio {bare / server:.2f}" if bare and judged else ""
        print(f"{key:7} {server:6.1f} µs/request{ratio}")


if __name__ == "__main__":
    main()
