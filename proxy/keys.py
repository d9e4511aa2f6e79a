"""Every piece of application and request state, as a typed ``web.AppKey``/``web.RequestKey``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web

from proxy.catalog import Catalog
from proxy.config import Settings
from proxy.journal import Journal
from proxy.mock.responder import BodyCache
from proxy.observability import Metrics

__all__ = ["BODY_CACHE", "CATALOG", "EXCHANGE", "JOURNAL", "METRICS", "SETTINGS", "Exchange"]


@dataclass(slots=True)
class Exchange:
    """What the handlers learned about one request, for the log line, metrics and journal."""

    request_id: str
    api: str | None = None
    operation: str | None = None
    source: str | None = None
    upstream_status: int | None = None
    body: bytes | None = None


SETTINGS: Final = web.AppKey("settings", Settings)
CATALOG: Final = web.AppKey("catalog", Catalog)
BODY_CACHE: Final = web.AppKey("body_cache", BodyCache)
JOURNAL: Final = web.AppKey("journal", Journal)
METRICS: Final = web.AppKey("metrics", Metrics)
EXCHANGE: Final = web.RequestKey("exchange", Exchange)
