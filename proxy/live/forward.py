"""Streamed forwarding to an API's live upstream, over the app's one upstream connection pool.

The upstream target is the configured base plus the raw path below the mount and the raw
query, byte for byte (``proxy.live.target``); it can never leave the base nor reach another
host. Bodies stream both ways. Failures before the client saw any of the answer (a small
one is read whole first) are problem+json (502 unreachable, reset or malformed; 504
timeout), or the mock's answer in ``fallback`` mode; after it started, the client connection
is closed and the cut logged as ``response.truncated``. ``fallback`` and ``verify`` modes use
the same path with a buffered request body or a buffered response body.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

import structlog
from aiohttp import hdrs, web
from multidict import CIMultiDict, CIMultiDictProxy

from proxy.fields import SOURCE_HEADER, VIOLATIONS_HEADER
from proxy.live.client import (
    Endpoint,
    RequestBody,
    StreamedBody,
    UpstreamError,
    UpstreamMalformed,
    UpstreamPool,
    UpstreamReset,
    UpstreamResponse,
    UpstreamTimeout,
)
from proxy.live.headers import request_fields_for_upstream, response_fields_for_client
from proxy.live.target import UpstreamBase, location_for_client
from proxy.problems import ProblemError
from proxy.settings import Timeouts
from proxy.violations import Violation, violations_header

__all__ = [
    "FALLBACK_STATUSES",
    "Inspection",
    "Upstream",
    "create_upstream_pool",
    "forward",
    "ssl_context_for",
]

log = structlog.get_logger(__name__)

CHUNK_SIZE: Final = 64 * 1024
FALLBACK_STATUSES: Final = frozenset({501, 503})
SMALL_BODY: Final = 256 * 1024


def create_upstream_pool(limit_per_origin: int = 100) -> UpstreamPool:
    """The one shared pool: keep-alive connections per origin, bytes passed on untouched."""
    return UpstreamPool(limit_per_origin=limit_per_origin, max_idle_per_origin=limit_per_origin)


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

    check: Callable[[int, CIMultiDictProxy[str], bytes | None], list[Violation]]
    limit: int


class Outcome(Protocol):
    """Where ``forward`` notes the upstream's status and a client that went away mid-answer
    (the request's exchange)."""

    upstream_status: int | None
    client_gone: bool


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where and how an API's requests are forwarded (one per API and loaded configuration):
    the base, the timeouts and the pool's endpoint for its origin, looked up once."""

    base: UpstreamBase
    timeouts: Timeouts
    endpoint: Endpoint


async def forward(
    request: web.Request,
    upstream: Upstream,
    target: bytes,
    *,
    body: bytes | None = None,
    fallback: bool = False,
    inspection: Inspection | None = None,
    outcome: Outcome | None = None,
    request_id: str | None = None,
    mount: str = "",
) -> web.StreamResponse | None:
    """Forward to ``target`` (the request-target: base path, raw path below the mount, raw
    query) and relay; with ``fallback``, return None where the mock should answer instead.

    ``body`` replaces the streamed request body (it was already read, e.g. for fallback). A
    redirect below the upstream's base URL is relayed pointing below ``mount`` instead.
    """
    base = upstream.base
    remote = request.remote
    fields = request_fields_for_upstream(
        request.raw_headers,
        base.authority,
        remote.encode("latin-1") if remote else None,
        b"https" if request.secure else b"http",
        request_id.encode("latin-1") if request_id else None,
    )
    sent: RequestBody = body
    if body is None and request.body_exists:
        sent = StreamedBody(request.content.iter_any(), request.content_length)
    response: UpstreamResponse | None = None
    try:
        response = await upstream.endpoint.send(
            request.method, target, fields, sent, upstream.timeouts
        )
        if outcome is not None:
            outcome.upstream_status = response.status
        if fallback and response.status in FALLBACK_STATUSES:
            log.info("upstream.fallback", upstream=base.label, status=response.status)
            return None
        relocation = (base, mount)
        return await _relay(request, response, inspection, request_id, outcome, relocation)
    except UpstreamError as error:  # the client has seen none of the answer
        if fallback:
            log.info("upstream.fallback", upstream=base.label, reason=error.kind)
            return None
        raise _upstream_problem(upstream, error) from None
    finally:
        if response is not None:
            response.close()


async def _relay(
    request: web.Request,
    response: UpstreamResponse,
    inspection: Inspection | None,
    request_id: str | None,
    outcome: Outcome | None,
    relocation: tuple[UpstreamBase, str],
) -> web.StreamResponse:
    """The answer, relayed: whole when it is small or inspected, else streamed; a Location
    below the upstream's base (``relocation``: it and the API's mount) points at the proxy. An
    UpstreamError raised here came before the client saw any of it."""
    base, mount = relocation

    def relocate(location: str) -> str:
        return location_for_client(location, base, f"{request.scheme}://{request.host}", mount)

    headers = response_fields_for_client(response.headers, request_id, relocate)
    headers.append((SOURCE_HEADER, "live"))
    buffered: bytes | None = None
    if inspection is not None:
        buffered = await _read_up_to(response, inspection.limit)
        complete = buffered if response.at_eof else None
        violations = inspection.check(response.status, _as_multidict(response), complete)
        if violations:
            headers.append((VIOLATIONS_HEADER, violations_header(violations)))
    elif _small(request, response):  # one write instead of a streamed relay
        body = await response.read()
        answer = web.Response(status=response.status, reason=response.reason or None, body=body)
        answer.headers.extend(headers)
        return answer
    client_response = web.StreamResponse(status=response.status, reason=response.reason or None)
    client_response.headers.extend(headers)
    if response.content_length is not None:
        client_response.content_length = response.content_length
    await client_response.prepare(request)
    if not await _stream(request, response, client_response, buffered or b"") and outcome:
        outcome.client_gone = True
    return client_response


async def _stream(
    request: web.Request,
    response: UpstreamResponse,
    client_response: web.StreamResponse,
    first: bytes,
) -> bool:
    """Relay the body; False if the client went away. A body cut by either side is logged
    as ``response.truncated`` with the bytes relayed and the cause, and the client connection
    is closed."""
    relayed = 0
    try:
        if first:
            await client_response.write(first)
            relayed += len(first)
        while chunk := await response.read_chunk(CHUNK_SIZE):
            await client_response.write(chunk)
            relayed += len(chunk)
        await client_response.write_eof()
    except UpstreamError as error:
        log.warning("response.truncated", bytes=relayed, cause=error.kind, detail=str(error))
        if request.transport is not None:
            request.transport.close()
    except ConnectionResetError:
        log.info("response.truncated", bytes=relayed, cause="client-gone")
        return False
    return True


def _upstream_problem(upstream: Upstream, error: UpstreamError) -> ProblemError:
    """The 502 or 504 problem for an answer that failed before the client saw any of it."""
    label, timeouts = upstream.base.label, upstream.timeouts
    if isinstance(error, UpstreamTimeout):
        status = 504
        detail = (
            f"the upstream {label} did not answer within the configured timeouts "
            f"(connect {timeouts.connect}s, read {timeouts.read}s, total {timeouts.total}s)"
        )
    elif isinstance(error, UpstreamMalformed):
        status, detail = 502, f"the upstream {label} sent a malformed answer: {error}"
    elif isinstance(error, UpstreamReset):
        status, detail = 502, f"the upstream {label} broke off its answer: {error}"
    else:
        status, detail = 502, f"the upstream {label} could not be reached: {error}"
    return ProblemError(status, error.kind, detail, upstream=label)


def _small(request: web.Request, response: UpstreamResponse) -> bool:
    length = response.content_length
    return (
        length is not None
        and length <= SMALL_BODY
        and request.method != hdrs.METH_HEAD
        and response.status not in (204, 304)
    )


async def _read_up_to(response: UpstreamResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.read_chunk(min(CHUNK_SIZE, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _as_multidict(response: UpstreamResponse) -> CIMultiDictProxy[str]:
    """The upstream's own fields, for the contract check."""
    return CIMultiDictProxy(
        CIMultiDict(
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers
        )
    )
