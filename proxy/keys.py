"""Every piece of application and request state, as a typed ``web.AppKey``/``web.RequestKey``."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from proxy.callbacks.delivery import Courier
from proxy.connections import ConnectionGuard
from proxy.exchange import Exchange
from proxy.journal import Journal
from proxy.live.handler import Outside
from proxy.observability import Metrics
from proxy.snapshot import Reloader, Runtime, Snapshot

__all__ = [
    "CONNECTIONS",
    "COURIER",
    "EXCHANGE",
    "EXPLORER_CATALOG",
    "JOURNAL",
    "LIVE",
    "METRICS",
    "RELOADER",
    "RUNTIME",
    "SNAPSHOT",
    "snapshot",
]

RUNTIME: Final = web.AppKey("runtime", Runtime)
RELOADER: Final = web.AppKey("reloader", Reloader)
JOURNAL: Final = web.AppKey("journal", Journal)
METRICS: Final = web.AppKey("metrics", Metrics)
CONNECTIONS: Final = web.AppKey("connections", ConnectionGuard)
"""The client connections' head deadlines and limit (``server:``, read at start)."""
LIVE: Final = web.AppKey("live", Outside)
"""What forwarded requests share: the upstream pool, the metrics, the recorder."""
COURIER: Final = web.AppKey("courier", Courier)
"""Sends the mock's callbacks in background tasks (``callbacks/context.py``)."""
EXPLORER_CATALOG: Final = web.AppKey("explorer_catalog", dict[int, bytes])
"""The explorer's catalog JSON, by the runtime's generation (the current one only)."""
EXCHANGE: Final = web.RequestKey("exchange", Exchange)
SNAPSHOT: Final = web.RequestKey("snapshot", Snapshot)
"""The loaded configuration a request started with."""


def snapshot(request: web.Request) -> Snapshot:
    """The snapshot this request runs on."""
    return request[SNAPSHOT]
