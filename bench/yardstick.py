"""A bare aiohttp server answering a small fixed JSON body on every path: the yardstick.

    python bench/yardstick.py PORT [SPIN_MICROSECONDS]

With ``SPIN_MICROSECONDS`` each answer first burns that much CPU in a busy loop: a handler
with a known amount of work, to see how a ratio under wrk on this machine treats per-request
CPU (bench/README.md, "Server CPU in one process").
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from proxy.server import use_fast_event_loop

BODY = b'{"jobId":"FJKQQUVF1J0IADYARQEXKC","status":"OK"}'


async def answer(request: web.Request) -> web.Response:
    """The same few bytes, whatever was asked."""
    return web.Response(body=BODY, content_type="application/json")


def spinning_answer(seconds: float) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``answer`` after ``seconds`` of busy CPU."""

    async def answer_after_work(request: web.Request) -> web.Response:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            pass
        return await answer(request)

    return answer_after_work


def yardstick_app(spin_seconds: float = 0.0) -> web.Application:
    """One route, any method and path, no middleware."""
    app = web.Application()
    handler = spinning_answer(spin_seconds) if spin_seconds > 0 else answer
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def main() -> None:
    use_fast_event_loop()  # the same event loop mockproxy runs on, for a fair yardstick
    spin = float(sys.argv[2]) / 1e6 if len(sys.argv) > 2 else 0.0
    web.run_app(
        yardstick_app(spin), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None
    )


if __name__ == "__main__":
    main()
