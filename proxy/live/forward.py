"""Streamed forwarding to an API's live upstream, over the app's one shared ClientSession.

The upstream URL is the configured base plus the raw path below the mount and the raw query,
byte for byte; it can never leave the base (dot segments, encoded slashes) nor reach another
host. Bodies stream both ways. Failures before the response starts are problem+json (502
unreachable, 504 timeout); after it started, the client connection is closed and the reset
logged. ``fallback`` and ``verify`` modes use the same path with a buffered request body or a
buffered response body.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import unquote

import aiohttp
import structlog
from aiohttp import hdrs, web
from multidict import CIMultiDictProxy
from yarl import URL

from proxy.config import Timeouts
from proxy.live.headers import (
    ForwardedFor,
    request_headers_for_upstream,
    response_headers_for_client,
)
from proxy.problems import ProblemError
from proxy.violations import VIOLATIONS_HEADER, violations_header

__all__ = [
    "FALLBACK_STATUSES",
    "Inspection",
    "Upstream",
    "build_upstream_url",
    "create_upstream_session",
    "forward",
    "ssl_context_for",
]

log = structlog.get_logger(__name__)

CHUNK_SIZE: Final = 64 * 1024
FALLBACK_STATUSES: Final = frozenset({501, 503})
SOURCE_HEADER: Final = "X-Mockproxy-Source"
REQUEST_ID_HEADER: Final = "X-Request-Id"
SMALL_BODY: Final = 256 * 1024
_FORBIDDEN_IN_SEGMENT: Final = ("/", "\\", "\x00")


def build_upstream_url(base: str, path_below_mount: str, raw_query: str) -> URL:
    """Upstream base + raw path + raw query; a 400 problem for anything that would escape."""
    if path_below_mount and not path_below_mount.startswith("/"):
        raise _traversal(path_below_mount)
    for segment in path_below_mount.split("/"):
        decoded = unquote(unquote(segment))
        if decoded in (".", "..") or any(c in decoded for c in _FORBIDDEN_IN_SEGMENT):
            raise _traversal(path_below_mount)
    base_url = URL(base)
    text = base.rstrip("/") + path_below_mount + (f"?{raw_query}" if raw_query else "")
    try:
        url = URL(text, encoded=True)
    except ValueError:
        raise _traversal(path_below_mount) from None
    same_origin = (url.scheme, url.host, url.port) == (
        base_url.scheme,
        base_url.host,
        base_url.port,
    )
    if not same_origin or not url.raw_path.startswith(base_url.raw_path.rstrip("/")):
        raise _traversal(path_below_mount)
    return url


def _traversal(path: str) -> ProblemError:
    return ProblemError(
        400,
        "path-traversal",
        f"the path {path!r} would leave the API's upstream base path; it is not forwarded",
    )


def create_upstream_session(limit_per_host: int = 100) -> aiohttp.ClientSession:
    """The one shared session: pooled keep-alive, no cookie jar, bytes untouched."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, limit_per_host=limit_per_host),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        skip_auto_headers=(hdrs.USER_AGENT, hdrs.ACCEPT_ENCODING, hdrs.ACCEPT, hdrs.CONTENT_TYPE),
    )


def ssl_context_for(verify: bool, ca_bundle: Path | None) -> ssl.SSLContext | bool:
    """TLS verified by default; a private CA bundle adds trust; verify=false turns it off."""
    if not verify:
        return False
    if ca_bundle is None:
        return True
    return ssl.create_default_context(cafile=str(ca_bundle))


