"""Carrying a disruption out on the client's connection: wait, then break or trickle the answer.

The answer is always made first (validation, logs and the journal see the request as usual);
a fault then decides how much of it the client gets. After the connection is broken the
answer is still returned to aiohttp, whose write fails quietly on the closed transport.
"""

from __future__ import annotations

import asyncio
import math
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Final

import structlog
from aiohttp import hdrs, web

from proxy.mock.faults import Disruption, FaultKind

__all__ = ["MALFORMED_BYTES", "disrupted"]

log = structlog.get_logger(__name__)

MALFORMED_BYTES: Final = b"\x00\xff\xfemockproxy: malformed answer\x01\x02\x03\r\n\r\n"
"""What a ``malformed`` fault sends: no status line a client can parse."""
TRICKLE_CHUNKS: Final = 20


async def disrupted(
    request: web.Request,
    disruption: Disruption,
    answer: Callable[[], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Wait ``delay_ms``, make the answer, then apply the fault (if any) to sending it."""
    if disruption.delay_ms:
        await asyncio.sleep(disruption.delay_ms / 1000)
    response = await answer()
    fault = disruption.fault
    if fault is None:
        return response
    transport = request.transport
    if fault is FaultKind.SLOW:
        return await _trickle(request, response, disruption.slow_ms)
    if transport is None or transport.is_closing():  # the client has gone already
        return response
    if fault is FaultKind.TIMEOUT:
        await asyncio.sleep(disruption.timeout_ms / 1000)
    elif fault is FaultKind.MALFORMED:
        transport.write(MALFORMED_BYTES)
    elif fault is FaultKind.RESET:
        _reset(transport)
        return response
    transport.close()
    return response


def _reset(transport: asyncio.Transport) -> None:
    """Abort with SO_LINGER 0: the kernel answers with RST instead of a FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _trickle(
    request: web.Request, response: web.StreamResponse, over_ms: float
) -> web.StreamResponse:
    """The answer's status and headers at once, its body in pieces spread over ``over_ms``."""
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes) or not body:
        return response
    headers = response.headers.copy()
    headers.popall(hdrs.CONTENT_LENGTH, None)
    stream = web.StreamResponse(status=response.status, reason=response.reason, headers=headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    size = math.ceil(len(body) / TRICKLE_CHUNKS)
    pieces = math.ceil(len(body) / size)
    for start in range(0, len(body), size):
        await asyncio.sleep(over_ms / 1000 / pieces)
        await stream.write(body[start : start + size])
    await stream.write_eof()
    return stream
