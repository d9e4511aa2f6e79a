"""Simulation settings per operation and the client's delay, fault and callbacks preferences."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from proxy.config import load_settings
from proxy.mock.faults import ErrorRate, FaultKind, Latency
from proxy.mock.simulate import Asked, asked_of, build_simulation
from proxy.openapi.loader import load_spec
from proxy.problems import ProblemError
from tests.test_config import config


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        (("delay=800",), "", Asked(delay=Latency(800, 800))),
        (("code=404, delay=200-800",), "", Asked(delay=Latency(200, 800))),
        ((), "a=1&__delay=50&__fault=slow", Asked(Latency(50, 50), FaultKind.SLOW)),
        (("fault=reset",), "__fault=empty", Asked(fault=FaultKind.RESET)),
        (("callbacks=false",), "", Asked(callbacks=False)),
        (("example=x",), "", Asked()),
    ],
    ids=["delay", "range-among-others", "query", "prefer-wins", "callbacks", "none"],
)
def test_preferences(headers: tuple[str, ...], query: str, expected: Asked) -> None:
    """Prefer tokens and their ``__`` twins are read; others are left to the mock."""
    assert asked_of(headers, query) == expected


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (("delay=soon",), "Prefer delay='soon': expected a duration such as 200ms or 1.5s"),
        (("delay=999999",), "Prefer delay='999999': expected a duration from 0 to 60s"),
        (
            ("fault=explode",),
            "Prefer fault='explode': expected one of reset, empty, timeout, malformed, slow",
        ),
        (("callbacks=maybe",), "Prefer callbacks='maybe': expected true or false"),
    ],
)
def test_bad_preferences_are_400_problems(headers: tuple[str, ...], detail: str) -> None:
    """A value mockproxy cannot read is a 400 problem saying what it expected."""
    with pytest.raises(ProblemError) as raised:
        asked_of(headers, "")
    assert raised.value.status == 400 and raised.value.detail.startswith(detail)


def _simulations(tmp_path: Path, text: str) -> tuple[dict[str, object], list[str]]:
    settings = load_settings(config(tmp_path, text), {})
    api = settings.apis["fax"]
    spec = load_spec(api.spec_path)
    found, problems = {}, []
    for operation in spec.operations:
        simulation, errors = build_simulation(settings, api, spec, operation, random.Random(1))
        found[operation.key] = simulation
        problems += errors
    return found, problems


def test_api_wide_errors_keep_only_documented_codes(tmp_path: Path) -> None:
    """An API-wide code an operation does not document is simply not injected there."""
    found, problems = _simulations(
        tmp_path,
        "apis:\n  fax:\n    spec: specs/fax.yaml\n    errors: {rate: 0.5, codes: [404, 500]}\n",
    )
    assert problems == []
    assert found["getFaxStatus"].disruptions.errors == ErrorRate(0.5, ("404", "500"))  # type: ignore[attr-defined]
    assert found["sendFaxJob"].disruptions.errors == ErrorRate(0.5, ("500",))  # type: ignore[attr-defined]


def test_an_operations_own_undocumented_code_is_a_config_error(tmp_path: Path) -> None:
    """Naming a code the operation does not document is reported with where and what."""
    _, problems = _simulations(
        tmp_path,
        "apis:\n  fax:\n    spec: specs/fax.yaml\n    operations:\n      sendFaxJob: {errors: {rate: 1, codes: [503]}}\n",
    )
    assert len(problems) == 1
    assert (
        "apis.fax.operations.sendFaxJob.errors.codes: sendFaxJob does not document 503 (documented: 201, 400, 401, 500)"
        in problems[0]
    )


def test_an_unknown_body_source_is_a_config_error(tmp_path: Path) -> None:
    """A callback body taken from an operation that does not exist is reported."""
    _, problems = _simulations(
        tmp_path,
        "apis:\n  fax:\n    spec: specs/fax.yaml\n    operations:\n      sendFaxJob:\n        callbacks: [{url: '{$request.body#/u}', body: {response_of: nope}}]\n",
    )
    assert (
        len(problems) == 1 and "callbacks[0].body.response_of: no operation 'nope'" in problems[0]
    )
