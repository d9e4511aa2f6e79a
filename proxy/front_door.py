"""The front door: API traffic under a mount goes straight to its handler, past the router.

aiohttp's ``Application`` spends about 4 µs of CPU on each request before a handler runs:
the router's walk over the path's prefixes, a regex match, the match info and the app
signals (bench/inprocess.py: a static mock answer took 28 µs with it, 24 without). For a raw
path that starts with one of the plain API mounts (``app.api_mounts``: no %-escapes, no
braces, outside ``/_mockproxy``), the router's answer is known before the request arrives:
the API catch-all (``app.dispatch`` in its request context), since nothing else is registered
there. The front door hands those requests to that handler directly; every other request (the
admin endpoints and explorer, root mounts, escaped mounts, and any request with ``Expect``,
whose ``100-continue`` aiohttp's route handling answers) goes through the Application as
before.

It is installed on a set-up runner's ``web.Server`` (``install_front_door``), by the CLI and
by the test suite's clients alike. The Application keeps its whole life cycle (cleanup_ctx,
state, shutdown); a request that came through the front door has no match info, so API code
reaches the app through ``Exchange.app`` rather than ``request.app``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, cast

from aiohttp import hdrs, web

from proxy.keys import API_TRAFFIC, ApiTraffic

__all__ = ["FrontDoor", "install_front_door"]

_EXPECT: Final = hdrs.EXPECT


class FrontDoor:
    """A ``web.Server`` request handler: API paths to their handler, the rest to the app."""

    __slots__ = ("_api", "_application", "_prefixes")

    def __init__(self, traffic: ApiTraffic, application: web.Server) -> None:
        # every request the server makes comes from the Application's request factory, so it
        # is a web.Request: said once here rather than with a cast() call per request
        self._api = cast(
            Callable[[web.BaseRequest], Awaitable[web.StreamResponse]], traffic.handler
        )
        self._prefixes = traffic.prefixes
        self._application = application.request_handler

    def __call__(self, request: web.BaseRequest) -> Awaitable[web.StreamResponse]:
        # the handler's own coroutine, which the server awaits: no coroutine of the front
        # door's to pass the answer through
        if request.raw_path.startswith(self._prefixes) and _EXPECT not in request.headers:
            return self._api(request)
        return self._application(request)


def install_front_door(runner: web.BaseRunner) -> None:
    """Put the front door before a set-up runner's mockproxy app (call before serving).

    Each connection takes the server's handler when it opens, so every request after this
    call comes through the front door.
    """
    server = runner.server
    if not isinstance(runner, web.AppRunner) or server is None:
        raise RuntimeError("install_front_door needs an AppRunner after setup()")
    if isinstance(server.request_handler, FrontDoor):
        return
    app = runner.app
    if app.middlewares or app.on_response_prepare:
        # requests past the router would silently miss them
        raise RuntimeError(
            "the front door skips aiohttp middlewares and on_response_prepare handlers; "
            "wrap the API handler (app.request_context) instead"
        )
    server.request_handler = FrontDoor(app[API_TRAFFIC], server)
