"""Admin endpoints against a running app: health, ready, metrics, journal, token, log lines."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BASE = "/_mock/fax/fax4a-api/9991"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"user:pass").decode()}
JOB = {"recipients": [{"number": "+498900000000"}]}


def bundled(**changes: Any) -> Settings:
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    return dataclasses.replace(settings, **changes)


async def start(aiohttp_client: Any, settings: Settings) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


async def test_health_and_ready(aiohttp_client: Any) -> None:
    """Liveness answers ok; readiness lists the loaded APIs with their operation counts and
    the journal's store."""
    client = await start(aiohttp_client, bundled())
    assert await (await client.get("/_mockproxy/health")).json() == {"status": "ok"}
    assert await (await client.get("/_mockproxy/ready")).json() == {
        "status": "ready",
        "apis": {"fax": 4},
        "journal": {"store": "memory", "state": "ok", "dropped": 0},
    }


async def test_metrics_count_requests_by_operation_source_and_status(aiohttp_client: Any) -> None:
    """Prometheus text that parses, with the requests just made counted."""
    client = await start(aiohttp_client, bundled())
    await client.post(BASE + "/fax", json=JOB, headers=AUTH)
    await client.post(BASE + "/fax", json=JOB)
    text = await (await client.get("/_mockproxy/metrics")).text()
    samples = {
        (sample.labels.get("operation"), sample.labels.get("status")): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "mockproxy_requests"
        for sample in family.samples
        if sample.name == "mockproxy_requests_total"
    }
    assert samples == {("sendFaxJob", "201"): 1.0, ("sendFaxJob", "401"): 1.0}


async def test_journal_records_redacted_requests_and_filters(aiohttp_client: Any) -> None:
    """The journal keeps what the app sent, credentials redacted, filterable by operation."""
    client = await start(aiohttp_client, bundled())
    await client.post(BASE + "/fax", json=JOB, headers={**AUTH, "Cookie": "session=secret"})
    await client.get(BASE + "/fax/reports?limit=5", headers=AUTH)
    body = await (await client.get("/_mockproxy/requests?operation=sendFaxJob")).json()
    [entry] = body["requests"]
    headers = dict(entry["headers"])
    assert headers["Authorization"] == "[redacted]"
    assert headers["Cookie"] == "[redacted]"
    assert entry["body"] == '{"recipients": [{"number": "+498900000000"}]}'
    assert (entry["api"], entry["source"], entry["status"]) == ("fax", "mock", 201)


async def test_journal_is_cleared_by_delete(aiohttp_client: Any) -> None:
    """DELETE /_mockproxy/requests empties the journal."""
    client = await start(aiohttp_client, bundled())
    await client.get(BASE + "/fax/reports", headers=AUTH)
    assert (await client.delete("/_mockproxy/requests")).status == 204
    assert await (await client.get("/_mockproxy/requests")).json() == {"requests": []}


async def test_admin_token_protects_all_but_health(aiohttp_client: Any) -> None:
    """With a token, admin endpoints need it; health and ready stay open."""
    client = await start(aiohttp_client, bundled(admin_token="s3cret"))
    assert (await client.get("/_mockproxy/health")).status == 200
    refused = await client.get("/_mockproxy/routes")
    assert refused.status == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    allowed = await client.get("/_mockproxy/routes", headers={"Authorization": "Bearer s3cret"})
    assert allowed.status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_mockproxy/metrics"),
        ("GET", "/_mockproxy/requests"),
        ("DELETE", "/_mockproxy/requests"),
        ("GET", "/_mockproxy/explorer/api/catalog"),
        ("GET", "/_mockproxy/explorer/api/operation?api=fax&key=sendFaxJob"),
        ("GET", "/_mockproxy/no-such-endpoint"),
        ("POST", "/_mockproxy/routes"),
    ],
    ids=[
        "metrics",
        "journal",
        "clear-journal",
        "explorer-catalog",
        "explorer-operation",
        "unknown",
        "wrong-method",
    ],
)
async def test_admin_token_guards_everything_reserved(
    aiohttp_client: Any, method: str, path: str
) -> None:
    """Without the token every reserved path is a 401 problem, the explorer's data and
    unknown paths included, and a wrong token is no better."""
    client = await start(aiohttp_client, bundled(admin_token="s3cret"))
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = await client.request(method, path, headers=headers)
        assert refused.status == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer realm="mockproxy-admin"'
        assert (await refused.json())["type"].endswith("/admin-token-required")
    allowed = await client.request(method, path, headers={"Authorization": "Bearer s3cret"})
    assert allowed.status != 401


async def test_explorer_page_loads_without_the_token(aiohttp_client: Any) -> None:
    """The explorer's page and files (package data) load without the token, so the page can
    ask for it; what they show is read from the guarded catalog."""
    client = await start(aiohttp_client, bundled(admin_token="s3cret"))
    page = await client.get("/_mockproxy/explorer/")
    assert page.status == 200
    assert b"fax" not in await page.read()


async def test_request_id_is_echoed_or_generated(aiohttp_client: Any) -> None:
    """A client's X-Request-Id comes back; without one a fresh id is made."""
    client = await start(aiohttp_client, bundled())
    given = await client.get(BASE + "/fax/reports", headers={**AUTH, "X-Request-Id": "abc-1"})
    assert given.headers["X-Request-Id"] == "abc-1"
    fresh = await client.get(BASE + "/fax/reports", headers=AUTH)
    assert len(fresh.headers["X-Request-Id"]) == 36


async def test_one_completed_line_per_request_without_credentials(
    aiohttp_client: Any, info_logs: list[dict[str, Any]]
) -> None:
    """request.completed carries the canonical fields and never the Authorization value."""
    client = await start(aiohttp_client, bundled())
    await client.post(BASE + "/fax", json=JOB, headers={**AUTH, "X-Request-Id": "r-1"})
    [line] = [entry for entry in info_logs if entry["event"] == "request.completed"]
    assert {key: line[key] for key in ("method", "api", "operation", "source", "status")} == {
        "method": "POST",
        "api": "fax",
        "operation": "sendFaxJob",
        "source": "mock",
        "status": 201,
    }
    assert line["request_id"] == "r-1"
    assert AUTH["Authorization"] not in repr(info_logs)


@pytest.mark.parametrize("path", ["/_mockproxy/unknown", "/_mockproxy"], ids=["deep", "bare"])
async def test_reserved_prefix_answers_404_problem(aiohttp_client: Any, path: str) -> None:
    """The reserved prefix is never forwarded: unknown admin paths are our 404."""
    client = await start(aiohttp_client, bundled())
    response = await client.get(path)
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
