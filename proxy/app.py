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

from proxy.catalog import Catalog
from proxy.config import Mode, Settings
from proxy.keys import BODY_CACHE, CATALOG, SETTINGS
from proxy.mock.prefer import parse_preferences
from proxy.mock.responder import BodyCache, mock_reply, reply_to_response
from proxy.observability import new_request_id
from proxy.problems import ProblemError, problem_response
from proxy.routing import RouteDecision, route

__all__ = ["ADMIN_PREFIX", "create_app"]

log = structlog.get_logger(__name__)

ADMIN_PREFIX: Final = "/_mockproxy"
REQUEST_ID_HEADER: Final = "X-Request-Id"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id to the log context, echo it, and log one line per request."""
    request_id = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
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
        log.info(
            "request.completed",
            method=request.method,
            path=request.path,
            status=status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
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
    headers = {
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
        **_cors_headers(request, request.app[SETTINGS]),
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
    settings = request.app[SETTINGS]
    prepared = decision.prepared
    if prepared is None:
        if request.method == hdrs.METH_OPTIONS and settings.cors:
            return _preflight(request, decision)
        raise _method_not_allowed(decision, request.method)
    preferences = parse_preferences(
        request.headers.getall("Prefer", []), request.rel_url.raw_query_string
    )
    reply = mock_reply(
        request, decision.api, prepared, preferences, settings.dynamic, request.app[BODY_CACHE]
    )
    return reply_to_response(
        reply,
        prepared.operation.key,
        _cors_headers(request, settings),
        head=request.method == hdrs.METH_HEAD,
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
    settings = request.app[SETTINGS]
    decision = route(request.app[CATALOG], settings.mock_prefix, request.method, raw_path)
    structlog.contextvars.bind_contextvars(
        api=decision.api.name,
        operation=decision.prepared.operation.key if decision.prepared else None,
    )
    if decision.mode is Mode.MOCK:
        return await _mock(request, decision)
    return await _live(request, decision)


async def routes_view(request: web.Request) -> web.Response:
    """Each operation's effective mode and the setting that decided it."""
    catalog = request.app[CATALOG]
    apis = [
        {
            "api": api.name,
            "mount": api.settings.mount,
            "upstream": api.settings.upstream,
            "mode": api.mode.value,
            "mode_source": api.mode_source,
            "operations": [
                {
                    "operation": p.operation.key,
                    "method": p.operation.method,
                    "path": p.operation.path,
                    "mode": p.mode.value,
                    "mode_source": p.mode_source,
                }
                for p in api.operations.values()
            ],
        }
        for api in catalog.apis
    ]
    return web.json_response({"mock_prefix": request.app[SETTINGS].mock_prefix, "apis": apis})


async def health_view(request: web.Request) -> web.Response:
    """Liveness."""
    return web.json_response({"status": "ok"})


async def reserved_view(request: web.Request) -> web.Response:
    """Anything else under /_mockproxy/ is ours and never forwarded."""
    raise ProblemError(404, "no-such-admin-endpoint", f"{request.path} is not an admin endpoint")


def create_app(settings: Settings, catalog: Catalog) -> web.Application:
    """The mockproxy application for loaded settings and specs."""
    app = web.Application(
        middlewares=[request_context, problems], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    app[CATALOG] = catalog
    app[BODY_CACHE] = BodyCache()
    app.router.add_get(f"{ADMIN_PREFIX}/health", health_view)
    app.router.add_get(f"{ADMIN_PREFIX}/routes", routes_view)
    app.router.add_route("*", ADMIN_PREFIX + "{tail:(/.*)?}", reserved_view)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app
