"""create_app(settings, catalog): wiring only, no I/O.

Routes: the reserved ``/_mockproxy/`` admin endpoints, then one catch-all that routes each
request to the mock or the live upstream. Every route's handler runs inside the request
context (request id, problem+json for errors, the ``request.completed`` line, metrics, journal).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Final

import structlog
from aiohttp import hdrs, web
from multidict import CIMultiDictProxy

from proxy.admin import admin_routes, reserved_routes
from proxy.catalog import Catalog, PreparedOperation
from proxy.config import RESERVED_PREFIX, Mode, Settings, ValidationMode, lies_under
from proxy.explorer.handlers import setup_explorer
from proxy.journal import Journal
from proxy.keys import (
    API_TRAFFIC,
    EXCHANGE,
    JOURNAL,
    METRICS,
    RUNTIME,
    UPSTREAM_POOL,
    ApiTraffic,
    Exchange,
    Runtime,
    Snapshot,
    snapshot,
)
from proxy.live.contract import ContractChecker
from proxy.live.forward import (
    Inspection,
    Upstream,
    create_upstream_pool,
    forward,
    ssl_context_for,
)
from proxy.live.target import request_target, upstream_base
from proxy.memo import remember
from proxy.mock.prefer import Preferences, parse_preferences, strip_control_parameters
from proxy.mock.responder import (
    SOURCE_HEADER,
    credentials_of,
    invalid_reply,
    is_static,
    mock_reply,
    ready_response,
    reply_to_response,
    unauthorized_reply,
)
from proxy.observability import REQUEST_ID, Metrics, new_request_id
from proxy.problems import ProblemError, method_not_allowed, problem_response
from proxy.reload import RELOADER, Reloader, reload_context
from proxy.routing import RouteDecision, route
from proxy.validation import RequestParts, ValidationResult
from proxy.violations import VIOLATIONS_HEADER, violations_header

__all__ = ["create_app"]

log = structlog.get_logger(__name__)
_REQUEST_LOG: Final = logging.getLogger(__name__)

REQUEST_ID_HEADER: Final = "X-Request-Id"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_context(app: web.Application) -> Callable[[Handler], Handler]:
    """The request context, bound to the app's runtime, metrics and journal: request id,
    problems (ProblemError and anything unexpected -> problem+json), then one
    ``request.completed`` line, metrics and a journal entry per request.

    Wrapped around every route's handler when the app is wired, not registered as an aiohttp
    middleware: the middleware chain (ours plus the current-app fix-up aiohttp adds with it)
    cost about 2.5 µs of a static mock GET's 32 µs of server CPU (bench/inprocess.py). Nothing
    is lost by it: the catch-all routes leave aiohttp's router no request to answer by itself.
    """
    runtime, metrics, journal = app[RUNTIME], app[METRICS], app[JOURNAL]

    def in_context(handler: Handler) -> Handler:
        async def with_context(request: web.Request) -> web.StreamResponse:
            request_id = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
            exchange = Exchange(request_id, runtime.current, app)
            request[EXCHANGE] = exchange
            # one task serves a keep-alive connection's requests in turn: setting replaces the id
            REQUEST_ID.set(request_id)
            started = time.perf_counter()
            status = 500
            try:
                try:
                    response = await handler(request)
                except web.HTTPException as error:
                    if error.status < 400:  # a redirect: aiohttp sends it
                        status = error.status
                        error.headers[REQUEST_ID_HEADER] = request_id
                        raise
                    response = _problem_for(error, request, request_id)
                except Exception as error:
                    response = _problem_for(error, request, request_id)
                status = response.status
                headers = response.headers
                # an upstream's answer keeps its own id (forward gives ours to one without)
                if REQUEST_ID_HEADER not in headers and not response.prepared:
                    headers[REQUEST_ID_HEADER] = request_id
                return response
            finally:
                seconds = time.perf_counter() - started
                if _REQUEST_LOG.isEnabledFor(logging.INFO):
                    _log_completed(request, exchange, status, seconds)
                api = exchange.api
                if api is not None:  # admin and explorer requests are not API traffic
                    operation, source = exchange.operation or "", exchange.source or ""
                    metrics.observe(api, operation, source, status, seconds)
                    journal.record(
                        exchange, request.method, request.raw_path, request.raw_headers, status
                    )

        return with_context

    return in_context


def _route_in_context(
    in_context: Callable[[Handler], Handler], route: web.RouteDef
) -> web.RouteDef:
    handler = route.handler
    assert not isinstance(handler, type), "class-based views are not used"
    return web.RouteDef(route.method, route.path, in_context(handler), route.kwargs)


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


def _log_completed(request: web.Request, exchange: Exchange, status: int, seconds: float) -> None:
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


PREFER: Final = "Prefer"
ANSWERS_PER_DECISION: Final = 64
_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})
_CORS_ANY: Final[Mapping[str, str]] = MappingProxyType(
    {hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: "*", hdrs.ACCESS_CONTROL_EXPOSE_HEADERS: "*"}
)


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
    detail = f"{method} is not documented for {decision.template}; allowed: {allowed}"
    return method_not_allowed(detail, decision.allowed)


async def _mock(
    request: web.Request, decision: RouteDecision, exchange: Exchange
) -> web.StreamResponse:
    settings = exchange.snapshot.settings
    prepared = decision.prepared
    if prepared is None:
        if request.method == hdrs.METH_OPTIONS and settings.cors:
            return _preflight(request, decision)
        raise _method_not_allowed(decision, request.method)
    headers = request.headers
    security = prepared.security
    authorized = security.satisfied_by(headers.get(hdrs.AUTHORIZATION), credentials_of, request)
    answers = decision.answers
    answer_key = None
    if answers is not None and hdrs.ORIGIN not in headers:
        # the request target, Prefer, Accept, Authorization and Content-Type decide the answer
        # (see PreparedOperation.answers_by_request_line): an earlier request may have given
        # it, and then only a body is left to check
        with_body = request.body_exists
        content_type = headers.get(hdrs.CONTENT_TYPE) if with_body else None
        answer_key = (
            request.raw_path,  # the query too: the decision was made on the path alone
            tuple(headers.getall(PREFER, ())),
            headers.get(hdrs.ACCEPT),
            authorized,
            content_type,
        )
        known = answers.get(answer_key)
        if known is not None:
            if not with_body:
                return known.response()
            body = await _request_body(request, exchange, settings.max_body_bytes)
            if content_type is not None and prepared.validator.body_passes(content_type, body):
                return known.response()
    body = await _request_body(request, exchange, settings.max_body_bytes)
    raw_query = exchange.raw_query
    preferences = parse_preferences(headers.getall(PREFER, ()), raw_query)
    cache = exchange.snapshot.body_cache
    result = await _validate(request, decision, prepared, preferences, body, raw_query)
    invalid = result is not None and not result.valid
    accept = headers.get(hdrs.ACCEPT)
    api = decision.api
    if not authorized:
        from_script = headers.get("X-Requested-With") == "XMLHttpRequest"
        reply = unauthorized_reply(api, prepared, accept, cache, from_script)
    elif result is not None and invalid and _enforced(decision):
        try:
            reply = invalid_reply(api, prepared, result, accept, cache)
        except ProblemError as error:
            error.extensions.setdefault("request_id", exchange.request_id)
            return problem_response(error, request.path, _extra_headers(request, settings, result))
    elif not invalid and hdrs.ORIGIN not in headers and is_static(preferences, settings.dynamic):
        # the common case: a static reply whose response was assembled by an earlier request
        key = (api.name, prepared.operation.key, preferences, accept)
        ready = cache.ready.get(key)
        if ready is None:
            reply = mock_reply(request, api, prepared, preferences, settings.dynamic, cache)
            ready = ready_response(key, reply, _CORS_ANY if settings.cors else _EMPTY, cache)
        if answers is not None and answer_key is not None:
            remember(answers, answer_key, ready, ANSWERS_PER_DECISION)
        return ready.response()
    else:
        reply = mock_reply(request, api, prepared, preferences, settings.dynamic, cache)
    extra = _extra_headers(request, settings, result)
    return reply_to_response(reply, prepared.operation.key, extra)


async def _request_body(request: web.Request, exchange: Exchange, limit: int) -> bytes:
    """The whole request body, read once and kept in the exchange (journal, fallback mock).

    A small body usually arrives with the headers: then it is taken from the buffer without
    aiohttp's read loop (same size limit). A body over the limit is a 413 problem naming it.
    """
    if exchange.body is not None:
        return exchange.body
    if not request.body_exists:
        return b""
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


def _extra_headers(
    request: web.Request, settings: Settings, result: ValidationResult | None
) -> dict[str, str]:
    """Per-request headers of a mock answer: CORS for the caller's Origin, violations."""
    extra = _cors_headers(request, settings)
    if result is not None and not result.valid:
        errors = [error.as_json() for error in result.errors]
        extra[VIOLATIONS_HEADER] = violations_header(errors)
        log.info("request.invalid", errors=errors)
    return extra


