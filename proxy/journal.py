"""The recent-requests journal: bounded, redacted, filterable; for test suites to check their app.

Nothing here is persisted: entries live in a ring buffer in memory and vanish on restart or on
``DELETE /_mockproxy/requests``. Credentials never enter it: Authorization, Proxy-Authorization,
Cookie, Set-Cookie and the API-key headers and query parameters the specs name are redacted.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final, NamedTuple, Protocol
from urllib.parse import parse_qsl, urlencode

from yarl import URL

from proxy.observability import REDACTED

__all__ = [
    "ALWAYS_SECRET_HEADERS",
    "Journal",
    "JournalEntry",
    "RawEntry",
    "redact_headers",
    "redact_query",
]

_FILTERS: Final = frozenset({"api", "operation", "source", "method"})
ALWAYS_SECRET_HEADERS: Final = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie"}
)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One request as the proxy saw it (already redacted)."""

    request_id: str
    timestamp: float
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: str | None
    body_truncated: bool
    api: str | None
    operation: str | None
    source: str | None
    status: int | None
    fault: str | None = None
    """A fault or error injected into the mock's answer."""
    delay_ms: float | None = None
    """A delay put before the mock's answer."""
    callback: dict[str, Any] | None = None
    """For ``source: callback``: url, name, attempts, refused, error and the receiver's answer."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def redact_headers(
    headers: Iterable[tuple[str, str]], secret_names: frozenset[str]
) -> list[tuple[str, str]]:
    """Headers with every credential value replaced; ``secret_names`` are lower-case."""
    return [
        (name, REDACTED if name.lower() in ALWAYS_SECRET_HEADERS | secret_names else value)
        for name, value in headers
    ]


def redact_query(query_string: str, secret_names: frozenset[str]) -> str:
    """The query string with API-key parameters' values replaced."""
    if not secret_names or not query_string:
        return query_string
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if not any(name in secret_names for name, _ in pairs):
        return query_string
    return urlencode([(n, REDACTED if n in secret_names else v) for n, v in pairs])


class Recorded(Protocol):
    """What the request handling learned about one request (the app's ``Exchange``)."""

    @property
    def request_id(self) -> str: ...
    @property
    def api(self) -> str | None: ...
    @property
    def operation(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def body(self) -> bytes | None: ...
    @property
    def secret_headers(self) -> frozenset[str]: ...
    @property
    def secret_query(self) -> frozenset[str]: ...
    @property
    def fault(self) -> str | None: ...
    @property
    def delay_ms(self) -> float | None: ...
    @property
    def callback(self) -> dict[str, Any] | None: ...


class RawEntry(NamedTuple):
    """A request as recorded: references only, no copying, decoding or redaction."""

    exchange: Recorded
    method: str
    raw_target: str
    raw_headers: tuple[tuple[bytes, bytes], ...]
    status: int | None
    timestamp: float

    def field(self, name: str) -> str | None:
        if name == "method":
            return self.method
        value: str | None = getattr(self.exchange, name)
        return value

    def entry(self, max_body_bytes: int) -> JournalEntry:
        """The redacted entry, built when the journal is read."""
        exchange = self.exchange
        body, truncated = Journal.body_text(exchange.body, max_body_bytes)
        target = URL(self.raw_target, encoded=True)
        return JournalEntry(
            request_id=exchange.request_id,
            timestamp=self.timestamp,
            method=self.method,
            path=target.path,
            query=redact_query(target.query_string, exchange.secret_query),
            headers=redact_headers(
                ((k.decode("latin-1"), v.decode("latin-1")) for k, v in self.raw_headers),
                exchange.secret_headers,
            ),
            body=body,
            body_truncated=truncated,
            api=exchange.api,
            operation=exchange.operation,
            source=exchange.source,
            status=self.status,
            fault=exchange.fault,
            delay_ms=exchange.delay_ms,
            callback=exchange.callback,
        )


_Recorded = tuple[Recorded, str, str, tuple[tuple[bytes, bytes], ...], int | None, float]
"""RawEntry's fields as a plain tuple: the cheapest thing to build per request."""


class Journal:
    """A ring buffer of the most recent requests.

    Recording appends one plain tuple of references to the request's parts (no copying, no
    redaction per request); reading builds the redacted entries. Bounded by ``size``.
    """

    def __init__(self, size: int, max_body_bytes: int) -> None:
        self._entries: deque[_Recorded] = deque(maxlen=max(size, 0) or None)
        self.enabled: Final = size > 0
        self.max_body_bytes = max_body_bytes

    def record(
        self,
        exchange: Recorded,
        method: str,
        raw_target: str,
        raw_headers: tuple[tuple[bytes, bytes], ...],
        status: int | None,
    ) -> None:
        if self.enabled:
            self._entries.append((exchange, method, raw_target, raw_headers, status, time.time()))

    def clear(self) -> None:
        self._entries.clear()

    def entries(self, filters: Mapping[str, str]) -> list[JournalEntry]:
        """Entries, oldest first, matching every given filter (api, operation, source, method)."""
        wanted = [(k, v) for k, v in filters.items() if k in _FILTERS]
        raws = (RawEntry(*recorded) for recorded in self._entries)
        return [
            raw.entry(self.max_body_bytes)
            for raw in raws
            if all(str(raw.field(name)) == value for name, value in wanted)
        ]

    @staticmethod
    def body_text(body: bytes | None, limit: int) -> tuple[str | None, bool]:
        if body is None:
            return None, False
        return body[:limit].decode("utf-8", errors="replace"), len(body) > limit
