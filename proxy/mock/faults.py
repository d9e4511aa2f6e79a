"""Latency, faults and injected errors: their settings, parsing and the per-request draw.

Pure values and functions; ``mock/disrupt.py`` carries a decision out on the connection.
A client asks with ``Prefer: delay=800`` (ms), ``delay=200-800``, ``fault=reset`` (or
``__delay``/``__fault``); the config sets ``latency``, ``faults: {rate, kinds}`` and
``errors: {rate, codes}`` per API and per operation. Draws come from one seeded
``random.Random`` per loaded configuration, so a run with ``seed:`` repeats exactly.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from typing import Any, Final

from proxy.config_reader import DURATION

__all__ = [
    "MAX_DELAY_MS",
    "Disruption",
    "Disruptions",
    "ErrorRate",
    "FaultKind",
    "FaultRate",
    "Latency",
    "decide",
    "parse_delay",
    "parse_duration_ms",
]

MAX_DELAY_MS: Final = 60_000.0
"""The longest delay a request or the config may ask for: a mock must not hold a
connection forever."""


class FaultKind(enum.StrEnum):
    """What goes wrong instead of (or while) the answer is sent."""

    RESET = "reset"  # the connection is reset (TCP RST) before any answer
    EMPTY = "empty"  # the connection is closed without an answer
    TIMEOUT = "timeout"  # no answer until the client gives up (capped), then closed
    MALFORMED = "malformed"  # bytes that are not HTTP, then closed
    SLOW = "slow"  # the answer, its body trickled out


def parse_duration_ms(value: Any) -> float:
    """``200ms``, ``1.5s`` or a plain number of milliseconds -> milliseconds."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 200ms or 1.5s, got {value!r}")
    if isinstance(value, int | float):
        milliseconds = float(value)
    else:
        match = DURATION.match(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"expected a duration such as 200ms or 1.5s, got {value!r}")
        milliseconds = float(match.group(1)) * (1000 if match.group(2) == "s" else 1)
    if not 0 <= milliseconds <= MAX_DELAY_MS:
        raise ValueError(f"expected a duration from 0 to {MAX_DELAY_MS / 1000:g}s, got {value!r}")
    return milliseconds


@dataclass(frozen=True, slots=True)
class Latency:
    """A delay before the answer: fixed (``low == high``) or uniform between the two (ms)."""

    low_ms: float
    high_ms: float

    def draw(self, rng: random.Random) -> float:
        return (
            self.low_ms if self.low_ms == self.high_ms else rng.uniform(self.low_ms, self.high_ms)
        )

    def describe(self) -> str:
        if self.low_ms == self.high_ms:
            return f"{self.low_ms:g}ms"
        return f"{self.low_ms:g}-{self.high_ms:g}ms"


def parse_delay(text: str) -> Latency:
    """A ``delay`` preference: ``800`` or ``200-800`` (milliseconds)."""
    low_text, dash, high_text = text.partition("-")
    low = parse_duration_ms(low_text)
    high = parse_duration_ms(high_text) if dash else low
    if high < low:
        raise ValueError(f"expected the shorter delay first, got {text!r}")
    return Latency(low, high)


@dataclass(frozen=True, slots=True)
class FaultRate:
    """``faults: {rate, kinds}``: this share of answers fails, each in one of ``kinds``."""

    rate: float
    kinds: tuple[FaultKind, ...]


@dataclass(frozen=True, slots=True)
class ErrorRate:
    """``errors: {rate, codes}``: this share of answers is one of the documented ``codes``."""

    rate: float
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Disruptions:
    """What the config sets for one operation (its own settings, else its API's)."""

    latency: Latency | None = None
    faults: FaultRate | None = None
    errors: ErrorRate | None = None
    timeout_ms: float = 30_000.0
    """How long a ``timeout`` fault holds the connection before closing it."""
    slow_ms: float = 2_000.0
    """Over how long a ``slow`` fault trickles the body."""

    def describe(self) -> dict[str, Any]:
        """For ``mockproxy check`` and ``/_mockproxy/routes``: only what is set."""
        described: dict[str, Any] = {}
        if self.latency is not None:
            described["latency"] = self.latency.describe()
        if self.faults is not None:
            described["faults"] = {"rate": self.faults.rate, "kinds": list(self.faults.kinds)}
        if self.errors is not None:
            described["errors"] = {
                "rate": self.errors.rate,
                "codes": [int(code) for code in self.errors.codes],
            }
        return described


NO_DISRUPTIONS: Final = Disruptions()


@dataclass(frozen=True, slots=True)
class Disruption:
    """The draw for one request: a delay, a fault, a documented error code, or nothing."""

    delay_ms: float = 0.0
    fault: FaultKind | None = None
    error_code: str | None = None
    timeout_ms: float = 30_000.0
    slow_ms: float = 2_000.0

    def __bool__(self) -> bool:
        return bool(self.delay_ms) or self.fault is not None or self.error_code is not None


def decide(
    configured: Disruptions,
    asked_delay: Latency | None,
    asked_fault: FaultKind | None,
    rng: random.Random,
) -> Disruption:
    """This request's disruption: the client's ``Prefer`` wins over the config's draw.

    The configured draws are taken in a fixed order (latency, fault, error) whatever the
    client asks, so one seed gives the same sequence of decisions on every run.
    """
    delay = configured.latency.draw(rng) if configured.latency is not None else 0.0
    fault = None
    faults = configured.faults
    if faults is not None and faults.kinds:
        roll, kind = rng.random(), rng.choice(faults.kinds)
        fault = kind if roll < faults.rate else None
    code = None
    errors = configured.errors
    if errors is not None and errors.codes:
        roll, chosen = rng.random(), rng.choice(errors.codes)
        code = chosen if roll < errors.rate else None
    if asked_delay is not None:
        delay = asked_delay.draw(rng)
    return Disruption(delay, asked_fault or fault, code, configured.timeout_ms, configured.slow_ms)