def _enforced(decision: RouteDecision) -> bool:
    return decision.api.settings.validation is ValidationMode.ENFORCE


async def _validate(
    request: web.Request,
    decision: RouteDecision,
    prepared: PreparedOperation,
    preferences: Preferences,
    body: bytes,
    raw_query: str,
) -> ValidationResult | None:
    """Validate unless validation is off for the API or the client said validate=false (a
    big JSON body in the validation worker, while the event loop goes on)."""
    if preferences.validate is False or decision.api.settings.validation is ValidationMode.OFF:
        return None
    validator = prepared.validator
    headers = request.headers
    parts = RequestParts(
        path_params=decision.params,
        query_string=strip_control_parameters(raw_query),
        headers=headers,
        cookies=request.cookies if validator.reads_cookies else _EMPTY,
        content_type=headers.get(hdrs.CONTENT_TYPE),
        body=body,
    )
    return await validator.validate_off_loop(parts)


async def upstream_pool_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the one shared upstream connection pool, closed on the way out."""
    app[UPSTREAM_POOL] = create_upstream_pool()
    yield
    await app[UPSTREAM_POOL].close()


def _upstream(decision: RouteDecision, exchange: Exchange) -> Upstream:
    """The API's upstream, made once per loaded configuration (its TLS context included)."""
    api = decision.api.settings
    upstream = exchange.snapshot.upstreams.get(api.name)
    if upstream is not None:
        return upstream
    if api.upstream is None:
        raise ProblemError(
            502,
            "no-upstream",
            f"{api.name} has no upstream configured, so {decision.mode.value} mode cannot "
            f"forward; set apis.{api.name}.upstream or use mock mode",
            api=api.name,
        )
    upstream = Upstream(
        upstream_base(api.upstream), api.timeouts, ssl_context_for(api.tls_verify, api.ca_bundle)
    )
    exchange.snapshot.upstreams[api.name] = upstream
    return upstream


