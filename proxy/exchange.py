"""What the handlers learn about one request, for its log line, metrics and journal entry."""

from __future__ import annotations

from dataclasses import dataclass

from proxy.catalog import Catalog
from proxy.config import Settings

__all__ = ["Exchange"]


@dataclass(slots=True)
class Exchange:
    """One request's facts, filled in as it goes (``context.request_context`` reads them)."""

    request_id: str
    settings: Settings
    catalog: Catalog
    """The loaded configuration the request started with (kept until it finishes)."""
    api: str | None = None
    operation: str | None = None
    source: str | None = None
    upstream_status: int | None = None
    body: bytes | None = None
    raw_query: str = ""
    """The query as sent (``dispatch`` splits the raw target once, without a fragment)."""

    @property
    def secret_headers(self) -> frozenset[str]:
        """Header names whose values the journal redacts, per this request's specs."""
        return self.catalog.secret_headers

    @property
    def secret_query(self) -> frozenset[str]:
        """Query parameter names whose values the journal redacts."""
        return self.catalog.secret_query
