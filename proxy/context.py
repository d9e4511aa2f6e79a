"""The request context, an aiohttp middleware around every request: its id, problem+json for
every error, one ``request.completed`` line, metrics and a journal entry.

A client that goes away before its answer is complete is logged and counted as 499 (nginx's
convention); a request cancelled by a shutdown is logged once as ``request.abandoned``. The
connection guard (``connections.py``) learns when each request starts and ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Final

import structlog
from aiohttp import web
from aiohttp.typedefs import Handler

from proxy.exchange import Exchange
from proxy.fields import REQUEST_ID_HEADER
from proxy.keys import CONNECTIONS, EXCHANGE, JOURNAL, METRICS, RUNTIME, SNAPSHOT
from proxy.observability import REQUEST_ID, Metrics, new_request_id, request_log
from proxy.problems import ProblemError, problem_response

__all__ = ["request_context"]

log = structlog.get_logger(__name__)

CLIENT_GONE: Final = 499
"""The status logged and counted for a client that went away (nginx's convention)."""
ABANDONED: Final = 503
"""The status counted for a request cancelled by a shutdown."""


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run ``handler`` with the request's id and exchange; map its errors to problems; then
    log, count and journal the request."""
    app = request.app
    request_id = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
    current = request[SNAPSHOT] = app[RUNTIME].current
    exchange = request[EXCHANGE] = Exchange(request_id, current.settings, current.catalog)
    # one task serves a keep-alive connection's requests in turn: setting replaces the id
    REQUEST_ID.set(request_id)
    guard, transport = app[CONNECTIONS], request.transport
    guard.request_started(transport)
    started = time.perf_counter()
    status, abandoned = 500, False
    try:
        response = await _answer(request, handler, request_id)
        status = CLIENT_GONE if exchange.client_gone else response.status
        if guard.stopping:
            response.force_close()
        return response
    except web.HTTPException as redirect:  # below 400: aiohttp sends it
        status = redirect.status
        raise
    except asyncio.CancelledError:  # the client went away, or a shutdown ended the request
        abandoned = guard.stopping
        status = ABANDONED if abandoned else CLIENT_GONE
        raise
    finally:
        guard.request_finished(transport)
        seconds = time.perf_counter() - started
        if abandoned:
            _log_abandoned(request, exchange, seconds)
        elif request_log().is_enabled_for(logging.INFO):
            _log_completed(request, exchange, status, seconds)
        api = exchange.api
        if api is not None:  # admin and explorer requests are not API traffic
            operation, source = exchange.operation or "", exchange.source or ""
            app[METRICS].observe(api, operation, source, status, seconds)
            if exchange.fault is not None or exchange.delay_ms is not None:
                _count_injected(app[METRICS], exchange)
            stored = app[JOURNAL].record(
                exchange, request.method, request.raw_path, request.raw_headers, status
            )
            if stored is not None:  # a shared journal: in it before the answer leaves
                await stored


async def _answer(request: web.Request, handler: Handler, request_id: str) -> web.StreamResponse:
    """The handler's response, or the problem for its error; with the request's id."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            error.headers[REQUEST_ID_HEADER] = request_id
            raise
        response = _problem_for(error, request, request_id)
    except Exception as error:
        response = _problem_for(error, request, request_id)
    # an upstream's answer keeps its own id (forward gives ours to one without)
    if REQUEST_ID_HEADER not in response.headers and not response.prepared:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def _problem_for(error: Exception, request: web.Request, request_id: str) -> web.Response:
    """A problem+json response for an error a handler raised."""
    if isinstance(error, ProblemError):
        error.extensions.setdefault("request_id", request_id)
        return problem_response(error, instance=request.path)
    if isinstance(error, web.HTTPException):
        problem = ProblemError(error.status, "http-error", error.reason, request_id=request_id)
        return problem_response(problem, instance=request.path, extra_headers=error.headers)
    log.exception("request.failed", exc_info=error)
    problem = ProblemError(
        500, "internal-error", "mockproxy failed to handle this request", request_id=request_id
    )
    return problem_response(problem, instance=request.path)


def _count_injected(metrics: Metrics, exchange: Exchange) -> None:
    """A mock answer's injected fault (or error) and delay, by API and operation."""
    api, operation = exchange.api or "", exchange.operation or ""
    if exchange.fault is not None:
        metrics.injected_faults.labels(api, operation, exchange.fault).inc()
    if exchange.delay_ms is not None:
        metrics.injected_delay.labels(api, operation).inc(exchange.delay_ms / 1000)


def _log_abandoned(request: web.Request, exchange: Exchange, seconds: float) -> None:
    request_log().warning(
        "request.abandoned",
        request_id=exchange.request_id,
        method=request.method,
        path=request.path,
        api=exchange.api,
        operation=exchange.operation,
        duration_ms=round(seconds * 1000, 3),
        detail="the server shut down before the answer was complete",
    )


def _log_completed(request: web.Request, exchange: Exchange, status: int, seconds: float) -> None:
    """The request's one canonical line: what an operator searches and counts by."""
    injected: dict[str, object] = {}
    if exchange.fault is not None or exchange.delay_ms is not None:
        injected = {"fault": exchange.fault, "delay_ms": exchange.delay_ms}
    request_log().info(
        "request.completed",
        request_id=exchange.request_id,
        method=request.method,
        path=request.path,
        api=exchange.api,
        operation=exchange.operation,
        source=exchange.source,
        status=status,
        duration_ms=round(seconds * 1000, 3),
        upstream_status=exchange.upstream_status,
        **injected,
    )
