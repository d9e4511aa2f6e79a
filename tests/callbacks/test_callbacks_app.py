"""Callbacks end to end: the mock answers, a loopback listener receives what it sends."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pytest_aiohttp import AiohttpServer
from structlog.testing import capture_logs

from proxy.keys import COURIER
from tests.test_mock_app import AUTH, BASE, CONFIG, JOB, fax_schema
from tests.toolkit import (
    FAX_SPEC,
    RECEIVED,
    MakeClient,
    client_factory,
    journal,
    received,
    receiver,
    webhooks_config,
)

# the lines these tests read are logged at info, mockproxy's default level
pytestmark = pytest.mark.usefixtures("info_level")


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """mockproxy serving a config given as text."""
    return client_factory(aiohttp_client, tmp_path)


async def test_spec_callback_reaches_the_listener(
    make_client: MakeClient, aiohttp_server: AiohttpServer
) -> None:
    """An OAS callback is sent to the URL in the request body with its documented body."""
    server = await aiohttp_server(receiver())
    client = await make_client(webhooks_config())
    with capture_logs() as logs:
        response = await client.post(
            "/_mock/hooks/subscriptions", json={"callbackUrl": str(server.make_url("/hook"))}
        )
        assert response.status == 201
        (found,) = await received(server)
        await asyncio.sleep(0.05)
    assert found == ("POST", "/hook?subscription=sub-42", b'{"id":"sub-42","event":"created"}')
    delivered = [line for line in logs if line["event"] == "callback.delivered"]
    assert delivered[0]["status"] == 204 and delivered[0]["callback"] == "onEvent"
    entries = await journal(client, source="callback")
    assert entries[0]["method"] == "POST" and entries[0]["status"] == 204
    assert entries[0]["callback"]["url"] == str(server.make_url("/hook?subscription=sub-42"))


async def test_prefer_callbacks_false_sends_none(
    make_client: MakeClient, aiohttp_server: AiohttpServer
) -> None:
    """``Prefer: callbacks=false`` answers as usual and sends nothing."""
    server = await aiohttp_server(receiver())
    client = await make_client(webhooks_config())
    response = await client.post(
        "/_mock/hooks/subscriptions",
        json={"callbackUrl": str(server.make_url("/hook"))},
        headers={"Prefer": "callbacks=false"},
    )
    assert response.status == 201
    assert await received(server, wait=0.3) == []


async def test_a_host_not_allowed_is_refused(make_client: MakeClient) -> None:
    """A callback URL outside allow_hosts is never contacted; the log and journal say so."""
    client = await make_client(webhooks_config())
    with capture_logs() as logs:
        response = await client.post(
            "/_mock/hooks/subscriptions", json={"callbackUrl": "http://192.0.2.1/hook"}
        )
        assert response.status == 201
        for _ in range(100):
            if any(line["event"] == "callback.refused" for line in logs):
                break
            await asyncio.sleep(0.02)
    refused = [line for line in logs if line["event"] == "callback.refused"]
    assert refused[0]["url"] == "http://192.0.2.1/hook?subscription=sub-42"
    (entry,) = await journal(client, source="callback")
    assert entry["status"] is None and entry["callback"]["refused"] is True


async def test_fax_status_push_like_the_real_api(
    make_client: MakeClient, aiohttp_server: AiohttpServer
) -> None:
    """The bundled fax sample POSTs a valid status report with the mock's job id to targetUrl."""
    server = await aiohttp_server(receiver())
    text = (
        CONFIG.read_text()
        .replace("apis:", "callbacks: {delay: 0ms}\napis:")
        .replace("specs/fax.yaml", str(FAX_SPEC))
    )
    client = await make_client(text)
    job = {
        **JOB,
        "statusReportOptions": {
            "httpStatusPush": {"targetUrl": str(server.make_url("/fax-status"))}
        },
    }
    response = await client.post(BASE + "/fax", json=job, headers=AUTH)
    job_id = (await response.json())["jobId"]
    ((method, path, body),) = await received(server)
    report = json.loads(body)
    assert (method, path, report["jobId"]) == ("POST", "/fax-status", job_id)
    assert report["recipientStatus"][0]["number"] == "+498900000000"
    jsonschema.validate(report, fax_schema("FaxReport"))