@dataclass(frozen=True, slots=True)
class Inspection:
    """Verify mode: buffer up to ``limit`` bytes of the response and check them."""

    check: Callable[[int, CIMultiDictProxy[str], bytes | None], list[str]]
    limit: int


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where and how to forward one request."""

    url: URL
    timeouts: Timeouts
    ssl: ssl.SSLContext | bool = True


def _forwarded(request: web.Request) -> ForwardedFor:
    return ForwardedFor(request.remote, request.scheme, request.headers.get(hdrs.HOST))


async def forward(
    request: web.Request,
    session: aiohttp.ClientSession,
    upstream: Upstream,
    *,
    body: bytes | None = None,
    fallback: bool = False,
    inspection: Inspection | None = None,
    on_status: Callable[[int], None] | None = None,
    request_id: str | None = None,
) -> web.StreamResponse | None:
    """Forward and relay; with ``fallback``, return None where the mock should answer instead.

    ``body`` replaces the streamed request body (it was already read, e.g. for fallback).
    """
    headers = request_headers_for_upstream(
        request.headers.items(), upstream.url.raw_authority, _forwarded(request)
    )
    headers.popall(hdrs.EXPECT, None)  # already answered with 100 Continue by aiohttp
    if request_id is not None and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id  # the same id in both sides' logs
    data = body if body is not None else (request.content if request.body_exists else None)
    timeout = aiohttp.ClientTimeout(
        total=upstream.timeouts.total,
        sock_connect=upstream.timeouts.connect,
        sock_read=upstream.timeouts.read,
    )
    target = f"{upstream.url.scheme}://{upstream.url.raw_authority}"
    try:
        async with session.request(
            request.method,
            upstream.url,
            headers=headers,
            data=data,
            allow_redirects=False,
            timeout=timeout,
            ssl=upstream.ssl,
        ) as response:
            if on_status is not None:
                on_status(response.status)
            if fallback and response.status in FALLBACK_STATUSES:
                log.info("upstream.fallback", upstream=target, status=response.status)
                return None
            return await _relay(request, response, inspection, target, request_id)
    except TimeoutError:
        if fallback:
            log.info("upstream.fallback", upstream=target, reason="timeout")
            return None
        raise ProblemError(
            504,
            "upstream-timeout",
            f"the upstream {target} did not answer within the configured timeouts "
            f"(connect {upstream.timeouts.connect}s, read {upstream.timeouts.read}s, "
            f"total {upstream.timeouts.total}s)",
            upstream=target,
        ) from None
    except aiohttp.ClientError as error:
        if fallback:
            log.info("upstream.fallback", upstream=target, reason=type(error).__name__)
            return None
        raise ProblemError(
            502,
            "upstream-unreachable",
            f"the upstream {target} could not be reached: {error}",
            upstream=target,
        ) from None


async def _relay(
    request: web.Request,
    response: aiohttp.ClientResponse,
    inspection: Inspection | None,
    target: str,
    request_id: str | None,
) -> web.StreamResponse:
    headers = response_headers_for_client(response.headers.items())
    headers[SOURCE_HEADER] = "live"
    if request_id is not None and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id
    buffered: bytes | None = None
    if inspection is not None:
        buffered = await _read_up_to(response, inspection.limit)
        complete = buffered if response.content.at_eof() else None
        violations = inspection.check(response.status, response.headers, complete)
        if violations:
            headers[VIOLATIONS_HEADER] = violations_header(violations)
    elif _small(request, response):  # one write instead of a streamed relay
        try:
            body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("upstream.reset", upstream=target, error=type(error).__name__)
            raise ProblemError(
                502, "upstream-reset", f"the upstream {target} broke off its answer"
            ) from None
        answer = web.Response(status=response.status, reason=response.reason, body=body)
        answer.headers.extend(headers)
        return answer
    client_response = web.StreamResponse(status=response.status, reason=response.reason)
    client_response.headers.extend(headers)
    if response.content_length is not None and hdrs.CONTENT_LENGTH not in headers:
        client_response.content_length = response.content_length
    await client_response.prepare(request)
    try:
        if buffered:
            await client_response.write(buffered)
        async for chunk in response.content.iter_chunked(CHUNK_SIZE):
            await client_response.write(chunk)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("upstream.reset", upstream=target, error=type(error).__name__)
        if request.transport is not None:
            request.transport.close()
        return client_response
    await client_response.write_eof()
    return client_response


def _small(request: web.Request, response: aiohttp.ClientResponse) -> bool:
    length = response.content_length
    return (
        length is not None
        and length <= SMALL_BODY
        and request.method != hdrs.METH_HEAD
        and response.status not in (204, 304)
    )


async def _read_up_to(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(min(CHUNK_SIZE, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
