"""Request bodies through a real server: unreadable ones, long error lists, huge ones, choices."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec
from proxy.validation import COUNTED_VALUES, offload

SPEC = Path(__file__).with_name("bulk.yaml")
JSON = {"Content-Type": "application/json"}


async def client_for(aiohttp_client: Any) -> Any:
    settings = settings_for_spec(SPEC)
    return await aiohttp_client(create_app(settings, build_catalog(settings)))


def recipients(count: int, number: Any = 5) -> io.BytesIO:
    """A body of ``count`` recipients (aiohttp's client wants big bodies as files)."""
    return io.BytesIO(json.dumps({"recipients": [{"number": number}] * count}).encode())


UNREADABLE = pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b"[" * 100_000 + b"]" * 100_000,
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (
            b'{"kind": ' + b"[" * 254 + b"]" * 254 + b"}",
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (
            b'{"kind": "Cat", "lives": ' + b"7" * 100_000 + b"}",
            "an integer of more than 4300 digits",
        ),
        (b'{"kind": "Cat", "name": "\xff"}', "not UTF-8 at byte 25"),
        (
            b'{"kind": "Cat", "lives": 1e999999}',
            "a number too large for a double (more than 1.8e308)",
        ),
    ],
    ids=["nested-100000-deep", "nested-255-deep", "100000-digits", "not-utf8", "infinite"],
)


@UNREADABLE
async def test_unreadable_body_gets_the_documented_400(
    aiohttp_client: Any, body: bytes, detail: str
) -> None:
    """A body that cannot be read as a value gets the spec's 400 answer, never a 500."""
    client = await client_for(aiohttp_client)
    response = await client.post("/pets", data=body, headers=JSON)
    assert (response.status, await response.json()) == (400, {"error": "unreadable"})
    assert json.loads(response.headers["X-Mockproxy-Violations"]) == [
        {"in": "request", "pointer": "/body", "detail": detail}
    ]


@UNREADABLE
async def test_unreadable_body_without_a_documented_answer_is_a_400_problem(
    aiohttp_client: Any, body: bytes, detail: str
) -> None:
    """Where the spec documents no 400, the answer is a malformed-request problem saying why."""
    client = await client_for(aiohttp_client)
    response = await client.post("/faxes", data=body, headers=JSON)
    assert response.status == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = await response.json()
    assert (problem["type"], problem["errors"]) == (
        "https://mockproxy.dev/problems/malformed-request",
        [{"pointer": "/body", "detail": detail}],
    )


async def test_a_body_nested_254_deep_gets_its_errors_listed(aiohttp_client: Any) -> None:
    """At the nesting limit a body is read, and an error about the whole of it is listed."""
    client = await client_for(aiohttp_client)
    response = await client.post("/pets", data=b"[" * 254 + b"]" * 254, headers=JSON)
    assert response.status == 400  # the spec's answer to an invalid pet
    (violation,) = json.loads(response.headers["X-Mockproxy-Violations"])
    assert (violation["pointer"], violation["detail"][:3]) == ("/body", "[[[")
    assert violation["detail"].endswith(
        "]]] is not valid under any of the schemas listed in the 'oneOf' keyword"
    )


async def test_at_most_100_errors_are_listed_and_the_rest_counted(aiohttp_client: Any) -> None:
    """150 invalid items: the first 100 errors are listed, and the problem says 50 more."""
    client = await client_for(aiohttp_client)
    response = await client.post("/faxes", data=recipients(150), headers=JSON)
    problem = await response.json()
    assert response.status == 422
    assert (
        problem["detail"]
        == "the request does not match sendFaxes: 150 error(s), the first 100 listed"
    )
    assert problem["errors"][:2] == [
        {"pointer": "/body/recipients/0/number", "detail": '5 is not of type "string"'},
        {"pointer": "/body/recipients/1/number", "detail": '5 is not of type "string"'},
    ]
    assert len(problem["errors"]) == 100
    assert problem["errors_not_listed"] == 50


