"""Client connections: how long a request head may take, and how many connections are open.

aiohttp closes a connection that stays idle past ``keepalive_timeout``, but gives a client as
long to send a request head, and takes connections until the process runs out of file
descriptors, after which even health probes fail. ``ConnectionGuard`` wraps the server's
protocol factory: a connection whose head is not complete ``head_timeout`` seconds after it
opened (or after its first byte following an answer) is closed, and at ``max_connections``
a new connection closes the oldest one still sending its head (a slow client), else the
oldest idle one, or, when every one has a request in progress, is itself answered 503 and
closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import resource
from collections.abc import Callable
from typing import Final, cast

import structlog

from proxy.problems import PROBLEM_CONTENT_TYPE, ProblemError, problem_body

__all__ = ["ConnectionGuard", "GuardedConnection", "default_max_connections"]

log = structlog.get_logger(__name__)


def _busy_reply() -> bytes:
    """The 503 problem a connection over the limit gets before it is closed."""
    problem = ProblemError(
        503,
        "too-many-connections",
        "every connection the server takes is busy with a request; try again",
    )
    body = json.dumps(problem_body(problem)).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Content-Type: {PROBLEM_CONTENT_TYPE}\r\n"
        "Retry-After: 1\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


_BUSY_REPLY: Final = _busy_reply()


def default_max_connections() -> int:
    """Half the process's file-descriptor limit: the other half stays for upstream
    connections, spec files and the listening sockets."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 10_000
    return max(soft // 2, 8)


class _State(enum.Enum):
    HEAD = "head"  # a request head is awaited (or arriving) and has a deadline
    BUSY = "busy"  # a request is being handled
    IDLE = "idle"  # between requests: aiohttp's keep-alive timeout applies


class GuardedConnection(asyncio.Protocol):
    """aiohttp's protocol for one connection, with its state kept for the guard."""

    __slots__ = ("deadline", "guard", "inner", "refused", "state", "task", "transport")

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard = guard
        self.inner = inner
        self.state = _State.HEAD
        self.deadline = 0.0
        self.refused = False
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[object] | None = None  # the one handling its request

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        if self.guard.opened(self):
            self.inner.connection_made(transport)
        else:
            self.refused = True

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.state is _State.IDLE:
            self.guard.head_started(self)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return None if self.refused else self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        if not self.refused:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class ConnectionGuard:
    """The open connections, oldest first; a sweep closes those past their head deadline."""

    def __init__(self, head_timeout: float, max_connections: int | None) -> None:
        self.head_timeout = head_timeout
        self.max_connections = max_connections or 0  # 0 until ``wrap``: the descriptor limit
        self._open: dict[asyncio.Transport, GuardedConnection] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self.stopping = False
        """Set by ``drain``: requests answered from now on close their connection."""
        self._all_done = asyncio.Event()

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], GuardedConnection]:
        """A protocol factory for ``loop.create_server`` around aiohttp's (``runner.server``)."""
        if self._sweeper is None:
            self.max_connections = self.max_connections or default_max_connections()
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        return lambda: GuardedConnection(self, factory())

    async def close(self) -> None:
        """Stop the sweep (the server's own shutdown closes the connections)."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    @property
    def open_connections(self) -> int:
        return len(self._open)

    def opened(self, connection: GuardedConnection) -> bool:
        """Admit a new connection (closing an older, unbusy one at the limit), or refuse it."""
        transport = connection.transport
        assert transport is not None
        if len(self._open) >= self.max_connections and not self._evict_one():
            log.warning("connection.refused", open=len(self._open), limit=self.max_connections)
            transport.write(_BUSY_REPLY)
            transport.close()
            return False
        self._open[transport] = connection
        self.head_started(connection)
        return True

    def head_started(self, connection: GuardedConnection) -> None:
        connection.state = _State.HEAD
        connection.deadline = asyncio.get_running_loop().time() + self.head_timeout

    def closed(self, connection: GuardedConnection) -> None:
        if connection.transport is not None:
            self._open.pop(connection.transport, None)
            self._note_done()

    def request_started(self, transport: asyncio.Transport | None) -> None:
        """The request context calls this when a request's handler starts."""
        connection = self._open.get(transport) if transport is not None else None
        if connection is not None:
            connection.state = _State.BUSY
            connection.task = asyncio.current_task()

    def request_finished(self, transport: asyncio.Transport | None) -> None:
        """... and this when it has its answer: the connection waits for the next request."""
        connection = self._open.get(transport) if transport is not None else None
        if connection is not None:
            connection.state = _State.IDLE
            connection.task = None
            self._note_done()

    async def drain(self, grace: float) -> int:
        """On shutdown, after the listener closed: let the requests in progress finish for up
        to ``grace`` seconds, then cancel the rest (each is logged as abandoned by the request
        context); the number cancelled."""
        self.stopping = True
        if self._busy():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await self._all_done.wait()
        abandoned = [c.task for c in self._busy() if c.task is not None and not c.task.done()]
        for task in abandoned:
            task.cancel()
        if abandoned:
            await asyncio.wait(abandoned, timeout=1.0)
        return len(abandoned)

    def _note_done(self) -> None:
        if self.stopping and not self._busy():
            self._all_done.set()

    def _busy(self) -> list[GuardedConnection]:
        return [c for c in self._open.values() if c.state is _State.BUSY]

    def _evict_one(self) -> bool:
        """Close the oldest connection still sending its head, else the oldest idle one
        (closed gently: an answer just handed to it is still written)."""
        for state in (_State.HEAD, _State.IDLE):
            for transport, connection in self._open.items():
                if connection.state is state:
                    del self._open[transport]
                    log.debug("connection.evicted", state=state.value)
                    if state is _State.HEAD:
                        transport.abort()  # nothing of its own to flush: a slow client
                    else:
                        transport.close()
                    return True
        return False

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        interval = min(1.0, self.head_timeout / 4)
        while True:
            await asyncio.sleep(interval)
            now = loop.time()
            late = [
                transport
                for transport, connection in self._open.items()
                if connection.state is _State.HEAD and connection.deadline <= now
            ]
            for transport in late:
                del self._open[transport]
                transport.close()
            if late:
                log.info("connection.head_timeout", closed=len(late), limit=self.head_timeout)
