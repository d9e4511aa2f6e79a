"""create_app(settings, catalog): wiring only, no I/O.

Middleware: the request context (``context.py``). Routes: the reserved ``/_mockproxy/``
admin endpoints and explorer, the reserved prefix's catch-all, then the API catch-all
(``dispatch.py``), which routes each request to the mock or the live upstream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from proxy.admin import admin_routes, reserved_routes
from proxy.callbacks.context import callbacks_context
from proxy.catalog import Catalog
from proxy.connections import ConnectionGuard
from proxy.context import request_context
from proxy.dispatch import api_mounts, api_routes
from proxy.explorer.handlers import setup_explorer
from proxy.keys import CONNECTIONS, JOURNAL, LIVE, METRICS, RELOADER, RUNTIME
from proxy.live.forward import create_upstream_pool
from proxy.live.handler import Outside
from proxy.process_metrics import new_metrics
from proxy.recording.recorder import Recorder
from proxy.reload import reload_context
from proxy.settings import Settings
from proxy.shared_journal import journal_context, journal_for
from proxy.snapshot import Reloader, Runtime, Snapshot
from proxy.validation import offload

__all__ = ["create_app"]


async def live_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: what every forwarded request shares, made once: the one upstream
    connection pool, closed on the way out, and record mode's writer, whose last recordings
    reach the disk before that."""
    outside = app[LIVE] = Outside(create_upstream_pool(), app[METRICS], Recorder())
    yield
    try:
        await outside.recorder.drain()
    finally:
        await outside.pool.close()


async def validation_worker_context(_app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the validation worker process (started by the first big body) stopped."""
    yield
    offload.shutdown()


def create_app(
    settings: Settings, catalog: Catalog, reloader: Reloader | None = None
) -> web.Application:
    """The mockproxy application for loaded settings and specs (hot reload with a reloader)."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[request_context],
        # request bodies as sent: forwarded byte for byte, decoded only for the checks (body.py)
        handler_args={"auto_decompress": False},
    )
    app[RUNTIME] = Runtime(Snapshot(settings, catalog))
    app[METRICS] = new_metrics()
    app[JOURNAL] = journal_for(settings, app[METRICS].journal_dropped)
    limits = settings.server
    app[CONNECTIONS] = ConnectionGuard(limits.head_timeout, limits.max_connections)
    if reloader is not None:
        app[RELOADER] = reloader
    app.cleanup_ctx.append(live_context)
    app.cleanup_ctx.append(callbacks_context)
    app.cleanup_ctx.append(reload_context)
    app.cleanup_ctx.append(validation_worker_context)
    app.cleanup_ctx.append(journal_context)
    app.router.add_routes(
        [
            *admin_routes(),
            *setup_explorer(app),
            *reserved_routes(),
            *api_routes(api_mounts(settings)),
        ]
    )
    return app