def _inspection(
    request: web.Request, decision: RouteDecision, exchange: Exchange, request_findings: list[str]
) -> Inspection:
    current = exchange.snapshot
    api = decision.api
    checker = current.contracts.get(api.name)
    if checker is None:
        checker = current.contracts[api.name] = ContractChecker(api.spec)
    operation = decision.prepared.operation if decision.prepared else None
    what = f"{request.method} {decision.path_below_mount}"
    metrics = exchange.app[METRICS]

    def check(status: int, headers: CIMultiDictProxy[str], body: bytes | None) -> list[str]:
        violations = request_findings + checker.check(operation, status, headers, body, what)
        if violations:
            metrics.violations.labels(api.name, exchange.operation or "").inc(len(violations))
            log.warning("verify.violations", violations=violations, status=status)
        return violations

    return Inspection(check, current.settings.max_body_bytes)


async def _request_findings(
    request: web.Request, decision: RouteDecision, exchange: Exchange, body: bytes | None
) -> list[str]:
    """Verify mode checks the forwarded request too: reported, never blocked."""
    prepared = decision.prepared
    if prepared is None or decision.api.settings.validation is ValidationMode.OFF:
        return []
    preferences = Preferences(validate=True)
    result = await _validate(
        request, decision, prepared, preferences, body or b"", exchange.raw_query
    )
    if result is None:
        return []
    return [f"request {error.pointer}: {error.detail}" for error in result.errors]


async def _live(
    request: web.Request, decision: RouteDecision, exchange: Exchange
) -> web.StreamResponse:
    upstream = _upstream(decision, exchange)
    target = request_target(upstream.base, decision.path_below_mount, exchange.raw_query)
    fallback = decision.mode is Mode.FALLBACK
    verify = decision.mode is Mode.VERIFY
    body = None  # streamed, unless a mode needs it whole
    if (fallback or verify) and request.body_exists:
        body = await _request_body(request, exchange, exchange.snapshot.settings.max_body_bytes)
    inspection = None
    if verify:
        findings = await _request_findings(request, decision, exchange, body)
        inspection = _inspection(request, decision, exchange, findings)
    try:
        response = await forward(
            request,
            exchange.app[UPSTREAM_POOL],
            upstream,
            target,
            body=body,
            fallback=fallback,
            inspection=inspection,
            outcome=exchange,
            request_id=exchange.request_id,
        )
    except ProblemError as error:
        if error.kind.startswith("upstream-"):
            exchange.app[METRICS].upstream_errors.labels(decision.api.name, error.kind).inc()
            log.warning("upstream.failed", kind=error.kind, detail=error.detail)
        raise
    if response is not None:
        return response
    exchange.source = "fallback"
    mocked = await _mock(request, decision, exchange)
    mocked.headers[SOURCE_HEADER] = "fallback"
    return mocked


