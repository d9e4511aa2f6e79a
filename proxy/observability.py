"""Logging set-up (structlog, JSON or console) and the per-request log context."""

from __future__ import annotations

import itertools
import logging
import sys
import uuid
from typing import Any, Final

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

__all__ = ["REDACTED", "Metrics", "configure_logging", "new_request_id"]

REDACTED: Final = "[redacted]"


def configure_logging(log_format: str = "auto", level: str = "info") -> None:
    """Configure structlog once: JSON lines unless stderr is a terminal (or told otherwise).

    aiohttp's and asyncio's own records are rendered by the same processors.
    """
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # below the level: no rendering at all
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


_ID_PREFIX: Final = str(uuid.uuid4())[:24]  # random per process: 8-4-4-4 groups, v4 and variant
_ID_COUNTER = itertools.count(1)


def new_request_id() -> str:
    """A fresh request id: a UUID-shaped string, unique per process, cheap to make.

    Valid wherever an API documents X-Request-Id as a uuid; the random process prefix keeps
    replicas and workers apart, the counter keeps requests apart.
    """
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % (1 << 48):012x}"


class Metrics:
    """Prometheus metrics of one app, in their own registry (so apps and tests never share)."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, str, int], tuple[Any, Any]] = {}
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mockproxy_requests",
            "Requests answered, by API, operation, source and status.",
            ["api", "operation", "source", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mockproxy_request_duration_seconds",
            "Time from request to response headers, by API and source.",
            ["api", "source"],
            registry=self.registry,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
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

    def observe(self, api: str, operation: str, source: str, status: int, seconds: float) -> None:
        key = (api, operation, source, status)
        children = self._children.get(key)
        if children is None:  # label lookups once per label set, not per request
            children = (
                self.requests.labels(api, operation, source, str(status)),
                self.latency.labels(api, source),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
