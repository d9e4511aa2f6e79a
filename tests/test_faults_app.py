"""Latency, faults and injected errors end to end: a real server, real client sockets."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pytest_aiohttp import AiohttpServer
from structlog.testing import capture_logs

from proxy.cli import main
from tests.test_cli import running
from tests.test_mock_app import AUTH, BASE, CONFIG, JOB
from tests.toolkit import (
    FAX_SPEC,
    REPORTS,
    MakeClient,
    client_factory,
    fax_config,
    journal,
    raw_get,
    received,
    receiver,
)


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """mockproxy serving a config given as text."""
    return client_factory(aiohttp_client, tmp_path)


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
    waited = time.monotonic() - started
    assert response.status == 200
    (entry,) = await journal(client)
    assert 100 <= entry["delay_ms"] <= 200
    assert waited >= entry["delay_ms"] / 1000


@pytest.mark.usefixtures("info_level")
async def test_prefer_fault_reset_resets_the_socket(make_client: MakeClient) -> None:
    """``Prefer: fault=reset``: the client's socket is reset; log line and journal say so."""
    client = await make_client(fax_config())
    with capture_logs() as logs, pytest.raises(ConnectionResetError):
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


@pytest.mark.usefixtures("info_level")
async def test_a_slow_fault_on_the_mock_side_of_fallback_is_labelled_fallback(
    make_client: MakeClient, unused_tcp_port: int
) -> None:
    """A trickled answer from the mock side of fallback says ``fallback`` in its header (sent
    before the body), the journal and the log line, like any answer of that side."""
    client = await make_client(
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mount: /fax/fax4a-api\n    mode: fallback\n"
        f"    upstream: http://127.0.0.1:{unused_tcp_port}\n"
        "    faults: {rate: 1, kinds: [slow], slow: 200ms}\n"
    )
    with capture_logs() as logs:
        response = await client.get("/fax/fax4a-api/9991/fax/reports", headers=AUTH)
        assert response.status == 200 and "reports" in await response.json()
    assert response.headers["X-Mockproxy-Source"] == "fallback"
    (entry,) = await journal(client)
    assert (entry["source"], entry["fault"]) == ("fallback", "slow")
    [completed] = [line for line in logs if line["event"] == "request.completed"]
    assert (completed["source"], completed["fault"]) == ("fallback", "slow")


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
