"""The catch-all for API traffic: route the request, then answer by mock or upstream.

``api_routes`` registers it at '/' and again below each API mount; ``dispatch`` does the
routing that matters (``routing.route``, remembered per loaded configuration).
"""

from __future__ import annotations

import re
from typing import Final

from aiohttp import web

from proxy.keys import COURIER, EXCHANGE, LIVE, SNAPSHOT
from proxy.live.handler import live
from proxy.mock.simulated import answer_mock
from proxy.routing import RouteDecision, route
from proxy.settings import RESERVED_PREFIX, Mode, Settings, lies_under
from proxy.snapshot import Snapshot

__all__ = ["api_mounts", "api_routes", "dispatch"]


async def dispatch(request: web.Request) -> web.StreamResponse:
    """Route, then mock or forward (and mock when fallback mode gets no upstream answer)."""
    exchange = request[EXCHANGE]
    current = request[SNAPSHOT]
    raw_path = request.raw_path
    if "?" in raw_path or "#" in raw_path:
        # path and query, each as sent; a fragment (which a client should not send) goes no
        # further: it is neither routed nor forwarded
        raw_path, _, exchange.raw_query = raw_path.partition("#")[0].partition("?")
    decision = decide(current, request.method, raw_path)
    exchange.api, exchange.operation, exchange.source = decision.labels
    app = request.app
    if decision.mode is Mode.MOCK:
        return await answer_mock(request, decision, exchange, current.mock_answers, app[COURIER])
    response = await live(request, decision, exchange, current.live, app[LIVE])
    if response is not None:
        return response
    exchange.source = "fallback"  # the mock's answer says so too
    return await answer_mock(request, decision, exchange, current.mock_answers, app[COURIER])


def decide(current: Snapshot, method: str, raw_path: str) -> RouteDecision:
    """``routing.route``, remembered in the snapshot per (mock prefix, method, raw path)."""
    mock_prefix = current.settings.mock_prefix
    key = (mock_prefix, method, raw_path)
    decision = current.decisions.get(key)
    if decision is None:
        decision = current.decisions.remember(
            key, route(current.catalog, mock_prefix, method, raw_path)
        )
    return decision


_PLAIN_PREFIX: Final = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+")
"""A path prefix aiohttp's router reads as written: no %-escapes, no braces (route syntax)."""
_ANY_TAIL: Final = "{tail:[\\s\\S]*}"  # newlines too


def api_mounts(settings: Settings) -> tuple[str, ...]:
    """The API mounts and mock mounts that aiohttp's router reads as written (no %-escapes,
    no braces), outside the reserved prefix: where ``api_routes`` registers the catch-all."""
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
    well, the search ends at ``/_mock/fax/fax4a-api``. Every one of these routes leads to
    ``dispatch``, which routes by itself: after a reload that moves a mount, the old routes
    are merely unused and the new mount is found at '/'. Mounts aiohttp would read
    differently from the raw path (%-escapes, braces) are left to the '/' route, as is
    anything under the reserved prefix.
    """
    return [
        *(web.route("*", f"{mount}/{_ANY_TAIL}", dispatch) for mount in mounts),
        web.route("*", f"/{_ANY_TAIL}", dispatch),
    ]
