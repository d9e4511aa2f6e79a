"""Hot reload: on SIGHUP or when the config or any spec file changes, load the new set.

If the new set is invalid the old one keeps serving and the errors are logged. Requests in
flight finish on the snapshot they started with (see ``snapshot.Snapshot``). Files are polled by
modification time and size, which needs no extra dependency and works on every filesystem
(bind mounts in containers included).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import structlog
from aiohttp import web

from proxy.errors import MockproxyError
from proxy.keys import RELOADER, RUNTIME
from proxy.snapshot import Snapshot

__all__ = ["reload_context", "watched_files"]

log = structlog.get_logger(__name__)

Fingerprint = dict[Path, tuple[float, int] | None]


def watched_files(snapshot: Snapshot) -> set[Path]:
    """The config file, every file each spec was read from, and each API's recordings."""
    files: set[Path] = set()
    if snapshot.settings.config_path is not None:
        files.add(snapshot.settings.config_path.resolve())
    for api in snapshot.catalog.apis:
        files.add(api.settings.spec_path.resolve())
        files.add(api.settings.recording.path.resolve())
        files.update(_file_paths(api.spec.registry))
    return files


def _file_paths(uris: Iterable[str]) -> set[Path]:
    paths = set()
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme == "file":
            paths.add(Path(unquote(parts.path)))
    return paths


def _fingerprint(files: Iterable[Path]) -> Fingerprint:
    prints: Fingerprint = {}
    for path in files:
        try:
            stat = path.stat()
        except OSError:
            prints[path] = None
        else:
            prints[path] = (stat.st_mtime, stat.st_size)
    return prints


async def reload_now(app: web.Application, reason: str) -> bool:
    """Load a new snapshot and swap it in; keep the old one on errors. True when swapped."""
    reloader = app[RELOADER]
    try:
        snapshot = await asyncio.to_thread(reloader.load)
    except MockproxyError as error:
        log.error("reload.failed", reason=reason, errors=error.messages)
        return False
    except Exception:
        log.exception("reload.failed", reason=reason)
        return False
    runtime = app[RUNTIME]
    runtime.swap(snapshot)
    log.info("reload.succeeded", reason=reason, generation=runtime.generation)
    return True


async def _poll(app: web.Application, wakeup: asyncio.Event) -> None:
    interval = app[RELOADER].interval
    known = _fingerprint(watched_files(app[RUNTIME].current))
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=interval)
        reason = "signal" if wakeup.is_set() else "file-change"
        wakeup.clear()
        current = _fingerprint(known)
        if reason == "file-change" and current == known:
            continue
        await reload_now(app, reason)
        known = _fingerprint(watched_files(app[RUNTIME].current))


async def reload_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the polling task and the SIGHUP handler, when the app has a Reloader."""
    if RELOADER not in app:
        yield
        return
    wakeup = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        loop.add_signal_handler(signal.SIGHUP, wakeup.set)
    task = asyncio.create_task(_poll(app, wakeup), name="mockproxy-reload")
    try:
        yield
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGHUP)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
