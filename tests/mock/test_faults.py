"""Latency and fault settings: parsing, and draws that repeat with a seed."""

from __future__ import annotations

import random

import pytest

from proxy.mock.faults import (
    Disruptions,
    ErrorRate,
    FaultKind,
    FaultRate,
    Latency,
    decide,
    parse_delay,
    parse_duration_ms,
)


@pytest.mark.parametrize(
    ("text", "expected"), [("200ms", 200.0), ("1.5s", 1500.0), (800, 800.0), ("0", 0.0)]
)
def test_durations(text: object, expected: float) -> None:
    """Milliseconds, seconds and plain numbers are read as milliseconds."""
    assert parse_duration_ms(text) == expected


@pytest.mark.parametrize("text", ["fast", "-5", "61s", True, "1m"])
def test_bad_durations_are_refused(text: object) -> None:
    """Anything else is a clear error."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration_ms(text)


def test_delay_forms() -> None:
    """``800`` is fixed, ``200-800`` a range, the shorter first."""
    assert parse_delay("800") == Latency(800, 800)
    assert parse_delay("200-800") == Latency(200, 800)
    with pytest.raises(ValueError, match="shorter"):
        parse_delay("800-200")


def test_a_range_draws_within_it() -> None:
    """Every draw of a range lies in it."""
    rng = random.Random(1)
    assert all(200 <= Latency(200, 800).draw(rng) <= 800 for _ in range(100))


CONFIGURED = Disruptions(
    latency=Latency(10, 90),
    faults=FaultRate(0.3, (FaultKind.RESET, FaultKind.SLOW)),
    errors=ErrorRate(0.2, ("429", "503")),
)


def test_one_seed_one_sequence() -> None:
    """The same seed gives the same decisions, request after request."""
    first = [decide(CONFIGURED, None, None, random.Random(9)) for _ in range(1)]
    rng_a, rng_b = random.Random(9), random.Random(9)
    run_a = [decide(CONFIGURED, None, None, rng_a) for _ in range(50)]
    run_b = [decide(CONFIGURED, None, None, rng_b) for _ in range(50)]
    assert run_a == run_b and run_a[0] == first[0]
    assert {d.fault for d in run_a} == {None, FaultKind.RESET, FaultKind.SLOW}
    assert {d.error_code for d in run_a} == {None, "429", "503"}


def test_rates_are_honoured() -> None:
    """About the configured share of answers gets a fault."""
    rng = random.Random(3)
    faults = sum(decide(CONFIGURED, None, None, rng).fault is not None for _ in range(2000))
    assert 500 < faults < 700


def test_the_client_wins() -> None:
    """A delay or fault the client asks for replaces the config's draw."""
    decision = decide(CONFIGURED, Latency(5, 5), FaultKind.EMPTY, random.Random(1))
    assert (decision.delay_ms, decision.fault) == (5, FaultKind.EMPTY)


def test_nothing_configured_nothing_drawn() -> None:
    """Without settings or preferences a request is not disrupted."""
    assert not decide(Disruptions(), None, None, random.Random(1))
