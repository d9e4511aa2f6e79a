"""What the handlers learn about one request, for its log line, metrics and journal entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxy.catalog import Catalog
from proxy.redact import Redactor
from proxy.settings import Settings
from proxy.validation.bodies import NOT_READ
from proxy.violations import Violation

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
    client_gone: bool = False
    """The client went away before its answer was complete (logged and counted as 499)."""
    body: bytes | None = None
    """The request's content, its codings (gzip) undone: what the mock, checks and journal read."""
    sent_body: bytes | None = None
    """The request's body as the client sent it: what an upstream is sent."""
    body_json: Any = NOT_READ
    """The body as validation read it as JSON, if it did: callbacks read it, not parse it."""
    raw_query: str = ""
    """The query as sent (``dispatch`` splits the raw target once, without a fragment)."""
    fault: str | None = None
    """The fault injected into the mock's answer (``reset``..., ``error``), if any."""
    delay_ms: float | None = None
    """The delay put before the mock's answer, if any."""
    violations: tuple[Violation, ...] = ()
    """What the request, or verify mode's live answer, breaks in the description."""

    @property
    def callback(self) -> None:
        """A request has no callback details (the journal's callback entries do)."""
        return None

    @property
    def redactor(self) -> Redactor:
        """The secret names of this request's configuration (see ``redact.py``)."""
        return self.catalog.redactor
