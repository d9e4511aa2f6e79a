"""Sending callbacks in the background: after a delay, to allowed hosts only, with retries.

One ``Courier`` per app, made and closed in a ``cleanup_ctx``: it owns the ClientSession
and every delivery task, and cancels and awaits them on exit. Each delivery ends in one
``callback.delivered``/``callback.failed``/``callback.refused`` log line and one journal
entry (``source: callback``). A host the config does not allow is never contacted: mockproxy
must not become a tool to reach other machines (SSRF).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import aiohttp
import structlog
from yarl import URL

__all__ = [
    "LOOPBACK_HOSTS",
    "Courier",
    "Delivery",
    "DeliverySettings",
    "Outcome",
    "host_allowed",
]

log = structlog.get_logger(__name__)

LOOPBACK_HOSTS: Final = ("127.0.0.1", "::1", "localhost")
_ANSWER_BYTES: Final = 4096  # of the receiver's answer, kept for the journal


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """``callbacks:`` in the config: where callbacks may go and how hard to try."""

    allow_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    delay_ms: float = 1000.0
    retries: int = 3
    backoff_ms: float = 500.0
    timeout_ms: float = 10_000.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One callback request, its URL and body already expanded from the answered request."""

    name: str
    api: str
    operation: str
    request_id: str
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_ms: float | None = None
    """None: the config's ``callbacks.delay``."""


@dataclass(slots=True)
class Outcome:
    """How a delivery ended: the receiver's status (None when none answered)."""

    delivery: Delivery
    status: int | None = None
    attempts: int = 0
    error: str | None = None
    answer: bytes = b""
    refused: bool = False


def host_allowed(url: str, allow_hosts: tuple[str, ...]) -> bool:
    """Whether ``url`` is http(s) to an allowed host: an exact name or address, or
    ``*.domain`` for names below a domain; addresses compare in canonical form."""
    try:
        parsed = URL(url)
    except ValueError:
        return False
    host = (parsed.host or "").lower().strip("[]")
    if parsed.scheme not in ("http", "https") or not host:
        return False
    canonical = _canonical(host)
    for allowed in allow_hosts:
        wanted = allowed.lower().strip("[]")
        if wanted.startswith("*.") and host.endswith(wanted[1:]):
            return True
        if canonical == _canonical(wanted):
            return True
    return False


def _canonical(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


Recorder = Callable[[Outcome], None]


class Courier:
    """Sends deliveries in background tasks it owns; ``close()`` cancels and awaits them."""

    def __init__(self, settings: Callable[[], DeliverySettings], record: Recorder) -> None:
        self._settings = settings  # read per delivery: a reload may change them
        self._record = record
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None

    def send(self, delivery: Delivery) -> None:
        """Schedule one delivery; returns at once."""
        task = asyncio.get_running_loop().create_task(self._deliver(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def close(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(),  # deliveries share no cookies
                auto_decompress=False,
            )
        return self._session

    async def _deliver(self, delivery: Delivery) -> None:
        settings = self._settings()
        delay = settings.delay_ms if delivery.delay_ms is None else delivery.delay_ms
        await asyncio.sleep(delay / 1000)
        outcome = Outcome(delivery)
        if not host_allowed(delivery.url, settings.allow_hosts):
            outcome.refused = True
            outcome.error = "host not allowed by callbacks.allow_hosts"
            log.warning(
                "callback.refused",
                request_id=delivery.request_id,
                callback=delivery.name,
                url=delivery.url,
                allow_hosts=list(settings.allow_hosts),
            )
            self._record(outcome)
            return
        for attempt in range(settings.retries + 1):
            if attempt:
                await asyncio.sleep(settings.backoff_ms * 2 ** (attempt - 1) / 1000)
            outcome.attempts = attempt + 1
            if await self._attempt(outcome, settings.timeout_ms):
                break
        self._log(outcome)
        self._record(outcome)

    async def _attempt(self, outcome: Outcome, timeout_ms: float) -> bool:
        """One try; True when the receiver took it (any answer but 429 or a 5xx)."""
        delivery = outcome.delivery
        try:
            async with self._client().request(
                delivery.method,
                delivery.url,
                data=delivery.body or None,
                headers=dict(delivery.headers),
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=timeout_ms / 1000),
            ) as response:
                outcome.answer = await response.content.read(_ANSWER_BYTES)
                outcome.status, outcome.error = response.status, None
        except (aiohttp.ClientError, TimeoutError) as error:
            outcome.status, outcome.error = None, str(error) or type(error).__name__
            return False
        return response.status < 500 and response.status != 429

    @staticmethod
    def _log(outcome: Outcome) -> None:
        delivery = outcome.delivery
        succeeded = outcome.status is not None and outcome.status < 400
        (log.info if succeeded else log.warning)(
            "callback.delivered" if succeeded else "callback.failed",
            request_id=delivery.request_id,
            api=delivery.api,
            operation=delivery.operation,
            callback=delivery.name,
            method=delivery.method,
            url=delivery.url,
            status=outcome.status,
            attempts=outcome.attempts,
            error=outcome.error,
        )
