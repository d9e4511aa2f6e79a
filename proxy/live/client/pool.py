"""Keep-alive HTTP/1.1 connections to upstreams, pooled per origin; answers parsed by httptools.

A request goes out as bytes written straight to an asyncio transport; the answer is parsed by
httptools (llhttp, the C parser uvicorn uses) in ``connection`` into an
``UpstreamResponse`` (status, raw header pairs, body chunks).
One ``Endpoint`` per (scheme, host, port, TLS context) keeps a bounded stack of idle
connections and a bound on open ones. A reused connection that fails before any byte of the
answer (the upstream closed it while idle) is retried once on a fresh connection when the
request can be replayed (RFC 9112 9.3.1: idempotent method, body not streamed). Flow control
runs both ways: reading from the upstream pauses while the consumer lags, and a streamed
request body waits for the transport to drain. Interim 1xx answers are skipped.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Final

from proxy.live.client.connection import UpstreamConnection
from proxy.live.client.response import (
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)
from proxy.settings import Timeouts

__all__ = ["Endpoint", "RequestBody", "StreamedBody", "UpstreamPool"]

SMALL_WRITE: Final = 64 * 1024  # below this, head and body are joined into one write
IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_ALWAYS_FRAMED: Final = frozenset({"POST", "PUT", "PATCH"})  # framed even without a body
_REFUSES_UPLOAD: Final = 300  # an answer from this status on, early, ends a streamed upload


@dataclass(frozen=True, slots=True)
class StreamedBody:
    """A request body passed on as it arrives; ``length`` None means chunked."""

    chunks: AsyncIterable[bytes]
    length: int | None


RequestBody = bytes | StreamedBody | None


class Endpoint:
    """The connections to one origin (scheme, host, port, TLS context)."""

    __slots__ = (
        "_all",
        "_idle",
        "_idle_timeout",
        "_limit",
        "_max_idle",
        "_waiters",
        "host",
        "loop",
        "port",
        "ssl",
    )

    def __init__(
        self,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
        limit: int,
        max_idle: int,
        idle_timeout: float,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl = ssl_context
        self.loop = asyncio.get_running_loop()
        self._limit = limit
        self._max_idle = max_idle
        self._idle_timeout = idle_timeout
        # a stack: the most recently used connection is the least likely to be stale
        self._idle: list[UpstreamConnection] = []
        self._all: set[UpstreamConnection] = set()
        self._waiters: deque[asyncio.Future[UpstreamConnection | None]] = deque()

    @property
    def idle(self) -> int:
        """How many connections wait for reuse."""
        return len(self._idle)

    @property
    def open(self) -> int:
        """How many connections are open or opening."""
        return len(self._all)

    async def send(
        self,
        method: str,
        target: bytes,
        fields: bytes,
        body: RequestBody,
        timeouts: Timeouts,
    ) -> UpstreamResponse:
        """Send one request and wait for its answer's head (status and headers).

        ``fields`` is the header block (``Name: value\r\n`` lines, ``headers.
        request_fields_for_upstream``); it must not frame the body (no Content-Length, no
        Transfer-Encoding): the body decides that. Raises UpstreamUnreachable or UpstreamTimeout.
        """
        deadline = self.loop.time() + timeouts.total
        head = _head(method, target, fields, body)
        streamed = isinstance(body, StreamedBody)
        replayable = not streamed and method in IDEMPOTENT
        fresh = False
        while True:
            conn = self._take_idle() if not fresh else None
            if conn is None:
                conn = await self._acquire(deadline, timeouts.connect)
            response = UpstreamResponse(conn, deadline, timeouts.read, method == "HEAD")
            conn.begin(response)
            try:
                if isinstance(body, StreamedBody):
                    await _stream(conn, response, head, body)
                else:
                    _write(conn, head, body)
                response.start_reading()
                await response.wait_head()
            except UpstreamUnreachable:
                if replayable and conn.reused and not response.started:
                    replayable = False  # once: the upstream had closed it while idle
                    fresh = True
                    continue
                raise
            except BaseException:
                response.close()
                raise
            return response

    def _take_idle(self) -> UpstreamConnection | None:
        now = self.loop.time()
        while self._idle:
            conn = self._idle.pop()
            if not conn.usable:
                continue
            if now - conn.idle_since > self._idle_timeout:
                conn.close()
                continue
            conn.reused = True
            return conn
        return None

    async def _acquire(self, deadline: float, connect_timeout: float) -> UpstreamConnection:
        """A new connection, or one handed over when the open ones are at the limit."""
        while len(self._all) >= self._limit:
            handed = await self._wait_for_slot(deadline)
            if handed is not None:
                handed.reused = True
                return handed
        return await self._connect(deadline, connect_timeout)

    async def _wait_for_slot(self, deadline: float) -> UpstreamConnection | None:
        waiter: asyncio.Future[UpstreamConnection | None] = self.loop.create_future()
        self._waiters.append(waiter)
        expiry = self.loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                handed = waiter.result()
                if handed is not None:
                    self.release(handed)
            raise
        finally:
            expiry.cancel()

    async def _connect(self, deadline: float, connect_timeout: float) -> UpstreamConnection:
        conn = UpstreamConnection(self)
        self._all.add(conn)
        timeout = min(connect_timeout, deadline - self.loop.time())
        try:
            async with asyncio.timeout(timeout):
                await self.loop.create_connection(
                    lambda: conn,
                    self.host,
                    self.port,
                    ssl=self.ssl,
                    server_hostname=self.host if self.ssl is not None else None,
                )
        except TimeoutError:
            self._forget(conn)
            raise UpstreamTimeout("connect") from None
        except OSError as error:  # refused, unreachable, name not found, TLS (SSLError)
            self._forget(conn)
            raise UpstreamUnreachable(str(error) or type(error).__name__) from None
        except BaseException:
            self._forget(conn)
            raise
        return conn

    def release(self, conn: UpstreamConnection) -> None:
        if not conn.usable or self._hand_over(conn):
            return
        if len(self._idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = self.loop.time()
        self._idle.append(conn)

    def _forget(self, conn: UpstreamConnection) -> None:
        conn.close()
        if conn in self._all:
            self._all.discard(conn)
            self._hand_over(None)  # a slot is free: the next waiter connects anew

    def lost(self, conn: UpstreamConnection) -> None:
        if conn in self._idle:
            self._idle.remove(conn)
        self._all.discard(conn)
        self._hand_over(None)

    def _hand_over(self, conn: UpstreamConnection | None) -> bool:
        """Give the first waiter still waiting ``conn`` (None: a free slot); False if none."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def close(self) -> None:
        for conn in list(self._all):
            conn.close()
        self._idle.clear()


