"""A bare aiohttp server answering a small fixed JSON body on every path: the yardstick.

python bench/yardstick.py PORT
"""

from __future__ import annotations

import sys

from aiohttp import web

from proxy.cli import use_fast_event_loop

BODY = b'{"jobId":"FJKQQUVF1J0IADYARQEXKC","status":"OK"}'


async def answer(request: web.Request) -> web.Response:
    """The same few bytes, whatever was asked."""
    return web.Response(body=BODY, content_type="application/json")


def yardstick_app() -> web.Application:
    """One route, any method and path, no middleware."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


def main() -> None:
    use_fast_event_loop()  # the same event loop mockproxy runs on, for a fair yardstick
    web.run_app(
        yardstick_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None
    )


if __name__ == "__main__":
    main()
