"""The app's courier: made and closed in a cleanup_ctx; every outcome is journaled and counted.

Each delivery becomes a journal entry with ``source: callback`` (the request sent, the
receiver's status, and a ``callback`` member with the URL, attempts and answer) and one count
in ``mockproxy_callbacks`` by outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Final

from aiohttp import web
from yarl import URL

from proxy.callbacks.delivery import Courier, Outcome
from proxy.keys import COURIER, JOURNAL, METRICS, RUNTIME
from proxy.redact import Redactor
from proxy.violations import Violation

__all__ = ["CallbackRecord", "callbacks_context"]

_ANSWER_TEXT: Final = 1024


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    """A delivery as the journal records it (what ``journal.Recorded`` asks for)."""

    request_id: str
    api: str | None
    operation: str | None
    body: bytes | None
    callback: dict[str, Any]
    source: str = "callback"
    fault: str | None = None
    delay_ms: float | None = None
    redactor: Redactor = field(default_factory=Redactor)
    violations: tuple[Violation, ...] = ()


def _outcome_name(outcome: Outcome) -> str:
    if outcome.refused:
        return "refused"
    return "delivered" if outcome.status is not None and outcome.status < 400 else "failed"


_WRITES: set[asyncio.Future[None]] = set()
"""Shared-journal writes in flight (a reference keeps each task alive)."""


def _recorder(app: web.Application) -> Any:
    journal, metrics, runtime = app[JOURNAL], app[METRICS], app[RUNTIME]

    def record(outcome: Outcome) -> None:
        delivery = outcome.delivery
        name = _outcome_name(outcome)
        metrics.callbacks.labels(delivery.api, delivery.operation, delivery.name, name).inc()
        url = URL(delivery.url)
        details = {
            "name": delivery.name,
            "url": delivery.url,
            "outcome": name,
            "attempts": outcome.attempts,
            "refused": outcome.refused,
            "error": outcome.error,
            "answer": outcome.answer[:_ANSWER_TEXT].decode("utf-8", errors="replace"),
        }
        redactor = runtime.current.catalog.redactor  # the spec's secret names, as for requests
        record = CallbackRecord(
            delivery.request_id,
            delivery.api,
            delivery.operation,
            delivery.body,
            details,
            redactor=redactor,
        )
        headers = tuple((k.encode(), v.encode()) for k, v in delivery.headers.items())
        stored = journal.record(record, delivery.method, url.raw_path_qs, headers, outcome.status)
        if stored is not None:  # a shared journal's write: finished in the background
            task = asyncio.ensure_future(stored)
            _WRITES.add(task)
            task.add_done_callback(_WRITES.discard)

    return record


async def callbacks_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the courier, its pending deliveries cancelled and awaited on the way out."""
    runtime = app[RUNTIME]
    app[COURIER] = Courier(lambda: runtime.current.settings.callback_delivery, _recorder(app))
    yield
    await app[COURIER].close()