def _expire(waiter: asyncio.Future[UpstreamConnection | None]) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout("total"))


def _write(conn: UpstreamConnection, head: bytes, body: bytes | None) -> None:
    if body is None:
        conn.write(head)
    elif len(body) < SMALL_WRITE:
        conn.write(head + body)
    else:
        conn.writelines([head, body])


async def _stream(
    conn: UpstreamConnection, response: UpstreamResponse, head: bytes, body: StreamedBody
) -> None:
    """Pass a body on as it arrives, waiting whenever the upstream's socket is full.

    An answer that is not a success arriving meanwhile (a 413 or 401 sent before the body
    was read) ends the upload, as RFC 9112 9.3 advises: the answer is relayed at once, and
    the connection, its request cut short, closes after it.
    """
    response.start_upload()
    conn.write(head)
    chunked = body.length is None
    async for chunk in body.chunks:
        if conn.closed:
            return  # the upstream is gone: its answer (or its absence) tells the rest
        if not chunk:
            continue
        if not chunked:
            conn.write(chunk)
        elif len(chunk) < SMALL_WRITE:
            conn.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
        else:
            conn.writelines([b"%x\r\n" % len(chunk), chunk, b"\r\n"])
        await conn.drain()
        if response.status >= _REFUSES_UPLOAD:
            conn.cut_short()
            return
    if chunked and not conn.closed:
        conn.write(b"0\r\n\r\n")


def _head(method: str, target: bytes, fields: bytes, body: RequestBody) -> bytes:
    """Request line, header fields and the body's framing, as bytes."""
    if body is None:
        framing = b"Content-Length: 0\r\n" if method in _ALWAYS_FRAMED else b""
    elif isinstance(body, bytes):
        framing = b"Content-Length: %d\r\n" % len(body)
    elif body.length is None:
        framing = b"Transfer-Encoding: chunked\r\n"
    else:
        framing = b"Content-Length: %d\r\n" % body.length
    return b"%s %s HTTP/1.1\r\n%s%s\r\n" % (method.encode("ascii"), target, fields, framing)


class UpstreamPool:
    """Every upstream connection of the app: one ``Endpoint`` per origin, closed together."""

    def __init__(
        self, limit_per_origin: int = 100, max_idle_per_origin: int = 100, idle_timeout: float = 15
    ) -> None:
        self._limit = limit_per_origin
        self._max_idle = max_idle_per_origin
        self._idle_timeout = idle_timeout
        self._endpoints: dict[tuple[str, str, int, ssl.SSLContext | bool], Endpoint] = {}
        self._verified: ssl.SSLContext | None = None
        self._unverified: ssl.SSLContext | None = None

    def endpoint(self, scheme: str, host: str, port: int, tls: ssl.SSLContext | bool) -> Endpoint:
        """The endpoint for an origin; ``tls`` is a context, True (verify) or False (do not)."""
        key = (scheme, host, port, tls)
        found = self._endpoints.get(key)
        if found is None:
            context = self._context(tls) if scheme == "https" else None
            found = Endpoint(host, port, context, self._limit, self._max_idle, self._idle_timeout)
            self._endpoints[key] = found
        return found

    def _context(self, tls: ssl.SSLContext | bool) -> ssl.SSLContext:
        if isinstance(tls, ssl.SSLContext):
            return tls
        if tls:
            if self._verified is None:
                self._verified = ssl.create_default_context()
            return self._verified
        if self._unverified is None:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            self._unverified = context
        return self._unverified

    async def close(self) -> None:
        """Close every connection, idle or busy."""
        for endpoint in self._endpoints.values():
            endpoint.close()
        self._endpoints.clear()
        await asyncio.sleep(0)  # let the transports run their connection_lost
