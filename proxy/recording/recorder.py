"""Writing recordings: one background write per live answer, off the event loop, the writes
to one file one after another; the app waits for the last of them on shutdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

import structlog

from proxy.errors import MockproxyError
from proxy.recording.settings import RecordSettings
from proxy.recording.store import Recording, add_recording

__all__ = ["Recorder"]

log = structlog.get_logger(__name__)


class Recorder:
    """The app's writer of recordings files (one per app, closed with it)."""

    def __init__(self) -> None:
        self._locks: dict[Path, asyncio.Lock] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def save(self, settings: RecordSettings, recording: Recording) -> None:
        """Write ``recording`` soon; the answer it came from does not wait for the disk."""
        task = asyncio.get_running_loop().create_task(self._write(settings, recording))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, settings: RecordSettings, recording: Recording) -> None:
        lock = self._locks.setdefault(settings.path, asyncio.Lock())
        async with lock:
            try:
                await asyncio.to_thread(
                    add_recording, settings.path, recording, settings.per_operation
                )
            except (OSError, MockproxyError) as error:
                detail = "; ".join(error.messages) if isinstance(error, MockproxyError) else error
                log.error("recording.write_failed", path=str(settings.path), error=str(detail))
                return
        log.info(
            "recording.saved",
            path=str(settings.path),
            operation=recording.operation,
            name=recording.name,
            status=recording.status,
        )

    async def drain(self) -> None:
        """Wait for every write begun so far."""
        while self._pending:
            await asyncio.gather(*tuple(self._pending), return_exceptions=True)
