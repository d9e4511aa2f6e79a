"""One keep-alive HTTP/1.1 connection to an upstream: an asyncio Protocol fed to httptools.

httptools (llhttp) parses the answer and calls back here; the current ``UpstreamResponse``
gets the status, the raw header pairs and the body. Interim 1xx answers are skipped (a 101
is malformed: the proxy never asks to switch protocols); HEAD, 204 and 304 end with their
headers; a body without length or chunking ends with the connection. A finished answer hands
the connection back to its endpoint unless it must close (Connection: close, HTTP/1.0,
read-until-close, errors). Bytes on an idle connection close it.
A head over ``MAX_HEAD_BYTES`` or ``MAX_HEAD_FIELDS``, or anything llhttp cannot parse, fails
the answer as malformed the moment it is seen. One timer per connection, kept across requests,
looks at the answer's timeouts.
"""

from __future__ import annotations

import asyncio
from typing import Final, Protocol, cast

import httptools

from proxy.live.client.response import UpstreamMalformed, UpstreamReset, UpstreamResponse

__all__ = ["MAX_HEAD_BYTES", "MAX_HEAD_FIELDS", "UpstreamConnection"]

MAX_HEAD_BYTES: Final = 64 * 1024  # an answer's status line and header fields, in all
MAX_HEAD_FIELDS: Final = 100

_BODILESS_STATUS: Final = frozenset({204, 304})
_CONTENT_LENGTH: Final = b"content-length"
_TRANSFER_ENCODING: Final = b"transfer-encoding"


class Endpoint(Protocol):
    """Where a connection comes from and goes back to (``pool.Endpoint``)."""

    loop: asyncio.AbstractEventLoop

    def release(self, conn: UpstreamConnection) -> None: ...
    def lost(self, conn: UpstreamConnection) -> None: ...


class UpstreamConnection(asyncio.Protocol):
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
        self._head_bytes = 0
        self._head_fields = 0

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
        except httptools.HttpParserCallbackError as error:
            self._fail(response, str(error.__context__ or error), malformed=True)
        except httptools.HttpParserError as error:
            self._fail(response, str(error), malformed=True)
        else:
            if response.status == 0 and self.response is response:  # the head goes on
                response.heard()
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD_BYTES:
                    what = f"an answer head over {MAX_HEAD_BYTES} bytes"
                    self._fail(response, what, malformed=True)
        if self._fresh_parser:  # a HEAD answer ended with its headers
            self._fresh_parser = False
            self.parser = httptools.HttpResponseParser(self)

    def eof_received(self) -> bool:
        response = self.response
        if response is not None and response.status and self._reads_until_close(response):
            self.response = None
            response.finish()  # the body was delimited by the end of the connection
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.endpoint.lost(self)
        response, self.response = self.response, None
        if response is not None:
            response.finish(response.failure("reset" if exc else "connection closed"))
        self._wake_drain()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake_drain()

    def _wake_drain(self) -> None:
        """Let a writer waiting in ``drain`` go on (the socket has room, or is gone)."""
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
        self._head_fields += 1
        if self._head_fields > MAX_HEAD_FIELDS:
            raise UpstreamMalformed(f"an answer head of over {MAX_HEAD_FIELDS} fields")
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
            self._head_bytes = self._head_fields = 0
            response.headers = []
            response.content_length = None
            response.chunked = False
            return
        if status == 101:  # the client's Upgrade field never passes: nobody asked for this
            raise UpstreamMalformed("a 101 Switching Protocols, but no upgrade was asked for")
        response.status = status
        self._wake_drain()  # an answer while the body goes out may end the upload (pool)
        if response.head_only:  # llhttp cannot be told; its own message end never comes
            self._fresh_parser = True
            self._message_done(response, keep_alive=self.parser.should_keep_alive())
        else:
            response.wake()

    def on_body(self, body: bytes) -> None:
        response = self.response
        if response is not None:
            response.push(body)

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
        response.finish()
        if keep_alive and self._reusable:
            self.endpoint.release(self)
        else:
            self.close()

    def _fail(self, response: UpstreamResponse, what: str, malformed: bool = False) -> None:
        self.response = None
        response.finish(
            UpstreamMalformed(f"malformed answer: {what}") if malformed else response.failure(what)
        )
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
            due = response.check_timeouts(self.loop.time())
            if due is not None:
                self.watch(due)

    def begin(self, response: UpstreamResponse) -> None:
        self.response = response
        self._interim = False
        self._head_bytes = self._head_fields = 0

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

    def cut_short(self) -> None:
        """The request went out incomplete: once its answer is read, the connection closes."""
        self._reusable = False

    @property
    def usable(self) -> bool:
        """Open, and not being closed: fit to carry a request."""
        return self._reusable and not self.closed

    def close(self) -> None:
        self._reusable = False
        if self.transport is not None and not self.closed:
            self.transport.close()
