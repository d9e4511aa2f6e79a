"""Every piece of application and request state, as a typed ``web.AppKey``/``web.RequestKey``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

from aiohttp import web

from proxy.catalog import Catalog
from proxy.config import Settings
from proxy.journal import Journal
from proxy.live.contract import ContractChecker
from proxy.live.forward import Upstream
from proxy.live.upstream_pool import UpstreamPool
from proxy.mock.responder import BodyCache
from proxy.observability import Metrics

__all__ = [
    "API_TRAFFIC",
    "EXCHANGE",
    "JOURNAL",
    "METRICS",
    "RUNTIME",
    "UPSTREAM_POOL",
    "ApiTraffic",
    "Exchange",
    "Runtime",
    "Snapshot",
    "snapshot",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One loaded configuration: settings, specs and their cached bodies.

    A reload builds a new snapshot and swaps it in; a request keeps the snapshot it started
    with until it finishes.
    """

    settings: Settings
    catalog: Catalog
    body_cache: BodyCache = field(default_factory=BodyCache)
    contracts: dict[str, ContractChecker] = field(default_factory=dict)
    upstreams: dict[str, Upstream] = field(default_factory=dict)
    """Each API's upstream (base, timeouts, TLS context), made on its first forwarded request."""


@dataclass(slots=True)
class Runtime:
    """The app's current snapshot (swapped by hot reload)."""

    current: Snapshot
    generation: int = 1

    def swap(self, snapshot: Snapshot) -> None:
        self.current = snapshot
        self.generation += 1


@dataclass(slots=True)
class Exchange:
    """What the handlers learned about one request, for the log line, metrics and journal."""

    request_id: str
    snapshot: Snapshot
    app: web.Application
    """The app serving the request: the front door's requests carry no ``request.app``."""
    api: str | None = None
    operation: str | None = None
    source: str | None = None
    upstream_status: int | None = None
    body: bytes | None = None
    raw_query: str = ""
    """The query as sent (``app.dispatch`` splits the raw target once, without a fragment)."""

    @property
    def secret_headers(self) -> frozenset[str]:
        """Header names whose values the journal redacts, per this request's specs."""
        return self.snapshot.catalog.secret_headers

    @property
    def secret_query(self) -> frozenset[str]:
        """Query parameter names whose values the journal redacts."""
        return self.snapshot.catalog.secret_query


@dataclass(frozen=True, slots=True)
class ApiTraffic:
    """What the front door (front_door.py) needs to serve API traffic without the router."""

    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    """``app.dispatch`` in its request context: what the router gives every API path."""
    prefixes: tuple[str, ...]
    """Raw path prefixes ('/fax/', '/_mock/fax/') whose paths the router gives to ``handler``."""


RUNTIME: Final = web.AppKey("runtime", Runtime)
UPSTREAM_POOL: Final = web.AppKey("upstream_pool", UpstreamPool)
JOURNAL: Final = web.AppKey("journal", Journal)
METRICS: Final = web.AppKey("metrics", Metrics)
API_TRAFFIC: Final = web.AppKey("api_traffic", ApiTraffic)
EXCHANGE: Final = web.RequestKey("exchange", Exchange)


def snapshot(request: web.Request) -> Snapshot:
    """The snapshot this request runs on."""
    return request[EXCHANGE].snapshot