def dispatch(request: web.Request) -> Awaitable[web.StreamResponse]:
    """The catch-all: route, then mock or forward (the mock's or the forward's coroutine,
    which the request context awaits: no coroutine of its own to pass the answer through)."""
    exchange = request[EXCHANGE]
    current = exchange.snapshot
    raw_path = request.raw_path
    if "?" in raw_path or "#" in raw_path:
        # path and query, each as sent; a fragment (which a client should not send) goes no
        # further: it is neither routed nor forwarded
        raw_path, _, exchange.raw_query = raw_path.partition("#")[0].partition("?")
    decision = route(current.catalog, current.settings.mock_prefix, request.method, raw_path)
    exchange.api, exchange.operation, exchange.source = decision.labels
    if decision.mode is Mode.MOCK:
        return _mock(request, decision, exchange)
    return _live(request, decision, exchange)


_PLAIN_PREFIX: Final = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+")
"""A path prefix aiohttp's router reads as written: no %-escapes, no braces (route syntax)."""
_ANY_TAIL: Final = "{tail:[\\s\\S]*}"  # newlines too


def api_mounts(settings: Settings) -> tuple[str, ...]:
    """The API mounts and mock mounts that aiohttp's router reads as written (no %-escapes, no
    braces), outside the reserved prefix: where ``api_routes`` registers the API catch-all
    again, and whose paths the front door (front_door.py) takes past the router."""
    return tuple(
        dict.fromkeys(
            prefix
            for api in settings.apis.values()
            for prefix in (api.mount, settings.mock_prefix + api.mount)
            if _PLAIN_PREFIX.fullmatch(prefix) and not lies_under(prefix, RESERVED_PREFIX)
        )
    )


def api_routes(mounts: tuple[str, ...]) -> list[web.RouteDef]:
    """The catch-all for API traffic (``dispatch``): at '/', and again below each of the
    ``mounts`` (``api_mounts``).

    aiohttp's router looks a path up by its prefixes, longest first, one dict lookup per
    segment, until some route is registered at that prefix: with the catch-all at '/' alone,
    ``/_mock/fax/fax4a-api/9991/fax/reports/ID`` took eight. Registered below the mounts as
    well, the search ends at ``/_mock/fax/fax4a-api``. (The front door takes most requests
    below these mounts past the router; these routes serve the rest, such as those with
    ``Expect``, and any server without the front door.)
    Every one of these routes leads to ``dispatch``, which routes by itself: after a reload
    that moves a mount, the old routes are merely unused and the new mount is found at '/'.
    Mounts aiohttp would read differently from the raw path (%-escapes, braces) are left to
    the '/' route, as is anything under the reserved prefix.
    """
    return [
        *(web.route("*", f"{mount}/{_ANY_TAIL}", dispatch) for mount in mounts),
        web.route("*", f"/{_ANY_TAIL}", dispatch),
    ]


def create_app(
    settings: Settings, catalog: Catalog, reloader: Reloader | None = None
) -> web.Application:
    """The mockproxy application for loaded settings and specs (hot reload with a reloader)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[RUNTIME] = Runtime(Snapshot(settings, catalog))
    app[METRICS] = Metrics()
    app[JOURNAL] = Journal(settings.journal_size, settings.journal_max_body_bytes)
    if reloader is not None:
        app[RELOADER] = reloader
    app.cleanup_ctx.append(upstream_pool_context)
    app.cleanup_ctx.append(reload_context)
    in_context = request_context(app)
    mounts = api_mounts(settings)
    reserved = [*admin_routes(), *setup_explorer(app)]
    routes = [*reserved, *reserved_routes(), *api_routes(mounts)]
    app.router.add_routes(_route_in_context(in_context, route) for route in routes)
    app[API_TRAFFIC] = ApiTraffic(in_context(dispatch), tuple(f"{m}/" for m in mounts))
    return app
