"""Every shared description loads, and every documented response the mock gives conforms."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec
from proxy.openapi.loader import load_spec
from proxy.yamlio import load_yaml
from tests.conformance.conftest import OUTCOMES
from tests.conformance.harness import (
    SHARED,
    Judge,
    Outcome,
    entry_files,
    is_documented_example,
    probes,
    request_line,
)

KNOWN_GAPS: dict[str, list[dict[str, str]]] = (
    load_yaml((Path(__file__).with_name("known_gaps.yaml")).read_text()) or {}
)

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="../shared/specs is not beside this clone (conformance corpus absent)",
)


def _relative(path: Path) -> str:
    return str(path.relative_to(SHARED))


@pytest.mark.parametrize("path", entry_files(), ids=_relative)
async def test_description_conforms(path: Path, aiohttp_client: Any) -> None:
    """Load the description, ask the mock for each documented response, judge each answer."""
    started = time.perf_counter()
    spec = load_spec(path)
    load_seconds = time.perf_counter() - started
    settings = settings_for_spec(path)
    catalog = build_catalog(settings, specs={next(iter(settings.apis)): spec})
    client = await aiohttp_client(create_app(settings, catalog))
    judge = Judge(path, spec)
    outcome = Outcome(
        _relative(path), spec.version.value, len(spec.operations), load_seconds, judge=judge.name
    )
    OUTCOMES.append(outcome)
    for probe in probes(spec):
        target, headers = request_line(probe)
        async with client.request(probe.operation.method, target, headers=headers) as response:
            body = await response.read()
            found = judge.problems(probe, response.status, dict(response.headers), body)
        outcome.checked += 1
        if found and is_documented_example(probe, body):
            outcome.publisher_examples.append((probe.label, "; ".join(found)))
        elif found:
            outcome.failures.append((probe.label, "; ".join(found)))
    known = {gap["probe"] for gap in KNOWN_GAPS.get(_relative(path), [])}
    unexplained = [f"{label}: {why}" for label, why in outcome.failures if label not in known]
    assert unexplained == [], "\n".join(unexplained[:40])
