"""The reserved ``/_mockproxy/`` endpoints: health, ready, metrics, routes and the request journal.

Never forwarded. With ``admin.token`` set, everything under ``/_mockproxy/`` but ``health``,
``ready`` and the explorer's page itself (package files that hold no data, and must load to
ask for the token) needs ``Authorization: Bearer <token>``: each route is wrapped by
``guarded`` unless it is one of those.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Final

from aiohttp import hdrs, web

from proxy.fields import WORKER_HEADER
from proxy.keys import JOURNAL, METRICS, snapshot
from proxy.problems import ProblemError, method_not_allowed
from proxy.settings import RESERVED_PREFIX

__all__ = ["ADMIN_PREFIX", "admin_routes", "guarded", "reserved_routes"]

ADMIN_PREFIX: Final = RESERVED_PREFIX

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def guarded(routes: Iterable[web.RouteDef]) -> list[web.RouteDef]:
    """The routes, each answering 401 unless the request carries the admin token (when one
    is configured)."""
    return [
        web.RouteDef(route.method, route.path, _with_token(route.handler), route.kwargs)
        for route in routes
    ]


def _with_token(handler: Handler | type[web.View]) -> Handler:
    assert not isinstance(handler, type), "class-based views are not used"

    async def with_token(request: web.Request) -> web.StreamResponse:
        _authorize(request)
        return await handler(request)

    return with_token


def _authorize(request: web.Request) -> None:
    token = snapshot(request).settings.admin_token
    if not token:
        return
    given = request.headers.get(hdrs.AUTHORIZATION, "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise ProblemError(
            401,
            "admin-token-required",
            "the admin endpoints need Authorization: Bearer <admin token>",
            headers={hdrs.WWW_AUTHENTICATE: 'Bearer realm="mockproxy-admin"'},
        )


async def health_view(request: web.Request) -> web.Response:
    """Liveness: the process answers (``X-Mockproxy-Worker`` names the worker process)."""
    return web.json_response({"status": "ok"}, headers={WORKER_HEADER: str(os.getpid())})


async def ready_view(request: web.Request) -> web.Response:
    """Readiness: every spec is loaded (the app only exists once they are). A journal whose
    shared store does not answer is reported degraded, but the process stays ready: it still
    answers every request."""
    catalog = snapshot(request).catalog
    journal = await request.app[JOURNAL].health()
    return web.json_response(
        {
            "status": "ready",
            "apis": {api.name: len(api.operations) for api in catalog.apis},
            "journal": journal.as_json(),
        }
    )


async def metrics_view(request: web.Request) -> web.Response:
    """Prometheus text exposition."""
    response = web.Response(
        body=request.app[METRICS].render(),
        headers={hdrs.CONTENT_TYPE: "text/plain; version=0.0.4; charset=utf-8"},
    )
    return response


async def routes_view(request: web.Request) -> web.Response:
    """Each operation's effective mode and the setting that decided it."""
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
                    "simulation": p.simulation.describe() if p.simulation else {},
                }
                for p in api.operations.values()
            ],
        }
        for api in snapshot(request).catalog.apis
    ]
    return web.json_response({"mock_prefix": snapshot(request).settings.mock_prefix, "apis": apis})


async def requests_view(request: web.Request) -> web.Response:
    """The journal, oldest first, filtered by ``?api=&operation=&source=&method=``."""
    entries = await request.app[JOURNAL].entries(request.query)
    return web.json_response({"requests": [entry.as_json() for entry in entries]})


async def clear_requests_view(request: web.Request) -> web.Response:
    """Empty the journal."""
    await request.app[JOURNAL].clear()
    return web.Response(status=204)


_METHOD_ORDER: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


async def reserved_view(request: web.Request) -> web.Response:
    """Anything else under /_mockproxy/ is ours and never forwarded: a 405 for a served path
    asked with another method, a 404 otherwise."""
    methods = await _methods_served_at(request)
    if methods:
        listed = ", ".join(methods)
        detail = f"{request.method} is not allowed on {request.path}; allowed: {listed}"
        raise method_not_allowed(detail, methods)
    raise ProblemError(404, "no-such-admin-endpoint", f"{request.path} is not an admin endpoint")


async def _methods_served_at(request: web.Request) -> tuple[str, ...]:
    """The methods the app's routes take at the request's path, asked of each resource as
    aiohttp's router would; resources that match whatever the method (the catch-alls) do not
    count."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        match, methods = await resource.resolve(request)
        if match is None:
            allowed |= methods
    known = [method for method in _METHOD_ORDER if method in allowed]
    return (*known, *sorted(allowed.difference(_METHOD_ORDER)))


def admin_routes() -> list[web.RouteDef]:
    """The admin endpoints (register before the catch-all)."""
    return [
        web.get(f"{ADMIN_PREFIX}/health", health_view),
        web.get(f"{ADMIN_PREFIX}/ready", ready_view),
        *guarded(
            [
                web.get(f"{ADMIN_PREFIX}/metrics", metrics_view),
                web.get(f"{ADMIN_PREFIX}/routes", routes_view),
                web.get(f"{ADMIN_PREFIX}/requests", requests_view),
                web.delete(f"{ADMIN_PREFIX}/requests", clear_requests_view),
            ]
        ),
    ]


def reserved_routes() -> list[web.RouteDef]:
    """The reserved prefix's catch-all; register after the routes under it.

    A request for a served path with a method it does not take is a 405 naming the methods it
    does (aiohttp would say so itself, but this catch-all matches before it can).

    Two routes rather than one ``/_mockproxy{tail:(/.*)?}``: aiohttp's router indexes a route
    by its path up to the first variable's segment, and that pattern's index is '/', where
    every request that reaches '/' (any API path not below a mount route) tried it first.
    """
    return guarded(
        [
            web.route("*", ADMIN_PREFIX, reserved_view),
            web.route("*", ADMIN_PREFIX + "/{tail:[\\s\\S]*}", reserved_view),
        ]
    )