async def test_health_answers_while_a_huge_body_is_judged(
    aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """300,000 invalid items (4.5 MB): health, asked once the body is being judged, is
    answered before the body, whose answer lists 100 errors and counts the others among the
    body's first values."""
    client = await client_for(aiohttp_client)
    await client.post("/faxes", data=recipients(20_000), headers=JSON)  # starts the worker
    judging = asyncio.Event()
    judge_json = offload.judge_json

    async def noted(*args: Any) -> offload.BodyJudgement | None:
        judging.set()
        return await judge_json(*args)

    monkeypatch.setattr(offload, "judge_json", noted)
    answered: list[str] = []

    async def ask(path: str, **options: Any) -> Any:
        response = await client.request("POST" if options else "GET", path, **options)
        answered.append(path)
        return response

    async with asyncio.timeout(120):  # a hang guard, not a speed target
        posted = asyncio.ensure_future(ask("/faxes", data=recipients(300_000), headers=JSON))
        await judging.wait()
        assert (await ask("/_mockproxy/health")).status == 200
        response = await posted
    assert answered == ["/_mockproxy/health", "/faxes"]
    problem = await response.json()
    items = (COUNTED_VALUES - 2) // 2  # the body and the list are values, each item two
    assert (response.status, len(problem["errors"])) == (422, 100)
    assert problem["errors_not_listed"] == items - 100
    assert problem["errors_counted_in_first_values"] == COUNTED_VALUES
    assert problem["detail"] == (
        f"the request does not match sendFaxes: at least {items:,} error(s) in the body's "
        f"first {COUNTED_VALUES:,} values, the first 100 listed"
    )


async def test_a_valid_huge_body_passes_off_the_loop(aiohttp_client: Any) -> None:
    """A valid body over the off-loop size gets the normal answer."""
    client = await client_for(aiohttp_client)
    response = await client.post("/faxes", data=recipients(30_000, "+4989"), headers=JSON)
    assert (response.status, await response.json()) == (201, {"sent": True})


@pytest.mark.parametrize(
    ("pet", "status", "errors"),
    [
        ({"kind": "Cat", "name": "Tom", "lives": 9}, 201, None),
        ({"kind": "Dog", "name": "Rex", "lives": "many"}, 201, None),
        (
            {"kind": "Bird", "name": "Tweety"},
            400,
            [{"pointer": "/body/kind", "detail": '"Bird" is not one of "Cat" or "Dog"'}],
        ),
        (
            {"kind": "Cat", "name": "Tom"},
            400,
            [{"pointer": "/body/lives", "detail": '"lives" is a required property'}],
        ),
        (
            {"kind": "Cat", "name": "Tom", "lives": 2**31},
            400,
            [
                {
                    "pointer": "/body/lives",
                    "detail": "2147483648 is greater than the maximum of 2147483647",
                }
            ],
        ),
    ],
    ids=[
        "both-branches-match-the-name-decides",
        "named-branch-only",
        "unknown-name",
        "named-branch-errors",
        "int32-bound",
    ],
)
async def test_discriminator_checks_the_named_branch(
    aiohttp_client: Any, pet: dict[str, Any], status: int, errors: list[dict[str, str]] | None
) -> None:
    """The discriminating property picks the branch; a name no branch has is an error at it
    (an invalid pet gets the spec's documented 400)."""
    client = await client_for(aiohttp_client)
    response = await client.post("/pets", json=pet)
    assert response.status == status
    if errors is not None:
        header = json.loads(response.headers["X-Mockproxy-Violations"])
        assert header == [{"in": "request", **error} for error in errors]


async def test_without_a_worker_a_huge_body_is_judged_on_the_loop(
    aiohttp_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the worker process cannot start, the answer is still right, and the reason logged."""
    from structlog.testing import capture_logs

    def cannot_start() -> Any:
        raise RuntimeError("no processes here\nmore")

    monkeypatch.setattr(offload._WORKER, "_executor", cannot_start)
    client = await client_for(aiohttp_client)
    with capture_logs() as logs:
        response = await client.post("/faxes", data=recipients(30_000), headers=JSON)
    problem = await response.json()
    assert (response.status, problem["errors_not_listed"]) == (422, (COUNTED_VALUES - 2) // 2 - 100)
    assert {
        "event": "validation.worker_unavailable",
        "reason": "no processes here",
        "log_level": "warning",
    } in logs


async def test_a_huge_unreadable_body_is_a_400_from_the_worker(aiohttp_client: Any) -> None:
    """A body over the off-loop size that cannot be read gets the same 400 as a small one."""
    client = await client_for(aiohttp_client)
    body = b'{"recipients": [' + b'{"number": "+1"}, ' * 30_000 + b"1e999999]}"
    response = await client.post("/faxes", data=io.BytesIO(body), headers=JSON)
    assert response.status == 400
    assert (await response.json())["errors"] == [
        {"pointer": "/body", "detail": "a number too large for a double (more than 1.8e308)"}
    ]
