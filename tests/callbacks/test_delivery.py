"""The courier: delivers to a real loopback receiver, retries with backoff, refuses other hosts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpServer
from structlog.testing import capture_logs

from proxy.callbacks.delivery import Courier, Delivery, DeliverySettings, Outcome, host_allowed

RECEIVED: web.AppKey[list[tuple[str, str, bytes, dict[str, str]]]] = web.AppKey("received", list)
FAILURES: web.AppKey[list[int]] = web.AppKey("failures", list)


def receiver(failures: int = 0, status: int = 503) -> web.Application:
    """A loopback listener that records what it receives; the first ``failures`` get ``status``."""

    async def hook(request: web.Request) -> web.Response:
        request.app[RECEIVED].append(
            (request.method, request.path_qs, await request.read(), dict(request.headers))
        )
        if len(request.app[RECEIVED]) <= request.app[FAILURES][0]:
            return web.Response(status=status)
        return web.Response(status=204)

    app = web.Application()
    app[RECEIVED] = []
    app[FAILURES] = [failures]
    app.router.add_route("*", "/{tail:.*}", hook)
    return app


def delivery(url: str, **changes: Any) -> Delivery:
    values: dict[str, Any] = {
        "name": "statusPush",
        "api": "fax",
        "operation": "sendFaxJob",
        "request_id": "r-1",
        "method": "POST",
        "url": url,
        "headers": {"Content-Type": "application/json"},
        "body": b'{"jobId":"J1"}',
        "delay_ms": 0,
    }
    return Delivery(**{**values, **changes})


async def deliver(
    courier: Courier, outcomes: list[Outcome], item: Delivery, wait: float = 5
) -> Outcome:
    courier.send(item)
    for _ in range(int(wait / 0.01)):
        if outcomes:
            return outcomes[-1]
        await asyncio.sleep(0.01)
    raise AssertionError("no outcome recorded")


FAST = DeliverySettings(delay_ms=0, retries=3, backoff_ms=10, timeout_ms=2000)


async def test_delivers_method_body_and_headers(aiohttp_server: AiohttpServer) -> None:
    """The receiver gets the method, path, body and headers of the delivery."""
    server = await aiohttp_server(receiver())
    outcomes: list[Outcome] = []
    courier = Courier(lambda: FAST, outcomes.append)
    outcome = await deliver(courier, outcomes, delivery(str(server.make_url("/hooks/fax?x=1"))))
    await courier.close()
    method, path, body, headers = server.app[RECEIVED][0]
    assert (method, path, body, headers["Content-Type"]) == (
        "POST",
        "/hooks/fax?x=1",
        b'{"jobId":"J1"}',
        "application/json",
    )
    assert (outcome.status, outcome.attempts, outcome.error) == (204, 1, None)


async def test_retries_with_backoff_until_taken(aiohttp_server: AiohttpServer) -> None:
    """Two 503s then a 204: three attempts, the last one taken."""
    server = await aiohttp_server(receiver(failures=2))
    outcomes: list[Outcome] = []
    courier = Courier(lambda: FAST, outcomes.append)
    with capture_logs() as logs:
        outcome = await deliver(courier, outcomes, delivery(str(server.make_url("/hook"))))
    await courier.close()
    assert (outcome.status, outcome.attempts) == (204, 3)
    assert len(server.app[RECEIVED]) == 3
    assert [entry["event"] for entry in logs] == ["callback.delivered"]


async def test_gives_up_after_the_retries(aiohttp_server: AiohttpServer) -> None:
    """A receiver that always fails gets 1 + retries attempts, then a callback.failed line."""
    server = await aiohttp_server(receiver(failures=99))
    outcomes: list[Outcome] = []
    courier = Courier(lambda: FAST, outcomes.append)
    with capture_logs() as logs:
        outcome = await deliver(courier, outcomes, delivery(str(server.make_url("/hook"))))
    await courier.close()
    assert (outcome.status, outcome.attempts) == (503, 4)
    assert logs[-1]["event"] == "callback.failed" and logs[-1]["attempts"] == 4


async def test_an_unreachable_receiver_is_reported(unused_tcp_port: int) -> None:
    """Nobody listening: every attempt fails with a connection error, recorded."""
    outcomes: list[Outcome] = []
    courier = Courier(
        lambda: DeliverySettings(delay_ms=0, retries=1, backoff_ms=1), outcomes.append
    )
    outcome = await deliver(courier, outcomes, delivery(f"http://127.0.0.1:{unused_tcp_port}/hook"))
    await courier.close()
    assert outcome.status is None and outcome.attempts == 2 and outcome.error


async def test_a_host_not_allowed_is_never_contacted() -> None:
    """A callback to another host is refused and logged, no connection made."""
    outcomes: list[Outcome] = []
    courier = Courier(lambda: FAST, outcomes.append)
    with capture_logs() as logs:
        outcome = await deliver(courier, outcomes, delivery("http://192.0.2.1/hook"))
    await courier.close()
    assert outcome.refused and outcome.attempts == 0
    assert logs[0]["event"] == "callback.refused" and logs[0]["url"] == "http://192.0.2.1/hook"


async def test_close_cancels_pending_deliveries(aiohttp_server: AiohttpServer) -> None:
    """Deliveries still waiting for their delay are cancelled on exit, none sent."""
    server = await aiohttp_server(receiver())
    outcomes: list[Outcome] = []
    courier = Courier(lambda: FAST, outcomes.append)
    courier.send(delivery(str(server.make_url("/hook")), delay_ms=10_000))
    assert courier.pending == 1
    await courier.close()
    assert courier.pending == 0 and server.app[RECEIVED] == [] and outcomes == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:9/x", True),
        ("http://localhost/x", True),
        ("http://[::1]:8/x", True),
        ("http://10.0.0.1/x", False),
        ("http://127.0.0.1.nip.io/x", False),
        ("ftp://127.0.0.1/x", False),
        ("http://hooks.example.com/x", True),
        ("http://example.com/x", False),
        ("not a url", False),
    ],
)
def test_host_allowed(url: str, allowed: bool) -> None:
    """Only the listed hosts (and names below a ``*.`` entry) are allowed."""
    assert host_allowed(url, ("127.0.0.1", "::1", "localhost", "*.example.com")) is allowed
