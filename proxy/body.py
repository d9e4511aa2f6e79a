"""Reading a request's whole body once, within ``max_body_size``; kept in its exchange as
sent (for the upstream) and as its content, codings such as gzip undone (for the rest)."""

from __future__ import annotations

from aiohttp import hdrs, web

from proxy.codings import TOO_LARGE, content_of
from proxy.exchange import Exchange
from proxy.problems import ProblemError

__all__ = ["read_body", "read_sent_body"]


async def read_body(request: web.Request, exchange: Exchange) -> bytes:
    """The request's content: its whole body with its content codings (gzip, deflate) undone,
    read once and kept in the exchange (mock, checks, journal, fallback mock).

    A body over ``max_body_size``, sent or decoded, is a 413 problem; one in a coding that
    cannot be undone a 415 problem naming it.
    """
    if exchange.body is not None:
        return exchange.body
    sent = await read_sent_body(request, exchange)
    limit = exchange.settings.max_body_bytes
    content = content_of(request.headers.getall(hdrs.CONTENT_ENCODING, ()), sent, limit)
    if content is TOO_LARGE:
        raise _body_too_large(limit, None, "decoded")
    if not isinstance(content, bytes):
        raise ProblemError(
            415, "unsupported-content-encoding", f"the request body is {content.why}"
        )
    exchange.body = content
    return content


async def read_sent_body(request: web.Request, exchange: Exchange) -> bytes:
    """The whole request body as the client sent it (what an upstream is sent), read once.

    A small body usually arrives with the headers: then it is taken from the buffer without
    aiohttp's read loop (same size limit). A body over the limit is a 413 problem naming it.
    """
    if exchange.sent_body is not None:
        return exchange.sent_body
    if not request.body_exists:
        exchange.sent_body = b""
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
    exchange.sent_body = body
    return body


def _body_too_large(limit: int, size: int | None, how: str = "") -> ProblemError:
    """413 for a body over ``max_body_size``; ``size`` is None when sent chunked (or when
    it is the decoded body that is over)."""
    where = "(max_body_size in the config)"
    what = f"the {how} request body" if how else "the request body"
    detail = (
        f"{what} is {size} bytes; mockproxy reads at most {limit} bytes {where}"
        if size is not None
        else f"{what} is over {limit} bytes, the most mockproxy reads {where}"
    )
    return ProblemError(413, "body-too-large", detail, max_body_bytes=limit)
