"""Every shared description loads, and every documented response the mock gives conforms."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec
from proxy.mock.generate import Direction, generate
from proxy.openapi.loader import load_spec
from proxy.openapi.model import Operation
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


def _request_body(operation: Operation) -> tuple[bytes | None, dict[str, str]]:
    """A body made from the operation's first documented media type, as the explorer starts
    with it (JSON, a urlencoded form with an array's items as repeated fields, or text);
    None for other media types."""
    body = operation.request_body
    if body is None or not body.content:
        return None, {}
    media = body.content[0]
    value = generate(media.schema, direction=Direction.REQUEST) if media.schema else {}
    base = media.media_type.split(";", 1)[0].strip().lower()
    if base == "*/*" or base.endswith(("/json", "+json")):
        kind = "application/json" if base == "*/*" else media.media_type
        return json.dumps(value).encode(), {"Content-Type": kind}
    if base == "application/x-www-form-urlencoded" and isinstance(value, dict):
        pairs = [
            (name, _form_text(one))
            for name, item in value.items()
            for one in (item if isinstance(item, list) else [item])
        ]
        return urlencode(pairs).encode(), {"Content-Type": media.media_type}
    if base.startswith("text/") and not isinstance(value, dict | list):
        return str(value).encode(), {"Content-Type": media.media_type}
    return None, {}


def _form_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


@pytest.mark.parametrize("path", entry_files(), ids=_relative)
async def test_operations_accept_requests_made_from_their_description(
    path: Path, aiohttp_client: Any
) -> None:
    """Each operation's own parameters, credentials and a body generated from its schema make
    a request the mock finds valid."""
    spec = load_spec(path)
    settings = settings_for_spec(path)
    catalog = build_catalog(settings, specs={next(iter(settings.apis)): spec})
    client = await aiohttp_client(create_app(settings, catalog))
    known = {gap["probe"] for gap in KNOWN_GAPS.get(_relative(path), [])}
    refused = []
    for probe in {p.operation.key: p for p in reversed(probes(spec))}.values():
        body, body_headers = _request_body(probe.operation)
        if probe.operation.request_body is not None and body is None:
            continue  # multipart and other media types: not made here
        query = f"?{urlencode(probe.query)}" if probe.query else ""
        headers = {**probe.headers, **body_headers}
        async with client.request(
            probe.operation.method, probe.path + query, headers=headers, data=body
        ) as response:
            violations = response.headers.get("X-Mockproxy-Violations")
        label = f"{probe.operation.key} request"
        if violations is not None and label not in known:
            refused.append(f"{label}: {violations[:300]}")
    assert refused == [], "\n".join(refused[:40])
