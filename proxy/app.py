"""create_app(settings, catalog): wiring only, no I/O.

Middlewares, outermost first: request context (request id, the ``request.completed`` line),
then problems (``ProblemError`` and anything unexpected -> problem+json). Routes: the reserved
``/_mockproxy/`` admin endpoints, then one catch-all that routes each request to the mock or
the live upstream.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Final

import structlog
from aiohttp import hdrs, web

from proxy.admin import ADMIN_PREFIX, setup_admin, setup_reserved
from proxy.catalog import Catalog
from proxy.config import Mode, Settings
from proxy.journal import Journal, JournalEntry, redact_headers, redact_query
from proxy.keys import EXCHANGE, JOURNAL, METRICS, RUNTIME, Exchange, Runtime, Snapshot, snapshot
from proxy.mock.prefer import parse_preferences
from proxy.mock.responder import mock_reply, reply_to_response
from proxy.observability import Metrics, new_request_id
from proxy.problems import ProblemError, problem_response
from proxy.reload import RELOADER, Reloader, reload_context
from proxy.routing import RouteDecision, route

__all__ = ["create_app"]

log = structlog.get_logger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-Id"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, then one ``request.completed`` line, metrics and a journal entry per request."""
    request_id = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
    exchange = Exchange(request_id, request.app[RUNTIME].current)
    request[EXCHANGE] = exchange
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
    finally:
        _complete(request, exchange, status, time.perf_counter() - started)


def _complete(request: web.Request, exchange: Exchange, status: int, seconds: float) -> None:
    log.info(
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
    )
    if request.path.startswith(ADMIN_PREFIX + "/") or exchange.api is None:
        return
    request.app[METRICS].observe(
        exchange.api, exchange.operation or "", exchange.source or "", status, seconds
    )
    journal = request.app[JOURNAL]
    catalog = exchange.snapshot.catalog
    body, truncated = journal.body_text(exchange.body, journal.max_body_bytes)
    journal.record(
        JournalEntry(
            request_id=exchange.request_id,
            timestamp=journal.now(),
            method=request.method,
            path=request.path,
            query=redact_query(request.query_string, catalog.secret_query),
            headers=redact_headers(request.headers.items(), catalog.secret_headers),
            body=body,
            body_truncated=truncated,
            api=exchange.api,
            operation=exchange.operation,
            source=exchange.source,
            status=status,
        )
    )


@web.middleware
async def problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn errors into RFC 9457 problem+json responses."""
    try:
        return await handler(request)
    except ProblemError as error:
        return problem_response(error, instance=request.path)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        problem = ProblemError(error.status, "http-error", error.reason)
        return problem_response(problem, instance=request.path, extra_headers=error.headers)
    except Exception:
        log.exception("request.failed")
        problem = ProblemError(500, "internal-error", "mockproxy failed to handle this request")
        return problem_response(problem, instance=request.path)


def _cors_headers(request: web.Request, settings: Settings) -> dict[str, str]:
    if not settings.cors:
        return {}
    origin = request.headers.get(hdrs.ORIGIN)
    headers: dict[str, str] = {
        hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: origin or "*",
        hdrs.ACCESS_CONTROL_EXPOSE_HEADERS: "*",
    }
    if origin:
        headers[hdrs.VARY] = "Origin"
        headers[hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
    return headers


def _preflight(request: web.Request, decision: RouteDecision) -> web.Response:
    requested = request.headers.get(hdrs.ACCESS_CONTROL_REQUEST_HEADERS, "")
    headers = {
        **_cors_headers(request, snapshot(request).settings),
        hdrs.ACCESS_CONTROL_ALLOW_METHODS: ", ".join((*decision.allowed, "OPTIONS")),
        hdrs.ACCESS_CONTROL_MAX_AGE: "600",
    }
    if requested:
        headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = requested
    return web.Response(status=204, headers=headers)


def _method_not_allowed(decision: RouteDecision, method: str) -> ProblemError:
    allowed = ", ".join(decision.allowed)
    return ProblemError(
        405,
        "method-not-allowed",
        f"{method} is not documented for {decision.template}; allowed: {allowed}",
        headers={hdrs.ALLOW: allowed},
        allowed_methods=list(decision.allowed),
    )


async def _mock(request: web.Request, decision: RouteDecision) -> web.StreamResponse:
    settings = snapshot(request).settings
    prepared = decision.prepared
    if prepared is None:
        if request.method == hdrs.METH_OPTIONS and settings.cors:
            return _preflight(request, decision)
        raise _method_not_allowed(decision, request.method)
    if request.body_exists:
        request[EXCHANGE].body = await request.read()
    preferences = parse_preferences(
        request.headers.getall("Prefer", []), request.rel_url.raw_query_string
    )
    reply = mock_reply(
        request, decision.api, prepared, preferences, settings.dynamic, snapshot(request).body_cache
    )
    return reply_to_response(
        reply,
        prepared.operation.key,
        _cors_headers(request, settings),
    )


async def _live(request: web.Request, decision: RouteDecision) -> web.StreamResponse:
    raise ProblemError(
        502,
        "live-unavailable",
        f"live forwarding to {decision.api.settings.upstream or 'the upstream'} is not available",
    )


async def dispatch(request: web.Request) -> web.StreamResponse:
    """The catch-all: route, then mock or forward."""
    raw_path = request.raw_path.split("?", 1)[0]
    settings = snapshot(request).settings
    decision = route(snapshot(request).catalog, settings.mock_prefix, request.method, raw_path)
    exchange = request[EXCHANGE]
    exchange.api = decision.api.name
    exchange.operation = decision.prepared.operation.key if decision.prepared else None
    exchange.source = "mock" if decision.mode is Mode.MOCK else "live"
    if decision.mode is Mode.MOCK:
        return await _mock(request, decision)
    return await _live(request, decision)


def create_app(
    settings: Settings, catalog: Catalog, reloader: Reloader | None = None
) -> web.Application:
    """The mockproxy application for loaded settings and specs (hot reload with a reloader)."""
    app = web.Application(
        middlewares=[request_context, problems], client_max_size=settings.max_body_bytes
    )
    app[RUNTIME] = Runtime(Snapshot(settings, catalog))
    if reloader is not None:
        app[RELOADER] = reloader
    app.cleanup_ctx.append(reload_context)
    app[METRICS] = Metrics()
    app[JOURNAL] = Journal(settings.journal_size, settings.journal_max_body_bytes)
    setup_admin(app)
    setup_reserved(app)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
