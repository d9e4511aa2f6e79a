"""One upstream answer as it arrives: status, raw header pairs, then body chunks.

The connection that carries it pushes body chunks in and finishes it (complete or failed);
the consumer reads the whole body or chunk by chunk. Reading from the upstream pauses above
``HIGH_WATER`` buffered bytes and resumes below ``LOW_WATER``. The total timeout and the read
timeout (silence while someone waits for the upstream) are checked here.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Final, Protocol

__all__ = [
    "HIGH_WATER",
    "LOW_WATER",
    "UpstreamError",
    "UpstreamReset",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnreachable",
]

HIGH_WATER: Final = 512 * 1024  # buffered answer bytes that pause reading from the upstream
LOW_WATER: Final = 128 * 1024  # ... and that resume it


class Carrier(Protocol):
    """The connection an answer arrives on (``connection.Carrier``)."""

    loop: asyncio.AbstractEventLoop
    response: UpstreamResponse | None

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def close(self) -> None: ...
    def watch(self, due: float) -> None: ...


class UpstreamError(Exception):
    """The upstream did not give a whole answer."""


class UpstreamUnreachable(UpstreamError):
    """No answer started: refused, TLS failure, closed or reset before the status line."""


class UpstreamTimeout(UpstreamError):
    """The connect, read or total timeout ran out."""


class UpstreamReset(UpstreamError):
    """The answer started but broke off (reset, closed early, malformed body)."""


class UpstreamResponse:
    """One answer: status, reason, raw header pairs, then the body as it arrives."""

    __slots__ = (
        "_buffered",
        "_chunks",
        "_conn",
        "_deadline",
        "_done",
        "_error",
        "_last",
        "_loop",
        "_paused",
        "_read_timeout",
        "_reading",
        "_waiter",
        "chunked",
        "content_length",
        "head_only",
        "headers",
        "reason",
        "started",
        "status",
    )

    def __init__(
        self, conn: Carrier, deadline: float, read_timeout: float, head_only: bool
    ) -> None:
        self.status = 0  # 0 until the (final) status line and headers are in
        self.reason = ""
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_length: int | None = None
        self.chunked = False
        self.head_only = head_only
        self.started = False  # any byte of an answer arrived
        self._conn: Carrier | None = conn
        self._loop = conn.loop
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._done = False
        self._error: UpstreamError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self._deadline = deadline
        self._read_timeout = read_timeout
        self._reading = False
        self._last = 0.0

    @property
    def at_eof(self) -> bool:
        """The whole body was received and handed out."""
        return self._done and self._error is None and not self._chunks

    async def read(self) -> bytes:
        """The whole body (for answers known to be small)."""
        parts: list[bytes] = []
        while True:
            if self._chunks:
                parts.extend(self._chunks)
                self._chunks.clear()
                self._consumed(self._buffered)
            if self._done:
                if self._error is not None:
                    raise self._error
                return b"".join(parts)
            await self._wait()

    async def read_chunk(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of the body as they arrive; b"" at its end."""
        while not self._chunks:
            if self._done:
                if self._error is not None:
                    raise self._error
                return b""
            await self._wait()
        chunk = self._chunks.popleft()
        if len(chunk) > limit:
            self._chunks.appendleft(chunk[limit:])
            chunk = chunk[:limit]
        self._consumed(len(chunk))
        return chunk

    def close(self) -> None:
        """Done with this answer; an unfinished one closes its connection (never reused)."""
        if not self._done:
            self.finish(UpstreamReset("the answer was abandoned"))
        self._chunks.clear()

    # --- driven by the request and the connection ---------------------------------------

    async def wait_head(self) -> None:
        while self.status == 0 and not self._done:
            await self._wait()
        if self.status == 0 and self._error is not None:
            raise self._error

    async def _wait(self) -> None:
        self._last = self._loop.time()
        waiter = self._waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def push(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        self._last = self._loop.time()
        if self._buffered > HIGH_WATER and not self._paused and self._conn is not None:
            self._paused = True
            self._conn.pause()
        self.wake()

    def _consumed(self, size: int) -> None:
        self._buffered -= size
        if self._paused and self._buffered <= LOW_WATER:
            self._paused = False
            if self._conn is not None:
                self._conn.resume()

    def finish(self, error: UpstreamError | None = None) -> None:
        """The body is complete (``error`` None) or failed; the connection is let go."""
        if self._done:
            return
        self._done = True
        self._error = error
        conn, self._conn = self._conn, None
        if conn is not None:
            if self._paused:
                self._paused = False
                conn.resume()
            if error is not None:
                if conn.response is self:
                    conn.response = None
                conn.close()
        self.wake()

    def failure(self, what: str) -> UpstreamError:
        if self.status:
            return UpstreamReset(f"the answer broke off: {what}")
        return UpstreamUnreachable(f"no answer: {what}")

    def check_timeouts(self, now: float) -> float | None:
        """Fail the answer if a timeout ran out; else when to look again.

        Only the total timeout applies while a streamed body goes out, and the read timeout
        counts only while someone waits for the answer (not while the client is slow).
        """
        if now >= self._deadline:
            self.finish(UpstreamTimeout("total"))
            return None
        waiting = self._reading and self._waiter is not None
        if waiting and now - self._last >= self._read_timeout:
            self.finish(UpstreamTimeout("read"))
            return None
        return min((self._last if waiting else now) + self._read_timeout, self._deadline)

    def start_upload(self) -> None:
        """A streamed body goes out: only the total timeout applies until it is written."""
        if self._conn is not None:
            self._conn.watch(min(self._loop.time() + self._read_timeout, self._deadline))

    def start_reading(self) -> None:
        """The request is written: from now on, gaps in the answer count as read timeouts."""
        self._reading = True
        self._last = now = self._loop.time()
        if self._conn is not None:
            self._conn.watch(min(now + self._read_timeout, self._deadline))
