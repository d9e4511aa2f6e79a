"""The journal shared in Redis (journal.store): real mockproxy processes and a real redis-server
on loopback, requests alternating between the processes."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from tests.processes import AUTH, FAX_SPEC, RedisServer, mockproxies, redis_server

REPORTS = "/_mock/fax/9991/fax/reports"


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path) as server:
        yield server


def config_for(redis: RedisServer, size: int = 200) -> Path:
    config = redis.directory / "mockproxy.yaml"
    config.write_text(
        f"journal: {{store: '{redis.url}', size: {size}, max_body_bytes: 16}}\n"
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: mock\n"
    )
    return config


async def send(session: aiohttp.ClientSession, base: str, request_id: str) -> None:
    """One mocked request, answered."""
    headers = {**AUTH, "X-Request-Id": request_id}
    async with session.get(base + REPORTS, headers=headers) as response:
        assert response.status == 200


async def journal_ids(session: aiohttp.ClientSession, base: str) -> list[str]:
    async with session.get(base + "/_mockproxy/requests") as response:
        assert response.status == 200
        return [entry["request_id"] for entry in (await response.json())["requests"]]


async def ready_journal(session: aiohttp.ClientSession, base: str) -> Any:
    async with session.get(base + "/_mockproxy/ready") as response:
        assert response.status == 200
        return (await response.json())["journal"]


async def test_either_process_shows_every_request_once(redis: RedisServer) -> None:
    """Ten requests alternating between two processes: each one's journal lists all ten, once
    each, in the order they were sent."""
    config = config_for(redis)
    async with mockproxies(config, 2) as (first, second):
        async with aiohttp.ClientSession() as session:
            sent = [f"request-{n}" for n in range(10)]
            for n, request_id in enumerate(sent):
                await send(session, (first, second)[n % 2], request_id)
            assert await journal_ids(session, first) == sent
            assert await journal_ids(session, second) == sent


async def test_delete_on_one_process_clears_the_journal_for_all(redis: RedisServer) -> None:
    """DELETE /_mockproxy/requests at one process empties the journal the other reads."""
    config = config_for(redis)
    async with mockproxies(config, 2) as (first, second):
        async with aiohttp.ClientSession() as session:
            await send(session, first, "a")
            await send(session, second, "b")
            async with session.delete(first + "/_mockproxy/requests") as response:
                assert response.status == 204
            assert await journal_ids(session, second) == []
            await send(session, first, "c")
            assert await journal_ids(session, second) == ["c"]


async def test_answers_continue_when_redis_stops(redis: RedisServer) -> None:
    """Redis stopped mid-run: every request is still answered, each process drops and counts
    its entries, ready reports the journal degraded, and reading it is a 503 problem."""
    config = config_for(redis)
    async with mockproxies(config, 2) as (first, second):
        async with aiohttp.ClientSession() as session:
            bases = (first, second)
            for n in range(4):
                await send(session, bases[n % 2], f"before-{n}")
            redis.stop()
            for n in range(8):  # a refused connection fails the write at once: no hang
                await asyncio.wait_for(send(session, bases[n % 2], f"after-{n}"), timeout=10)
            for base in bases:
                assert await ready_journal(session, base) == {
                    "store": "redis",
                    "state": "degraded",
                    "dropped": 4,
                }
                async with session.get(base + "/_mockproxy/requests") as response:
                    assert response.status == 503
                    assert response.content_type == "application/problem+json"
                    problem = await response.json()
                    assert problem["type"].endswith("/journal-unavailable")
                async with session.get(base + "/_mockproxy/metrics") as response:
                    assert "mockproxy_journal_dropped_total 4.0" in await response.text()


async def test_journal_fills_again_when_redis_returns(redis: RedisServer) -> None:
    """Once Redis answers again, ready says so and new requests are journaled again."""
    config = config_for(redis)
    async with mockproxies(config, 2) as (first, second):
        async with aiohttp.ClientSession() as session:
            redis.stop()
            await send(session, first, "lost")
            redis.start()
            for base in (first, second):
                assert (await ready_journal(session, base))["state"] == "ok"
            await send(session, second, "kept-1")
            await send(session, first, "kept-2")
            assert await journal_ids(session, first) == ["kept-1", "kept-2"]


async def test_shared_journal_redacts_filters_and_truncates(
    redis: RedisServer, aiohttp_client: Any
) -> None:
    """Entries in Redis are redacted and truncated like the memory journal's, and filtered the
    same way."""
    settings = load_settings(config_for(redis), environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    job = {"recipients": [{"number": "+498900000000"}]}
    await client.post("/_mock/fax/9991/fax", json=job, headers={**AUTH, "Cookie": "a=b"})
    await client.get(REPORTS, headers=AUTH)
    body = await (await client.get("/_mockproxy/requests?operation=sendFaxJob")).json()
    [entry] = body["requests"]
    headers = dict(entry["headers"])
    assert (headers["Authorization"], headers["Cookie"]) == ("[redacted]", "[redacted]")
    assert (entry["body"], entry["body_truncated"]) == ('{"recipients": [', True)
    assert (entry["api"], entry["operation"], entry["status"]) == ("fax", "sendFaxJob", 201)
    methods = await (await client.get("/_mockproxy/requests?method=GET")).json()
    assert [e["operation"] for e in methods["requests"]] == ["listFaxReports"]


async def test_shared_journal_keeps_only_the_latest_entries(
    redis: RedisServer, aiohttp_client: Any
) -> None:
    """The stream is capped at journal.size: the oldest entries make way."""
    settings = dataclasses.replace(load_settings(config_for(redis), environ={}), journal_size=3)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    for n in range(5):
        await client.get(REPORTS, headers={**AUTH, "X-Request-Id": f"r{n}"})
    body = await (await client.get("/_mockproxy/requests")).json()
    assert [entry["request_id"] for entry in body["requests"]] == ["r2", "r3", "r4"]


async def test_a_redis_that_never_answers_delays_one_answer_a_second_at_most(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A Redis that takes connections but never answers: the first request waits for the write
    timeout, the next ones in that second drop their entries without asking Redis, and each
    entry is counted."""
    asked: list[bytes] = []  # every connection and every byte received, in order

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(b"(connected)")
        while received := await reader.read(1 << 16):  # until the client gives up; no answer
            asked.append(received)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        config = tmp_path / "mockproxy.yaml"
        config.write_text(
            f"journal: {{store: 'redis://127.0.0.1:{port}/0'}}\n"
            f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: mock\n"
        )
        settings = load_settings(config, environ={})
        client = await aiohttp_client(create_app(settings, build_catalog(settings)))
        started = time.monotonic()
        assert (await client.get(REPORTS, headers=AUTH)).status == 200
        assert time.monotonic() - started >= 0.5  # the write timeout
        asked_first = list(asked)
        assert asked_first  # the first request did ask
        answers = await asyncio.gather(*(client.get(REPORTS, headers=AUTH) for _ in range(3)))
        assert [answer.status for answer in answers] == [200, 200, 200]
        assert asked == asked_first  # nothing more was sent, so nothing was waited for
        journal = (await (await client.get("/_mockproxy/ready")).json())["journal"]
        assert journal == {"store": "redis", "state": "degraded", "dropped": 4}
        await client.close()  # its connections to the silent server too
