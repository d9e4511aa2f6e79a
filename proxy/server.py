"""Serving a loaded configuration: the port, the runner, its TCP site, signals and workers.

``cli.py`` decides what to serve; this module only serves it, until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
from collections.abc import Iterator
from typing import Final

import structlog
from aiohttp import web

from proxy.app import create_app
from proxy.keys import CONNECTIONS
from proxy.process_metrics import metrics_shared_by_workers
from proxy.settings import Settings
from proxy.snapshot import Reloader, Snapshot

__all__ = ["reserved_port", "run_workers", "serve", "use_fast_event_loop"]

log = structlog.get_logger(__name__)

CLOSING_SECONDS: Final = 1.0
"""After the drain: how long the runner's clean-up may take to close the connections left."""
BACKLOG: Final = 128


def use_fast_event_loop() -> bool:
    """uvloop where it is installed (Linux, macOS): a faster drop-in event loop."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


@contextlib.contextmanager
def reserved_port(host: str, port: int, workers: int) -> Iterator[int]:
    """The port to serve on: ``port``, or for 0 one the system picks, so that the banner can
    name it before serving starts. The picked port is held meanwhile by a socket that is bound
    but never listens (SO_REUSEPORT, which the server's sockets then set too). A given port is
    bound once and let go, as the server will bind it, so that a port in use is found here,
    before the banner and before any worker starts.

    Raises OSError when the address cannot be bound.
    """
    if port:
        _try_binding(host, port, _reuses_port(workers, port))
        yield port
        return
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(address)
        picked: int = holder.getsockname()[1]
        yield picked


def _reuses_port(workers: int, port: int) -> bool:
    """Workers share the port; so does port 0's pick with the socket reserved_port holds."""
    return workers > 1 or port == 0


def _try_binding(host: str, port: int, reuse_port: bool) -> None:
    """Bind each address the server will listen on with the options its sockets will have
    (asyncio's create_server: SO_REUSEADDR, IPv6 only on IPv6), then let go."""
    found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    for family, kind, proto, _, address in found:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)


def serve(snapshot: Snapshot, reloader: Reloader, workers: int, port: int) -> int:
    """Serve on ``port`` in this process, or in ``workers`` processes sharing it; the exit code.

    Raises OSError when the address cannot be bound.
    """
    reuse_port = _reuses_port(workers, snapshot.settings.port)
    if workers <= 1:
        _run_worker(snapshot, reloader, port, reuse_port)
        return 0
    with metrics_shared_by_workers():
        return run_workers(snapshot, reloader, workers, port)


def _run_worker(snapshot: Snapshot, reloader: Reloader, port: int, reuse_port: bool) -> None:
    use_fast_event_loop()
    app = create_app(snapshot.settings, snapshot.catalog, reloader)
    asyncio.run(_serve_app(app, snapshot.settings, port, reuse_port))


async def _serve_app(app: web.Application, settings: Settings, port: int, reuse_port: bool) -> None:
    """Serve until SIGINT or SIGTERM: the app's runner behind the connection guard.

    The listening socket is made here, around the guard's protocol factory (aiohttp's sites
    would give no hold of the connections). After the signal: stop accepting, let requests
    in flight finish for up to ``server.shutdown_timeout`` seconds, cancel the rest (each
    logged once as abandoned), then close every connection.
    """
    limits = settings.server
    runner = web.AppRunner(
        app,
        shutdown_timeout=CLOSING_SECONDS,
        keepalive_timeout=limits.keepalive_timeout,
        access_log=None,
        handler_cancellation=True,  # a client that disconnects cancels its upstream request
    )
    await runner.setup()
    guard = app[CONNECTIONS]
    with _stop_requested(signal.SIGINT, signal.SIGTERM) as stop:
        try:
            assert runner.server is not None  # made by setup()
            listener = await asyncio.get_running_loop().create_server(
                guard.wrap(runner.server),
                settings.host,
                port,
                reuse_port=reuse_port or None,
                backlog=BACKLOG,
            )
            await stop.wait()
            listener.close()
            abandoned = await guard.drain(limits.shutdown_timeout)
            log.info("server.stopping", abandoned=abandoned)
        finally:
            await runner.cleanup()
            await guard.close()


@contextlib.contextmanager
def _stop_requested(*signals: signal.Signals) -> Iterator[asyncio.Event]:
    """An event set by any of ``signals``. Once it is set the process is stopping, and a
    repeated signal is absorbed to its end (Ctrl-C reaches a worker from the terminal and
    again from the parent, during the drain or after it) instead of raising
    KeyboardInterrupt into the drain or the loop's close."""
    loop = asyncio.get_running_loop()
    received = asyncio.Event()
    previous = {signum: signal.getsignal(signum) for signum in signals}
    for signum in signals:
        loop.add_signal_handler(signum, received.set)
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, signal.SIG_IGN if received.is_set() else handler)


def run_workers(snapshot: Snapshot, reloader: Reloader, count: int, port: int) -> int:
    """N processes sharing the port (SO_REUSEPORT); SIGTERM/SIGINT are passed on to each."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(
            target=_run_worker, args=(snapshot, reloader, port, True), name=f"worker-{n}"
        )
        for n in range(count)
    ]
    for worker in workers:
        worker.start()

    def stop(signum: int, _frame: object) -> None:
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                os.kill(worker.pid, signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    for worker in workers:
        worker.join()
    return max((worker.exitcode or 0) for worker in workers)
