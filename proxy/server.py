"""Serving a loaded configuration: the runner, its TCP site, signals and worker processes.

``cli.py`` decides what to serve; this module only serves it, until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from typing import Final

from aiohttp import web

from proxy.app import create_app
from proxy.config import Settings
from proxy.snapshot import Reloader, Snapshot

__all__ = ["SHUTDOWN_SECONDS", "run_workers", "serve", "use_fast_event_loop"]

SHUTDOWN_SECONDS: Final = 10.0


def use_fast_event_loop() -> bool:
    """uvloop where it is installed (Linux, macOS): a faster drop-in event loop."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def serve(snapshot: Snapshot, reloader: Reloader, workers: int) -> int:
    """Serve in this process, or in ``workers`` processes sharing the port; the exit code.

    Raises OSError when the address cannot be bound.
    """
    if workers <= 1:
        _run_worker(snapshot, reloader, reuse_port=False)
        return 0
    return run_workers(snapshot, reloader, workers)


def _run_worker(snapshot: Snapshot, reloader: Reloader, reuse_port: bool) -> None:
    use_fast_event_loop()
    app = create_app(snapshot.settings, snapshot.catalog, reloader)
    asyncio.run(_serve_app(app, snapshot.settings, reuse_port))


async def _serve_app(app: web.Application, settings: Settings, reuse_port: bool) -> None:
    """Serve until SIGINT or SIGTERM: the app's runner and one TCP site.

    After the signal the runner's clean-up stops taking connections and lets requests in
    flight finish for up to ``SHUTDOWN_SECONDS``.
    """
    runner = web.AppRunner(
        app,
        shutdown_timeout=SHUTDOWN_SECONDS,
        access_log=None,
        handler_cancellation=True,  # a client that disconnects cancels its upstream request
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, reuse_port=reuse_port or None)
        await site.start()
        await _until_signalled(signal.SIGINT, signal.SIGTERM)
    finally:
        await runner.cleanup()


async def _until_signalled(*signals: signal.Signals) -> None:
    loop = asyncio.get_running_loop()
    received = asyncio.Event()
    for signum in signals:
        loop.add_signal_handler(signum, received.set)
    try:
        await received.wait()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


def run_workers(snapshot: Snapshot, reloader: Reloader, count: int) -> int:
    """N processes sharing the port (SO_REUSEPORT); SIGTERM/SIGINT are passed on to each."""
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_run_worker, args=(snapshot, reloader, True), name=f"worker-{n}")
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
