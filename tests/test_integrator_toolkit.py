"""Latency, faults, injected errors, callbacks and realistic data, end to end on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpServer
from structlog.testing import capture_logs

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.cli import main
from proxy.config import load_settings
from proxy.keys import COURIER
from tests.test_cli import running
from tests.test_mock_app import AUTH, BASE, CONFIG, JOB, fax_schema

ROOT = Path(__file__).resolve().parent
FAX_SPEC = ROOT.parent / "config" / "specs" / "fax.yaml"
WEBHOOKS = ROOT / "callbacks" / "specs" / "webhooks.yaml"
PEOPLE = ROOT / "mock" / "specs" / "people.yaml"
REPORTS = BASE + "/fax/reports"

Client = TestClient[Any, Any]
MakeClient = Callable[[str], Awaitable[Client]]


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """A client of mockproxy serving the given config text (specs by absolute path)."""

    made = iter(range(1000))

    async def make(text: str) -> Client:
        path = tmp_path / f"config{next(made)}.yaml"
        path.write_text(text)  # a test's set-up, before any server runs
        settings = load_settings(path, environ={})
        client: Client = await aiohttp_client(create_app(settings, build_catalog(settings)))
        return client

    return make


def fax_config(extra: str = "", api_extra: str = "") -> str:
    return (
        f"callbacks: {{delay: 0ms, backoff: 10ms}}\n{extra}"
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mount: /fax/fax4a-api\n    mode: mock\n{api_extra}"
    )


async def journal(client: Client, **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/_mockproxy/requests", params=filters)
    entries: list[dict[str, Any]] = (await response.json())["requests"]
    return entries


async def raw_get(client: Client, target: str, headers: str = "") -> bytes:
    """A GET on a plain socket, read until the server closes: what a broken answer leaves."""
    assert client.port is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    auth = AUTH["Authorization"]
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n{headers}\r\n".encode()
    )
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


# -- latency and faults ------------------------------------------------------------------


async def test_prefer_delay_answers_late_and_is_journaled(make_client: MakeClient) -> None:
    """``Prefer: delay=300`` answers as usual after 300 ms; the journal notes the delay."""
    client = await make_client(fax_config())
    started = time.monotonic()
    response = await client.get(REPORTS, headers={**AUTH, "Prefer": "delay=300"})
    assert response.status == 200 and "reports" in await response.json()
    assert time.monotonic() - started >= 0.3
    (entry,) = await journal(client)
    assert (entry["delay_ms"], entry["fault"]) == (300, None)


async def test_query_delay_range_is_not_an_api_parameter(make_client: MakeClient) -> None:
    """``__delay=100-200`` delays within the range and is not validated as the API's query."""
    client = await make_client(fax_config())
    started = time.monotonic()
    response = await client.get(REPORTS + "?limit=5&__delay=100-200", headers=AUTH)
    assert response.status == 200
    assert 0.1 <= time.monotonic() - started < 2
    (entry,) = await journal(client)
    assert 100 <= entry["delay_ms"] <= 200


