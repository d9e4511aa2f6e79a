"""The recent-requests journal: bounded, redacted, filterable; for test suites to check their app.

By default entries live in a ring buffer in this process's memory (``MemoryStore``) and vanish
on restart or on ``DELETE /_mockproxy/requests``; with ``journal.store`` a Redis URL, every
worker and replica writes to one capped stream (``shared_journal.py``). Recording keeps at
most ``max_body_bytes`` of each body (and its size), so the journal's memory is bounded by its
settings; values of secret names are redacted (``redact.py``) when the journal is read (or,
for the shared store, when the entry is written).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final, NamedTuple, Protocol

from yarl import URL

from proxy.redact import Redactor
from proxy.violations import Violation, violations_json

__all__ = [
    "Journal",
    "JournalEntry",
    "JournalHealth",
    "JournalStore",
    "MemoryStore",
    "RawEntry",
    "Recorded",
    "RecordedRequest",
    "Wanted",
]

_FILTERS: Final = frozenset({"api", "operation", "source", "method"})


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
    body_size: int | None
    """The body's size as received, when ``body`` holds only its first bytes or all of it."""
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
    violations: list[dict[str, str]] = field(default_factory=list)
    """What the request, or verify mode's live answer, breaks in the description."""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


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
    def redactor(self) -> Redactor: ...
    @property
    def fault(self) -> str | None: ...
    @property
    def delay_ms(self) -> float | None: ...
    @property
    def callback(self) -> dict[str, Any] | None: ...
    @property
    def violations(self) -> tuple[Violation, ...]: ...


class RawEntry(NamedTuple):
    """A request as recorded: its body's first bytes and plain references, not yet decoded
    or redacted."""

    request_id: str
    api: str | None
    operation: str | None
    source: str | None
    body: bytes | None
    body_size: int | None
    redactor: Redactor
    method: str
    raw_target: str
    raw_headers: tuple[tuple[bytes, bytes], ...]
    status: int | None
    timestamp: float
    fault: str | None
    delay_ms: float | None
    callback: dict[str, Any] | None
    violations: tuple[Violation, ...]

    def field(self, name: str) -> str | None:
        value: str | None = getattr(self, name)
        return value

    def entry(self) -> JournalEntry:
        """The redacted entry, built when the journal is read."""
        redactor = self.redactor
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.raw_headers]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        body = None
        if self.body is not None:
            body = redactor.body(self.body.decode("utf-8", errors="replace"), content_type)
        target = URL(self.raw_target, encoded=True)
        return JournalEntry(
            request_id=self.request_id,
            timestamp=self.timestamp,
            method=self.method,
            path=target.path,
            query=redactor.query(target.query_string),
            headers=redactor.headers(headers),
            body=body,
            body_truncated=self.body is not None and len(self.body) != self.body_size,
            body_size=self.body_size,
            api=self.api,
            operation=self.operation,
            source=self.source,
            status=self.status,
            fault=self.fault,
            delay_ms=self.delay_ms,
            callback=self.callback,
            violations=redactor.findings(violations_json(self.violations)),
        )


RecordedRequest = tuple[
    str,
    str | None,
    str | None,
    str | None,
    bytes | None,
    int | None,
    Redactor,
    str,
    str,
    tuple[tuple[bytes, bytes], ...],
    int | None,
    float,
    str | None,
    float | None,
    dict[str, Any] | None,
    tuple[Violation, ...],
]
"""RawEntry's fields as a plain tuple: the cheapest thing to build per request."""


Wanted = Sequence[tuple[str, str]]
"""Filters as (field, value) pairs; an entry matches when each field's text equals its value."""


@dataclass(frozen=True, slots=True)
class JournalHealth:
    """What ready says about the journal: its store, whether it answers, entries it dropped."""

    store: str
    degraded: bool = False
    dropped: int = 0

    def as_json(self) -> dict[str, Any]:
        state = "degraded" if self.degraded else "ok"
        return {"store": self.store, "state": state, "dropped": self.dropped}


class JournalStore(Protocol):
    """Where the journal keeps its entries: this process's memory, or a store every worker and
    replica shares. ``append`` returns what the request must await before it is answered, if
    anything, so that an answered request is in the journal whichever process is asked."""

    def append(self, recorded: RecordedRequest) -> Awaitable[None] | None: ...
    async def entries(self, wanted: Wanted) -> list[JournalEntry]: ...
    async def clear(self) -> None: ...
    async def health(self) -> JournalHealth: ...
    async def close(self) -> None: ...


class MemoryStore:
    """A ring buffer of the most recent requests in this process: one tuple per request (the
    body cut to its first bytes, references to the rest); reading builds the redacted
    entries. Bounded by ``size``."""

    def __init__(self, size: int) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=max(size, 0) or None)

    def append(self, recorded: RecordedRequest) -> None:
        self._entries.append(recorded)

    async def entries(self, wanted: Wanted) -> list[JournalEntry]:
        raws = (RawEntry(*recorded) for recorded in self._entries)
        return [
            raw.entry()
            for raw in raws
            if all(str(raw.field(name)) == value for name, value in wanted)
        ]

    async def clear(self) -> None:
        self._entries.clear()

    async def health(self) -> JournalHealth:
        return JournalHealth("memory")

    async def close(self) -> None:
        self._entries.clear()


class Journal:
    """The recent-requests journal of one app, bounded by ``size`` entries of at most
    ``max_body_bytes`` of body each, kept by its store (in memory by default)."""

    def __init__(self, size: int, max_body_bytes: int, store: JournalStore | None = None) -> None:
        self.enabled: Final = size > 0
        self.max_body_bytes = max_body_bytes
        self.store: Final = store or MemoryStore(size)

    def record(
        self,
        exchange: Recorded,
        method: str,
        raw_target: str,
        raw_headers: tuple[tuple[bytes, bytes], ...],
        status: int | None,
    ) -> Awaitable[None] | None:
        """Record a request; the caller awaits what this returns (a shared store's write)."""
        if not self.enabled:
            return None
        body = exchange.body
        size = None if body is None else len(body)
        if body is not None and len(body) > self.max_body_bytes:
            body = body[: self.max_body_bytes]  # a copy: the whole body is not kept alive
        return self.store.append(
            (
                exchange.request_id,
                exchange.api,
                exchange.operation,
                exchange.source,
                body,
                size,
                exchange.redactor,
                method,
                raw_target,
                raw_headers,
                status,
                time.time(),
                exchange.fault,
                exchange.delay_ms,
                exchange.callback,
                exchange.violations,
            )
        )

    async def clear(self) -> None:
        await self.store.clear()

    async def entries(self, filters: Mapping[str, str]) -> list[JournalEntry]:
        """Entries, oldest first, matching every given filter (api, operation, source, method)."""
        return await self.store.entries([(k, v) for k, v in filters.items() if k in _FILTERS])

    async def health(self) -> JournalHealth:
        return await self.store.health()

    async def close(self) -> None:
        await self.store.close()