async def test_no_target_url_no_push(
    make_client: MakeClient, debug_logs: list[dict[str, Any]]
) -> None:
    """A fax job without httpStatusPush schedules nothing and says why at debug, each time
    (the second is a remembered answer)."""
    client = await make_client(CONFIG.read_text().replace("specs/fax.yaml", str(FAX_SPEC)))
    for _ in range(2):
        response = await client.post(BASE + "/fax", json=JOB, headers=AUTH)
        assert response.status == 201 and client.app[COURIER].pending == 0
    skipped = [line for line in debug_logs if line["event"].startswith("callback.")]
    assert [line["event"] for line in skipped] == ["callback.skipped"] * 2
    pointer = "/statusReportOptions/httpStatusPush/targetUrl"
    assert skipped[0]["reason"] == f"$request.body#{pointer}: the body has nothing at {pointer}"


def push_job(url: str, **job: Any) -> dict[str, Any]:
    """A fax job asking for its status report at ``url``."""
    return {**JOB, **job, "statusReportOptions": {"httpStatusPush": {"targetUrl": url}}}


async def fax_client(make_client: MakeClient) -> Any:
    text = (
        CONFIG.read_text()
        .replace("apis:", "callbacks: {delay: 0ms}\napis:")
        .replace("specs/fax.yaml", str(FAX_SPEC))
    )
    return await make_client(text)


async def test_a_repeated_job_gets_its_push_each_time(
    make_client: MakeClient, aiohttp_server: AiohttpServer
) -> None:
    """The same job sent three times (validated, then remembered answers) pushes three times."""
    server = await aiohttp_server(receiver())
    client = await fax_client(make_client)
    job = push_job(str(server.make_url("/fax-status")))
    for _ in range(3):
        response = await client.post(BASE + "/fax", json=job, headers=AUTH)
        assert response.status == 201
    pushed = await received(server, count=3)
    assert [path for _, path, _ in pushed] == ["/fax-status"] * 3


@pytest.mark.parametrize(
    ("job", "prefer"),
    [
        ({"recipients": [{"number": 498900000000}]}, None),
        (JOB, "validate=false"),
    ],
    ids=["invalid-in-warn-mode", "not-validated"],
)
async def test_a_body_validation_did_not_pass_still_pushes(
    make_client: MakeClient, aiohttp_server: AiohttpServer, job: Any, prefer: str | None
) -> None:
    """A job warn mode answers though invalid, or sent unvalidated, still gets its push."""
    server = await aiohttp_server(receiver())
    client = await fax_client(make_client)
    headers = {**AUTH, **({"Prefer": prefer} if prefer else {})}
    response = await client.post(
        BASE + "/fax", json=push_job(str(server.make_url("/fax-status")), **job), headers=headers
    )
    assert response.status == 201
    ((method, path, _),) = await received(server)
    assert (method, path) == ("POST", "/fax-status")


async def test_pending_callbacks_are_cancelled_on_exit(
    make_client: MakeClient, aiohttp_server: AiohttpServer
) -> None:
    """A callback still waiting for its delay is cancelled when the app stops, never sent."""
    server = await aiohttp_server(receiver())
    client = await make_client(webhooks_config().replace("delay: 0ms", "delay: 30s"))
    response = await client.post(
        "/_mock/hooks/subscriptions", json={"callbackUrl": str(server.make_url("/hook"))}
    )
    assert response.status == 201
    courier = client.app[COURIER]
    assert courier.pending == 1
    await client.close()
    assert courier.pending == 0 and server.app[RECEIVED] == []


async def test_body_too_deep_to_read_skips_the_push_and_is_answered(
    make_client: MakeClient,
) -> None:
    """A fax job nested 100,000 levels deep is answered as the warn-mode fax API answers
    (201, violation at /body), its status push skipped: the callbacks never read it."""
    client = await make_client(CONFIG.read_text().replace("specs/fax.yaml", str(FAX_SPEC)))
    body = b"[" * 100_000 + b"]" * 100_000
    response = await client.post(
        BASE + "/fax", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 201
    assert json.loads(response.headers["X-Mockproxy-Violations"])[0]["pointer"] == "/body"
