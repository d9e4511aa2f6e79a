"""Keep-alive HTTP/1.1 connections to upstreams, pooled per origin; answers parsed by httptools.

A request goes out as bytes written straight to an asyncio transport; the answer is parsed by
httptools (llhttp, the C parser uvicorn uses) into status, raw header pairs and body chunks.
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
from typing import Final, cast

import httptools

from proxy.config import Timeouts

__all__ = [
    "Endpoint",
    "StreamedBody",
    "UpstreamError",
    "UpstreamPool",
    "UpstreamReset",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnreachable",
]

HIGH_WATER: Final = 512 * 1024  # buffered answer bytes that pause reading from the upstream
LOW_WATER: Final = 128 * 1024  # ... and that resume it
SMALL_WRITE: Final = 64 * 1024  # below this, head and body are joined into one write
IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_BODILESS_STATUS: Final = frozenset({204, 304})
_CONTENT_LENGTH: Final = b"content-length"
_TRANSFER_ENCODING: Final = b"transfer-encoding"


class UpstreamError(Exception):
    """The upstream did not give a whole answer."""


class UpstreamUnreachable(UpstreamError):
    """No answer started: refused, TLS failure, closed or reset before the status line."""


class UpstreamTimeout(UpstreamError):
    """The connect, read or total timeout ran out."""


class UpstreamReset(UpstreamError):
    """The answer started but broke off (reset, closed early, malformed body)."""


@dataclass(frozen=True, slots=True)
class StreamedBody:
    """A request body passed on as it arrives; ``length`` None means chunked."""

    chunks: AsyncIterable[bytes]
    length: int | None


RequestBody = bytes | StreamedBody | None


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

    def __init__(self, conn: _Connection, deadline: float, read_timeout: float, head_only: bool):
        self.status = 0  # 0 until the (final) status line and headers are in
        self.reason = ""
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_length: int | None = None
        self.chunked = False
        self.head_only = head_only
        self.started = False  # any byte of an answer arrived
        self._conn: _Connection | None = conn
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
            self._finish(UpstreamReset("the answer was abandoned"))
        self._chunks.clear()

    # --- driven by the request and the connection ---------------------------------------

    async def _wait_head(self) -> None:
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

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _push(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        self._last = self._loop.time()
        if self._buffered > HIGH_WATER and not self._paused and self._conn is not None:
            self._paused = True
            self._conn.pause()
        self._wake()

    def _consumed(self, size: int) -> None:
        self._buffered -= size
        if self._paused and self._buffered <= LOW_WATER:
            self._paused = False
            if self._conn is not None:
                self._conn.resume()

    def _finish(self, error: UpstreamError | None = None) -> None:
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
        self._wake()

    def _failure(self, what: str) -> UpstreamError:
        if self.status:
            return UpstreamReset(f"the answer broke off: {what}")
        return UpstreamUnreachable(f"no answer: {what}")

    def _check(self, now: float) -> float | None:
        """Fail the answer if a timeout ran out; else when to look again.

        Only the total timeout applies while a streamed body goes out, and the read timeout
        counts only while someone waits for the answer (not while the client is slow).
        """
        if now >= self._deadline:
            self._finish(UpstreamTimeout("total"))
            return None
        waiting = self._reading and self._waiter is not None
        if waiting and now - self._last >= self._read_timeout:
            self._finish(UpstreamTimeout("read"))
            return None
        return min((self._last if waiting else now) + self._read_timeout, self._deadline)

    def _start_upload(self) -> None:
        """A streamed body goes out: only the total timeout applies until it is written."""
        if self._conn is not None:
            self._conn.watch(min(self._loop.time() + self._read_timeout, self._deadline))

    def _start_reading(self) -> None:
        """The request is written: from now on, gaps in the answer count as read timeouts."""
        self._reading = True
        self._last = now = self._loop.time()
        if self._conn is not None:
            self._conn.watch(min(now + self._read_timeout, self._deadline))


class _Connection(asyncio.Protocol):
    """One upstream connection; the httptools parser calls back into it."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.loop = endpoint.loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.response: UpstreamResponse | None = None
        self.reused = False
        self.closed = False
        self.idle_since = 0.0
        self._interim = False
        self._reusable = True
        self._fresh_parser = False
        self._write_paused = False
        self._drain: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_due = 0.0

    # --- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        response = self.response
        if response is None:  # nothing was asked: an idle connection must stay silent
            self.close()
            return
        response.started = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(response, "the upstream switched protocols")
        except httptools.HttpParserError as error:
            self._fail(response, f"malformed HTTP: {error}")
        if self._fresh_parser:  # a HEAD answer ended with its headers
            self._fresh_parser = False
            self.parser = httptools.HttpResponseParser(self)

    def eof_received(self) -> bool:
        response = self.response
        if response is not None and response.status and self._reads_until_close(response):
            self.response = None
            response._finish()  # the body was delimited by the end of the connection
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.endpoint._lost(self)
        response, self.response = self.response, None
        if response is not None:
            response._finish(response._failure("reset" if exc else "connection closed"))
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    # --- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self.response is None:
            raise UpstreamReset("an answer nobody asked for")

    def on_status(self, status: bytes) -> None:
        assert self.response is not None
        self.response.reason = status.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:
        response = self.response
        if response is None or response.status:  # trailers are not passed on
            return
        response.headers.append((name, value))
        size = len(name)
        if size == 14 and name.lower() == _CONTENT_LENGTH:
            response.content_length = int(value) if value.strip().isdigit() else None
        elif size == 17 and name.lower() == _TRANSFER_ENCODING:
            response.chunked = value.rstrip().lower().endswith(b"chunked")

    def on_headers_complete(self) -> None:
        response = self.response
        assert response is not None
        status = self.parser.get_status_code()
        if 100 <= status < 200 and status != 101:  # interim: skip it, the final one follows
            self._interim = True
            response.headers = []
            response.content_length = None
            response.chunked = False
            return
        response.status = status
        if response.head_only:  # llhttp cannot be told; its own message end never comes
            self._fresh_parser = True
            self._message_done(response, keep_alive=self.parser.should_keep_alive())
        else:
            response._wake()

    def on_body(self, body: bytes) -> None:
        response = self.response
        if response is not None:
            response._push(body)

    def on_message_complete(self) -> None:
        if self._interim:
            self._interim = False
            return
        response = self.response
        if response is not None:
            self._message_done(response, keep_alive=self.parser.should_keep_alive())

    # --- used by the endpoint and the response -------------------------------------------

    def _message_done(self, response: UpstreamResponse, keep_alive: bool) -> None:
        self.response = None
        response._finish()
        if keep_alive and self._reusable:
            self.endpoint._release(self)
        else:
            self.close()

    def _fail(self, response: UpstreamResponse, what: str) -> None:
        self.response = None
        response._finish(response._failure(what))
        self.close()

    def _reads_until_close(self, response: UpstreamResponse) -> bool:
        return not (
            response.head_only
            or response.status in _BODILESS_STATUS
            or response.content_length is not None
            or response.chunked
        )

    def watch(self, due: float) -> None:
        """Look at the current answer's timeouts at ``due`` at the latest.

        One timer per connection, kept across requests: a timer already due earlier stays
        (it looks again when it fires), so most requests schedule nothing.
        """
        if self._timer is not None:
            if self._timer_due <= due:
                return
            self._timer.cancel()
        self._timer_due = due
        self._timer = self.loop.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        response = self.response
        if response is not None:
            due = response._check(self.loop.time())
            if due is not None:
                self.watch(due)

    def begin(self, response: UpstreamResponse) -> None:
        self.response = response
        self._interim = False

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    def writelines(self, data: list[bytes]) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.writelines(data)

    async def drain(self) -> None:
        if self._write_paused and not self.closed:
            self._drain = self.loop.create_future()
            await self._drain

    def pause(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.pause_reading()

    def resume(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    @property
    def usable(self) -> bool:
        """Open, and not being closed: fit to carry a request."""
        return self._reusable and not self.closed

    def close(self) -> None:
        self._reusable = False
        if self.transport is not None and not self.closed:
            self.transport.close()


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
        self._idle: list[_Connection] = []  # a stack: the most recently used is the least stale
        self._all: set[_Connection] = set()
        self._waiters: deque[asyncio.Future[_Connection | None]] = deque()

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
        headers: list[tuple[bytes, bytes]],
        body: RequestBody,
        timeouts: Timeouts,
    ) -> UpstreamResponse:
        """Send one request and wait for its answer's head (status and headers).

        ``headers`` must not frame the body (no Content-Length, no Transfer-Encoding): the
        body decides that. Raises UpstreamUnreachable or UpstreamTimeout.
        """
        deadline = self.loop.time() + timeouts.total
        head = _head(method, target, headers, body)
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
                response._start_reading()
                await response._wait_head()
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

    def _take_idle(self) -> _Connection | None:
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

    async def _acquire(self, deadline: float, connect_timeout: float) -> _Connection:
        """A new connection, or one handed over when the open ones are at the limit."""
        while len(self._all) >= self._limit:
            handed = await self._wait_for_slot(deadline)
            if handed is not None:
                handed.reused = True
                return handed
        return await self._connect(deadline, connect_timeout)

    async def _wait_for_slot(self, deadline: float) -> _Connection | None:
        waiter: asyncio.Future[_Connection | None] = self.loop.create_future()
        self._waiters.append(waiter)
        expiry = self.loop.call_at(deadline, _expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                handed = waiter.result()
                if handed is not None:
                    self._release(handed)
            raise
        finally:
            expiry.cancel()

    async def _connect(self, deadline: float, connect_timeout: float) -> _Connection:
        conn = _Connection(self)
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

    def _release(self, conn: _Connection) -> None:
        if not conn.usable:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if len(self._idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = self.loop.time()
        self._idle.append(conn)

    def _forget(self, conn: _Connection) -> None:
        conn.close()
        if conn in self._all:
            self._all.discard(conn)
            self._wake_one()

    def _lost(self, conn: _Connection) -> None:
        if conn in self._idle:
            self._idle.remove(conn)
        self._all.discard(conn)
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # a slot is free: connect anew
                return

    def close(self) -> None:
        for conn in list(self._all):
            conn.close()
        self._idle.clear()


def _expire(waiter: asyncio.Future[_Connection | None]) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout("total"))


def _write(conn: _Connection, head: bytes, body: bytes | None) -> None:
    if body is None:
        conn.write(head)
    elif len(body) < SMALL_WRITE:
        conn.write(head + body)
    else:
        conn.writelines([head, body])


async def _stream(
    conn: _Connection, response: UpstreamResponse, head: bytes, body: StreamedBody
) -> None:
    """Pass a body on as it arrives, waiting whenever the upstream's socket is full."""
    response._start_upload()
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
    if chunked and not conn.closed:
        conn.write(b"0\r\n\r\n")


def _head(
    method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: RequestBody
) -> bytes:
    """Request line, header fields and the body's framing, as bytes."""
    lines = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\n"]
    for name, value in headers:
        lines += (name, b": ", value, b"\r\n")
    if isinstance(body, bytes):
        lines.append(b"Content-Length: %d\r\n" % len(body))
    elif isinstance(body, StreamedBody):
        if body.length is None:
            lines.append(b"Transfer-Encoding: chunked\r\n")
        else:
            lines.append(b"Content-Length: %d\r\n" % body.length)
    elif method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: 0\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


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
