"""Logging set-up (structlog, JSON or console), the per-request log context, and metrics."""

from __future__ import annotations

import bisect
import itertools
import logging
import sys
import uuid
from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final

import orjson
import structlog
from aiohttp.http_exceptions import BadHttpMessage
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from structlog.typing import FilteringBoundLogger

__all__ = [
    "REQUEST_ID",
    "Metrics",
    "add_request_id",
    "configure_logging",
    "new_request_id",
    "request_log",
]

REQUEST_ID: Final[ContextVar[str | None]] = ContextVar("mockproxy_request_id", default=None)
"""The id of the request being handled: one ``ContextVar.set`` per request, no dict copies."""


def add_request_id(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    """structlog processor: every line logged while a request is handled names its id."""
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def add_timestamp(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> Any:
    """structlog processor: the time as a UTC datetime, which orjson writes (in C) as
    RFC 3339 with microseconds and a ``Z``; structlog's ISO stamper formats it in Python."""
    event["timestamp"] = datetime.now(UTC)
    return event


_request_log: FilteringBoundLogger = structlog.get_logger("proxy.context")


def request_log() -> FilteringBoundLogger:
    """The logger of lines that may be written for every request (the request line, a
    skipped callback), bound once by each ``configure_logging``: structlog's performance
    guide advises a local bound logger for frequent lines, since a module-level proxy
    assembles one on every call, even for a line below the level."""
    return _request_log


def _json_text(event: Any, **options: Any) -> str:
    """orjson's bytes as text, for the standard library's formatter."""
    return orjson.dumps(event, **options).decode("utf-8")


# keys that are not strings (a status code) are written as text, not refused
_JSON_OPTIONS: Final = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
_JSON_BYTES: Final = structlog.processors.JSONRenderer(
    serializer=orjson.dumps, option=_JSON_OPTIONS
)
_JSON_TEXT: Final = structlog.processors.JSONRenderer(serializer=_json_text, option=_JSON_OPTIONS)


def configure_logging(
    log_format: str = "auto", level: str = "info", *, cache_loggers: bool = True
) -> None:
    """Configure structlog once: JSON lines unless stderr is a terminal (or told otherwise).

    The way structlog's performance guide describes: a bound logger whose calls below the level
    do nothing, cached on first use, rendering with orjson straight to bytes. aiohttp's and
    asyncio's own records pass through the standard library to the same renderer. Tests pass
    ``cache_loggers=False``: a cached logger keeps the level and stream it was made with.
    """
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    shared: list[structlog.types.Processor] = [
        add_request_id,  # the one context a line needs; nothing binds structlog's contextvars
        structlog.processors.add_log_level,
    ]
    if use_console:
        shared.append(structlog.processors.TimeStamper(fmt="iso", utc=True))
        own: list[structlog.types.Processor] = [structlog.dev.ConsoleRenderer()]  # + traceback
        foreign = own
        factory: Any = structlog.WriteLoggerFactory(sys.stderr)
    else:  # a traceback as a string: JSON has no other way to hold it
        shared.append(add_timestamp)
        own = [structlog.processors.format_exc_info, _JSON_BYTES]
        foreign = [structlog.processors.format_exc_info, _JSON_TEXT]
        factory = structlog.BytesLoggerFactory(sys.stderr.buffer)
    structlog.configure(
        processors=[*shared, *own],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=factory,
        cache_logger_on_first_use=cache_loggers,
    )
    global _request_log
    _request_log = structlog.get_logger("proxy.context").bind()
    _route_library_records(level, shared, foreign)


def _route_library_records(
    level: str,
    shared: list[structlog.types.Processor],
    renderer: list[structlog.types.Processor],
) -> None:
    """Records of the standard library's loggers (aiohttp's, asyncio's) rendered as ours."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(allow=["detail", "client"])],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _UnreadableRequests) for f in server_log.filters):
        server_log.addFilter(_UnreadableRequests())


class _UnreadableRequests(logging.Filter):
    """aiohttp logs a request it cannot parse (a bad request line, header or length: the
    client's mistake, which aiohttp answers with a 400 naming it) as an error with a
    traceback. Such a record becomes a ``request.unreadable`` warning carrying the parser's
    message (``detail``) and the client's address; records below warning keep their level."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, BadHttpMessage) or record.levelno <= logging.WARNING:
            return True
        record.client = record.args[0] if isinstance(record.args, tuple) and record.args else None
        record.detail = error.message
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = "request.unreadable", ()
        record.exc_info, record.exc_text = None, None
        return logging.getLogger(record.name).isEnabledFor(logging.WARNING)


_ID_PREFIX: Final = str(uuid.uuid4())[:24]  # random per process: 8-4-4-4 groups, v4 and variant
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    """A fresh request id: a UUID-shaped string, unique per process, cheap to make.

    Valid wherever an API documents X-Request-Id as a uuid; the random process prefix keeps
    replicas and workers apart, the counter keeps requests apart.
    """
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % (1 << 48):012x}"


LATENCY_BUCKETS: Final = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0
)  # fmt: skip


class _RequestStats:
    """Counts and latency buckets of one (api, operation, source, status): plain numbers."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf


class _RequestCollector(Collector):
    """Renders the per-request counters in Prometheus' model when scraped.

    Recording a request is a dict lookup and three additions (the event loop is one thread,
    so no locks); the metric families are built only at scrape time.
    """

    def __init__(self, stats: dict[tuple[str, str, str, int], _RequestStats]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "mockproxy_requests",
            "Requests answered, by API, operation, source and status.",
            labels=["api", "operation", "source", "status"],
        )
        by_api_source: dict[tuple[str, str], list[float]] = {}
        for (api, operation, source, status), stats in self._stats.items():
            requests.add_metric([api, operation, source, str(status)], stats.count)
            totals = by_api_source.setdefault((api, source), [0.0] * (len(LATENCY_BUCKETS) + 2))
            for index, count in enumerate(stats.buckets):
                totals[index] += count
            totals[-1] += stats.seconds
        latency = HistogramMetricFamily(
            "mockproxy_request_duration_seconds",
            "Time from request to response headers, by API and source.",
            labels=["api", "source"],
        )
        for (api, source), totals in by_api_source.items():
            cumulative: list[tuple[str, float]] = []
            running = 0.0
            for bound, in_bucket in zip((*LATENCY_BUCKETS, float("inf")), totals, strict=False):
                running += in_bucket
                cumulative.append((_bound_text(bound), running))
            latency.add_metric([api, source], cumulative, sum_value=totals[-1])
        yield requests
        yield latency


def _bound_text(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


class Metrics:
    """Prometheus metrics of one app, in their own registry (so apps and tests never share)."""

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str, str, int], _RequestStats] = {}
        self.registry = CollectorRegistry()
        self.registry.register(_RequestCollector(self._stats))
        self.upstream_errors = Counter(
            "mockproxy_upstream_errors",
            "Upstream failures, by API and kind (unreachable, timeout, reset).",
            ["api", "kind"],
            registry=self.registry,
        )
        self.violations = Counter(
            "mockproxy_verify_violations",
            "Contract violations found in live responses (verify mode), by API and operation.",
            ["api", "operation"],
            registry=self.registry,
        )
        self.injected_faults = Counter(
            "mockproxy_injected_faults",
            "Mock answers broken on purpose, by API, operation and kind (error: a documented "
            "error instead of the answer).",
            ["api", "operation", "kind"],
            registry=self.registry,
        )
        self.injected_delay = Counter(
            "mockproxy_injected_delay_seconds",
            "Delay put before mock answers on purpose, by API and operation.",
            ["api", "operation"],
            registry=self.registry,
        )
        self.callbacks = Counter(
            "mockproxy_callbacks",
            "Callbacks sent, by API, operation, callback and outcome (delivered, failed, refused).",
            ["api", "operation", "callback", "outcome"],
            registry=self.registry,
        )
        self.journal_dropped = Counter(
            "mockproxy_journal_dropped",
            "Journal entries dropped because the journal's store did not answer.",
            registry=self.registry,
        )

    def observe(self, api: str, operation: str, source: str, status: int, seconds: float) -> None:
        key = (api, operation, source, status)
        stats = self._stats.get(key)
        if stats is None:
            stats = self._stats[key] = _RequestStats()
        stats.count += 1
        stats.seconds += seconds
        stats.buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1

    def render(self) -> bytes:
        return generate_latest(self.registry)