async def test_prefer_fault_reset_resets_the_socket(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """``Prefer: fault=reset``: the client's socket is reset; log line and journal say so."""
    client = await make_client(fax_config())
    with caplog.at_level(logging.INFO), capture_logs() as logs, pytest.raises(ConnectionResetError):
        await raw_get(client, REPORTS, "Prefer: fault=reset\r\n")
    (entry,) = await journal(client)
    assert entry["fault"] == "reset"
    completed = [line for line in logs if line["event"] == "request.completed"]
    assert completed[0]["fault"] == "reset"


async def test_configured_faults_hit_every_answer_at_rate_one(make_client: MakeClient) -> None:
    """``faults: {rate: 1, kinds: [empty]}`` closes every connection without an answer."""
    client = await make_client(fax_config(api_extra="    faults: {rate: 1, kinds: [empty]}\n"))
    assert await raw_get(client, REPORTS) == b""
    assert await raw_get(client, REPORTS) == b""
    metrics = await (await client.get("/_mockproxy/metrics")).text()
    assert (
        'mockproxy_injected_faults_total{api="fax",kind="empty",operation="listFaxReports"} 2.0'
        in metrics
    )


async def test_configured_errors_answer_the_documented_error(make_client: MakeClient) -> None:
    """``errors: {rate: 1, codes: [500]}`` answers the documented 500 and its example."""
    client = await make_client(fax_config(api_extra="    errors: {rate: 1, codes: [500]}\n"))
    response = await client.get(REPORTS, headers=AUTH)
    assert response.status == 500
    assert await response.json() == {
        "code": 500,
        "message": "Internal server error. Please try again later.",
    }
    assert response.headers["X-Mockproxy-Source"] == "mock"
    (entry,) = await journal(client)
    assert (entry["status"], entry["fault"]) == (500, "error")
    metrics = await (await client.get("/_mockproxy/metrics")).text()
    assert (
        'mockproxy_injected_faults_total{api="fax",kind="error",operation="listFaxReports"} 1.0'
        in metrics
    )


async def test_a_seed_repeats_the_run_exactly(make_client: MakeClient) -> None:
    """Two servers with one seed make the same decisions for the same requests."""
    text = fax_config(
        "seed: 11\n",
        "    faults: {rate: 0.3, kinds: [malformed]}\n    errors: {rate: 0.3, codes: [500]}\n",
    )
    runs = []
    for _ in range(2):
        client = await make_client(text)
        outcomes = []
        for _ in range(12):
            answer = await raw_get(client, REPORTS, "Connection: close\r\n")
            outcomes.append(answer[:12])
        runs.append(outcomes)
        await client.close()
    assert runs[0] == runs[1]
    assert len(set(runs[0])) == 3  # answered, 500, malformed: all three happened


async def test_the_mock_side_of_fallback_is_delayed(
    make_client: MakeClient, unused_tcp_port: int
) -> None:
    """In fallback mode an unreachable upstream's mock answer takes the asked delay."""
    client = await make_client(
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mount: /fax/fax4a-api\n    mode: fallback\n"
        f"    upstream: http://127.0.0.1:{unused_tcp_port}\n"
    )
    started = time.monotonic()
    response = await client.get(
        "/fax/fax4a-api/9991/fax/reports", headers={**AUTH, "Prefer": "delay=250"}
    )
    assert response.status == 200 and response.headers["X-Mockproxy-Source"] == "fallback"
    assert time.monotonic() - started >= 0.25


async def test_an_unreadable_preference_is_a_400_problem(make_client: MakeClient) -> None:
    """``Prefer: fault=explode`` is a 400 problem naming the kinds."""
    client = await make_client(fax_config())
    response = await client.get(REPORTS, headers={**AUTH, "Prefer": "fault=explode"})
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert (
        "expected one of reset, empty, timeout, malformed, slow"
        in (await response.json())["detail"]
    )


async def test_routes_list_what_is_configured(make_client: MakeClient) -> None:
    """``/_mockproxy/routes`` shows each operation's latency, faults, errors and callbacks."""
    client = await make_client(
        fax_config(
            api_extra="    latency: {min: 10ms, max: 20ms}\n    errors: {rate: 0.1, codes: [404]}\n"
        )
    )
    routes = await (await client.get("/_mockproxy/routes")).json()
    by_key = {op["operation"]: op for op in routes["apis"][0]["operations"]}
    assert by_key["getFaxStatus"]["simulation"] == {
        "latency": "10-20ms",
        "errors": {"rate": 0.1, "codes": [404]},
    }
    assert by_key["sendFaxJob"]["simulation"] == {"latency": "10-20ms"}


# -- callbacks ---------------------------------------------------------------------------

RECEIVED: web.AppKey[list[tuple[str, str, bytes]]] = web.AppKey("received", list)


def receiver() -> web.Application:
    """A loopback listener recording every callback it receives."""

    async def hook(request: web.Request) -> web.Response:
        request.app[RECEIVED].append((request.method, request.path_qs, await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app[RECEIVED] = []
    app.router.add_route("*", "/{tail:.*}", hook)
    return app


async def received(server: Any, count: int = 1, wait: float = 5) -> list[tuple[str, str, bytes]]:
    for _ in range(int(wait / 0.02)):
        if len(server.app[RECEIVED]) >= count:
            break
        await asyncio.sleep(0.02)
    found: list[tuple[str, str, bytes]] = server.app[RECEIVED]
    return found


def webhooks_config() -> str:
    return f"callbacks: {{delay: 0ms, backoff: 10ms}}\napis:\n  hooks:\n    spec: {WEBHOOKS}\n    mode: mock\n"


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


async def test_no_target_url_no_push(make_client: MakeClient) -> None:
    """A fax job without httpStatusPush sends nothing and logs why at info."""
    client = await make_client(CONFIG.read_text().replace("specs/fax.yaml", str(FAX_SPEC)))
    with capture_logs() as logs:
        response = await client.post(BASE + "/fax", json=JOB, headers=AUTH)
    assert response.status == 201
    assert [line["event"] for line in logs if line["event"].startswith("callback.")] == [
        "callback.skipped"
    ]


# -- realistic dynamic data --------------------------------------------------------------


async def test_dynamic_data_is_realistic_repeatable_and_localised(make_client: MakeClient) -> None:
    """``dynamic=true, seed=`` gives a German person twice alike, valid against its schema."""
    client = await make_client(
        f"locale: de_DE\napis:\n  people:\n    spec: {PEOPLE}\n    mode: mock\n"
    )
    headers = {"Prefer": "dynamic=true, seed=42"}
    first = await (await client.get("/_mock/people/people/1", headers=headers)).json()
    second = await (await client.get("/_mock/people/people/1", headers=headers)).json()
    assert first == second
    assert first["iban"].startswith("DE") and re.fullmatch(r"C[0-9]{6}", first["customerNumber"])
    assert "@" in first["email"] and first["firstName"] != "string"
    other = await (
        await client.get("/_mock/people/people/1", headers={"Prefer": "dynamic=true, seed=43"})
    ).json()
    assert other != first


async def test_static_answers_keep_the_sampler_values(make_client: MakeClient) -> None:
    """Without dynamic=true the values stay openapi-sampler's."""
    client = await make_client(
        f"locale: de_DE\napis:\n  people:\n    spec: {PEOPLE}\n    mode: mock\n"
    )
    body = await (await client.get("/_mock/people/people/1")).json()
    assert (body["firstName"], body["email"]) == ("string", "user@example.com")


# -- mockproxy check ---------------------------------------------------------------------


def test_check_lists_latency_faults_errors_and_callbacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mockproxy check`` prints each operation's settings, where callbacks may go, the seed."""
    path = tmp_path / "c.yaml"
    path.write_text(
        CONFIG.read_text()
        .replace("specs/fax.yaml", str(FAX_SPEC))
        .replace("apis:", "seed: 5\napis:")
        + "      getFaxStatus:\n        latency: {fixed: 200ms}\n        faults: {rate: 0.05, kinds: [reset, slow]}\n        errors: {rate: 0.1, codes: [404]}\n"
    )
    assert main(["check", "-c", str(path)], environ={}) == 0
    out = capsys.readouterr().out
    assert "latency 200ms; faults 5% of reset, slow; errors 10% of 404" in out
    assert (
        "callback statusPush: POST {$request.body#/statusReportOptions/httpStatusPush/targetUrl} (config)"
        in out
    )
    assert "callbacks: to 127.0.0.1, ::1, localhost only; after 1000ms, 3 retries from 500ms" in out
    assert "seed: 5 (latency, fault and error draws repeat)" in out


def test_check_refuses_an_undocumented_error_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An operation's own error code it does not document exits 2 naming file, key and codes."""
    path = tmp_path / "c.yaml"
    path.write_text(
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    operations:\n      sendFaxJob:\n        errors: {{rate: 1, codes: [503]}}\n"
    )
    assert main(["check", "-c", str(path)], environ={}) == 2
    err = capsys.readouterr().err
    assert f"{path}:6:" in err
    assert "apis.fax.operations.sendFaxJob.errors.codes: sendFaxJob does not document 503" in err


async def test_the_served_process_resets_and_pushes(aiohttp_server: AiohttpServer) -> None:
    """``mockproxy serve`` (its event loop, uvloop where installed) resets on demand and
    pushes the fax status report to a loopback listener."""
    listener = await aiohttp_server(receiver())
    async with running("serve") as base:
        port = int(base.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"GET {REPORTS} HTTP/1.1\r\nHost: x\r\nAuthorization: {AUTH['Authorization']}\r\nPrefer: fault=reset\r\n\r\n".encode()
        )
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(reader.read(), 5)
        writer.close()
        target = str(listener.make_url("/fax-status"))
        job = {**JOB, "statusReportOptions": {"httpStatusPush": {"targetUrl": target}}}
        async with aiohttp.ClientSession() as session:
            async with session.post(base + BASE + "/fax", json=job, headers=AUTH) as response:
                assert response.status == 201
        ((method, path, body),) = await received(listener)
    assert (method, path, json.loads(body)["jobId"]) == (
        "POST",
        "/fax-status",
        "FJKQQUVF1J0IADYARQEXKC",
    )


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
