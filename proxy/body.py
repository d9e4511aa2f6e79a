"""Reading a request's whole body once, within ``max_body_size``; kept in its exchange."""

from __future__ import annotations

from aiohttp import web

from proxy.exchange import Exchange
from proxy.problems import ProblemError

__all__ = ["read_body"]


async def read_body(request: web.Request, exchange: Exchange) -> bytes:
    """The whole request body, read once and kept in the exchange (journal, fallback mock).

    A small body usually arrives with the headers: then it is taken from the buffer without
    aiohttp's read loop (same size limit). A body over the limit is a 413 problem naming it.
    """
    if exchange.body is not None:
        return exchange.body
    if not request.body_exists:
        return b""
    limit = exchange.settings.max_body_bytes
    content = request.content
    if content.is_eof():
        body = content.read_nowait()
        if len(body) > limit:
            raise _body_too_large(limit, len(body))
    else:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:  # the app's client_max_size is the same limit
            raise _body_too_large(limit, request.content_length) from None
    exchange.body = body
    return body


def _body_too_large(limit: int, size: int | None) -> ProblemError:
    """413 for a body over ``max_body_size``; ``size`` is None when sent chunked."""
    where = "(max_body_size in the config)"
    detail = (
        f"the request body is {size} bytes; mockproxy reads at most {limit} bytes {where}"
        if size is not None
        else f"the request body is over {limit} bytes, the most mockproxy reads {where}"
    )
    return ProblemError(413, "body-too-large", detail, max_body_bytes=limit)
