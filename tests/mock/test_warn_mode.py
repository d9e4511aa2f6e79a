"""validation: warn, as the bundled fax API has it: answered as if valid, violations reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import structlog.testing

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parent.parent.parent
AUTH = {"Authorization": "Basic dXNlcjpwYXNz"}
JOB = {"recipients": [{"number": "+498900000000"}], "renderingOptions": {"paperFormat": None}}


async def test_warned_request_is_answered_and_its_violations_reported(aiohttp_client: Any) -> None:
    """A job with paperFormat null gets the documented 201; the violations are in the header,
    the log line and the journal entry, the same list in each."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    with structlog.testing.capture_logs() as logs:
        response = await client.post("/_mock/fax/fax4a-api/9991/fax", json=JOB, headers=AUTH)
    assert (response.status, await response.json()) == (201, {"jobId": "FJKQQUVF1J0IADYARQEXKC"})
    violations = json.loads(response.headers["X-Mockproxy-Violations"])
    assert {(v["in"], v["pointer"]) for v in violations} == {
        ("request", "/body/renderingOptions/paperFormat")
    }
    [logged] = [entry for entry in logs if entry["event"] == "request.invalid"]
    assert logged["violations"] == violations
    journal = await (await client.get("/_mockproxy/requests")).json()
    assert [entry["violations"] for entry in journal["requests"]] == [violations]
