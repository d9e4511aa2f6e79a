"""A bare aiohttp server answering a small fixed JSON body on every path: the yardstick.

    python bench/yardstick.py PORT [SPIN_MICROSECONDS] [--request-line]

With ``SPIN_MICROSECONDS`` each answer first burns that much CPU in a busy loop: a handler
with a known amount of work, to see how a ratio under wrk on this machine treats per-request
CPU (bench/README.md, "Server CPU in one process"). With ``--request-line`` each answer also
writes mockproxy's ``request.completed`` line, set up as mockproxy sets it up, at the level
``MOCKPROXY_LOG_LEVEL`` names (``info``, the default, writes it): the least any handler that
logs every request can cost (the benchmarks' ``line-a``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from proxy.fields import REQUEST_ID_HEADER
from proxy.observability import configure_logging, new_request_id, request_log
from proxy.server import use_fast_event_loop

Handler = Callable[[web.Request], Awaitable[web.Response]]

BODY = b'{"jobId":"FJKQQUVF1J0IADYARQEXKC","status":"OK"}'


async def answer(request: web.Request) -> web.Response:
    """The same few bytes, whatever was asked."""
    return web.Response(body=BODY, content_type="application/json")


def spinning_answer(seconds: float) -> Handler:
    """``answer`` after ``seconds`` of busy CPU."""

    async def answer_after_work(request: web.Request) -> web.Response:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            pass
        return await answer(request)

    return answer_after_work


def logged_answer(handler: Handler) -> Handler:
    """``handler``, then the request line with the fields mockproxy's has (bound by the last
    ``configure_logging``)."""

    async def answer_and_log(request: web.Request) -> web.Response:
        started = time.perf_counter()
        request_id = request.headers.get(REQUEST_ID_HEADER) or new_request_id()
        response = await handler(request)
        request_log().info(
            "request.completed",
            request_id=request_id,
            method=request.method,
            path=request.path,
            api="fax",
            operation="getFaxStatus",
            source="mock",
            status=response.status,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            upstream_status=None,
        )
        return response

    return answer_and_log


def yardstick_app(spin_seconds: float = 0.0, request_line: bool = False) -> web.Application:
    """One route, any method and path, no middleware."""
    app = web.Application()
    handler = spinning_answer(spin_seconds) if spin_seconds > 0 else answer
    app.router.add_route("*", "/{tail:.*}", logged_answer(handler) if request_line else handler)
    return app


def main() -> None:
    use_fast_event_loop()  # the same event loop mockproxy runs on, for a fair yardstick
    arguments = [argument for argument in sys.argv[1:] if argument != "--request-line"]
    request_line = len(arguments) < len(sys.argv) - 1
    if request_line:
        configure_logging("json", os.environ.get("MOCKPROXY_LOG_LEVEL", "info"))
    spin = float(arguments[1]) / 1e6 if len(arguments) > 1 else 0.0
    web.run_app(
        yardstick_app(spin, request_line),
        host="127.0.0.1",
        port=int(arguments[0]),
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
