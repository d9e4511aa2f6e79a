"""One journal for every worker and replica: a capped Redis stream (``journal.store``).

Each answered request's entry is built and redacted as it is recorded (the other processes
cannot see this one's memory) and appended to the stream before the answer leaves, so a test
that got its answer finds the entry whichever process it asks. Redis numbers the entries as
they arrive: reading the stream is the union of every process's requests in time order.

Redis going away never costs an answer: the write gives up after ``WRITE_SECONDS``, the entry
is dropped and counted, ready reports the journal degraded, and while it is, one request per
``RETRY_SECONDS`` tries Redis again and the others drop their entries without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any, Final

import orjson
import structlog
from aiohttp import web
from prometheus_client import Counter
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from proxy.journal import Journal, JournalEntry, JournalHealth, RawEntry, RecordedRequest, Wanted
from proxy.keys import JOURNAL
from proxy.problems import ProblemError
from proxy.settings import Settings

__all__ = ["STREAM", "RedisStore", "journal_context", "journal_for"]

log = structlog.get_logger(__name__)

STREAM: Final = "mockproxy:journal"
ENTRY_FIELD: Final = b"entry"
WRITE_SECONDS: Final = 0.5
"""How long an answer waits for its entry to be stored before it goes out without it."""
RETRY_SECONDS: Final = 1.0
CONNECTIONS: Final = 16
_FAILURES: Final = (RedisError, OSError, TimeoutError)


class RedisStore:
    """The journal's entries in one Redis stream, capped at the journal's size."""

    name: Final = "redis"

    def __init__(self, redis: Redis, size: int, dropped: Counter) -> None:
        self._redis = redis
        self._size = size
        self._dropped_metric = dropped
        self._dropped = 0
        self._degraded = False
        self._retry_at = 0.0

    @classmethod
    def from_url(cls, url: str, size: int, dropped: Counter) -> RedisStore:
        """A store for ``url``; no connection is made until the first request is recorded."""
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=CONNECTIONS,
            timeout=WRITE_SECONDS,
            socket_connect_timeout=WRITE_SECONDS,
            socket_timeout=WRITE_SECONDS,
            retry=Retry(NoBackoff(), 0),  # a failed write is dropped, not retried
        )
        return cls(Redis(connection_pool=pool), size, dropped)

    def append(self, recorded: RecordedRequest) -> Awaitable[None] | None:
        now = time.monotonic()
        if now < self._retry_at:  # degraded, and another request is trying Redis
            self._drop()
            return None
        if self._degraded:
            self._retry_at = now + RETRY_SECONDS
        entry = RawEntry(*recorded).entry()  # its body already cut to max_body_bytes
        return self._write(orjson.dumps(entry.as_json()))

    async def _write(self, payload: bytes) -> None:
        try:
            async with asyncio.timeout(WRITE_SECONDS):
                await self._redis.xadd(
                    STREAM, {ENTRY_FIELD: payload}, maxlen=self._size, approximate=False
                )
        except _FAILURES as error:
            self._failed(error)
            self._drop()
        else:
            self._answered()

    async def entries(self, wanted: Wanted) -> list[JournalEntry]:
        try:
            async with asyncio.timeout(WRITE_SECONDS):
                stream = await self._redis.xrange(STREAM, count=self._size)
        except _FAILURES as error:
            raise self._unavailable(error) from None
        self._answered()
        decoded = (_decoded(fields and fields.get(ENTRY_FIELD)) for _id, fields in stream or ())
        return [
            entry
            for entry in decoded
            if entry is not None
            and all(str(getattr(entry, name)) == value for name, value in wanted)
        ]

    async def clear(self) -> None:
        try:
            async with asyncio.timeout(WRITE_SECONDS):
                await self._redis.delete(STREAM)
        except _FAILURES as error:
            raise self._unavailable(error) from None
        self._answered()

    async def health(self) -> JournalHealth:
        """Asks Redis (a PING), so that ready tells the truth between requests too."""
        try:
            async with asyncio.timeout(WRITE_SECONDS):
                await self._redis.ping()
        except _FAILURES as error:
            self._failed(error)
        else:
            self._answered()
        return JournalHealth(self.name, self._degraded, self._dropped)

    async def close(self) -> None:
        await self._redis.aclose(close_connection_pool=True)

    def _drop(self) -> None:
        self._dropped += 1
        self._dropped_metric.inc()

    def _failed(self, error: BaseException) -> None:
        if not self._degraded:
            log.warning("journal.store_unreachable", store=self.name, error=_describe(error))
        self._degraded = True
        self._retry_at = time.monotonic() + RETRY_SECONDS

    def _answered(self) -> None:
        if self._degraded:
            log.info("journal.store_recovered", store=self.name, dropped=self._dropped)
        self._degraded = False
        self._retry_at = 0.0

    def _unavailable(self, error: BaseException) -> ProblemError:
        self._failed(error)
        return ProblemError(
            503,
            "journal-unavailable",
            f"the journal's Redis store did not answer ({_describe(error)}); requests are "
            "still answered, and their entries dropped until it does",
            store=self.name,
        )


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _decoded(payload: Any) -> JournalEntry | None:
    """An entry as another process stored it; anything else in the stream is skipped."""
    try:
        data = orjson.loads(payload)
        return JournalEntry(
            request_id=str(data["request_id"]),
            timestamp=float(data["timestamp"]),
            method=str(data["method"]),
            path=str(data["path"]),
            query=str(data["query"]),
            headers=[(str(name), str(value)) for name, value in data["headers"]],
            body=None if data["body"] is None else str(data["body"]),
            body_truncated=bool(data["body_truncated"]),
            body_size=None if data.get("body_size") is None else int(data["body_size"]),
            api=_optional_text(data["api"]),
            operation=_optional_text(data["operation"]),
            source=_optional_text(data["source"]),
            status=None if data["status"] is None else int(data["status"]),
            fault=_optional_text(data.get("fault")),
            delay_ms=None if data.get("delay_ms") is None else float(data["delay_ms"]),
            callback=data.get("callback") if isinstance(data.get("callback"), dict) else None,
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        log.warning("journal.entry_unreadable", error=_describe(error))
        return None


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def journal_for(settings: Settings, dropped: Counter) -> Journal:
    """The app's journal: in this process's memory, or in Redis when ``journal.store`` says."""
    size, max_body_bytes = settings.journal_size, settings.journal_max_body_bytes
    if settings.journal_store == "memory":
        return Journal(size, max_body_bytes)
    store = RedisStore.from_url(settings.journal_store, size, dropped)
    return Journal(size, max_body_bytes, store)


async def journal_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the journal's store is closed on the way out (its Redis connections)."""
    yield
    await app[JOURNAL].close()
