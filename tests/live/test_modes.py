"""Modes of un-prefixed traffic, their precedence, verify findings and fallback."""

from __future__ import annotations

import gzip
import json
from collections.abc import Awaitable, Callable

import pytest
import structlog.testing

from proxy.settings import Mode, Timeouts
from tests.live.conftest import AUTH, VALID_REPORT, Pair, parse_violations

MakePair = Callable[..., Awaitable[Pair]]
REPORT = "/fax/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"


@pytest.mark.parametrize(
    ("options", "source"),
    [
        ({"mode": Mode.MOCK}, "mock"),
        ({"mode": Mode.LIVE}, "live"),
        ({"mode": Mode.LIVE, "api_mode": Mode.MOCK}, "mock"),
        ({"mode": Mode.MOCK, "api_mode": Mode.MOCK, "env_mode": Mode.LIVE}, "live"),
        ({"env_mode": Mode.LIVE, "api_env_mode": Mode.MOCK}, "mock"),
        ({"api_env_mode": Mode.MOCK, "operations": {"getFaxStatus": Mode.LIVE}}, "live"),
        (
            {
                "api_env_mode": Mode.LIVE,
                "operations": {"GET /{custNr}/fax/reports/{jobId}": Mode.MOCK},
            },
            "mock",
        ),
    ],
    ids=[
        "top-level-mock",
        "top-level-live",
        "api-beats-top",
        "env-beats-api",
        "api-env-beats-env",
        "operation-id-beats-api-env",
        "method-path-beats-api-env",
    ],
)
async def test_mode_precedence(
    make_pair: MakePair, options: dict[str, object], source: str
) -> None:
    """Per operation > MOCKPROXY_MODE_<API> > MOCKPROXY_MODE > API mode > top-level mode."""
    pair = await make_pair(**options)
    response = await pair.client.get(REPORT + "?behave=report", headers=AUTH)
    assert response.headers["X-Mockproxy-Source"] == source
    assert (len(pair.seen) == 1) == (source == "live")


async def test_mock_prefix_always_mocks(make_pair: MakePair) -> None:
    """Under the mock prefix nothing is forwarded, whatever the mode."""
    pair = await make_pair(mode=Mode.LIVE, env_mode=Mode.LIVE)
    response = await pair.client.get("/_mock" + REPORT, headers=AUTH)
    assert response.headers["X-Mockproxy-Source"] == "mock"
    assert pair.seen == []


async def test_live_mode_forwards_undocumented_paths(make_pair: MakePair) -> None:
    """A live API's upstream may know more than its description: unknown paths are forwarded."""
    pair = await make_pair(mode=Mode.LIVE)
    response = await pair.client.get("/fax/9991/undocumented", headers=AUTH)
    assert response.status == 200
    assert pair.seen[0].raw_path == "/fax/v1/9991/undocumented"


async def test_verify_passes_a_conformant_response_unchanged(make_pair: MakePair) -> None:
    """A response that matches the spec carries no violations header."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(REPORT + "?behave=report", headers=AUTH)
    assert await response.json() == VALID_REPORT
    assert "X-Mockproxy-Violations" not in response.headers


async def test_verify_reports_violations_and_counts_them(make_pair: MakePair) -> None:
    """A wrong body is passed unchanged, with each finding in the header and the metric."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(REPORT + "?behave=bad-report", headers=AUTH)
    assert await response.json() == {"jobId": 5}
    assert parse_violations(response.headers["X-Mockproxy-Violations"]) == [
        {
            "in": "response",
            "pointer": "/body/recipientStatus",
            "detail": '"recipientStatus" is a required property',
        },
        {"in": "response", "pointer": "/body/jobId", "detail": '5 is not of type "string"'},
    ]
    metrics = await (await pair.client.get("/_mockproxy/metrics")).text()
    assert 'mockproxy_verify_violations_total{api="fax",operation="getFaxStatus"} 2.0' in metrics


async def test_verify_reports_undocumented_status(make_pair: MakePair) -> None:
    """An upstream status the operation does not document is a violation."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(REPORT + "?behave=unavailable", headers=AUTH)
    assert response.status == 503
    assert parse_violations(response.headers["X-Mockproxy-Violations"]) == [
        {
            "in": "response",
            "pointer": "",
            "detail": "status 503 is not documented for getFaxStatus "
            "(documented: 200, 400, 401, 404, 500)",
        }
    ]


@pytest.mark.parametrize("behave", ["unavailable", "slow"], ids=["503", "timeout"])
async def test_fallback_answers_from_the_mock(make_pair: MakePair, behave: str) -> None:
    """When the upstream is unavailable or too slow, the mock answers, marked fallback."""
    from proxy.settings import Timeouts

    pair = await make_pair(mode=Mode.FALLBACK, timeouts=Timeouts(connect=1, read=0.3, total=2))
    response = await pair.client.get(REPORT + f"?behave={behave}", headers=AUTH)
    assert response.status == 200
    assert response.headers["X-Mockproxy-Source"] == "fallback"
    assert "recipientStatus" in await response.json()


@pytest.mark.parametrize("behave", ["reset&length=1000", "stall"], ids=["reset", "silent"])
async def test_fallback_answers_from_the_mock_when_a_small_answer_breaks_off(
    make_pair: MakePair, behave: str
) -> None:
    """An upstream answer cut or stalled before the client saw any of it is left to the mock."""
    pair = await make_pair(mode=Mode.FALLBACK, timeouts=Timeouts(connect=1, read=0.3, total=2))
    response = await pair.client.get(REPORT + f"?behave={behave}", headers=AUTH)
    assert response.status == 200
    assert response.headers["X-Mockproxy-Source"] == "fallback"
    assert "recipientStatus" in await response.json()


async def test_fallback_passes_a_working_upstream_through(make_pair: MakePair) -> None:
    """With a healthy upstream, fallback mode is live (the body is replayed intact)."""
    pair = await make_pair(mode=Mode.FALLBACK)
    response = await pair.client.post(
        "/fax/9991/fax", json={"recipients": [{"number": "+4989"}]}, headers=AUTH
    )
    assert response.headers["X-Mockproxy-Source"] == "live"
    assert pair.seen[0].body == b'{"recipients": [{"number": "+4989"}]}'


async def test_fallback_when_upstream_refuses(aiohttp_client: object, unused_tcp_port: int) -> None:
    """A refused connection in fallback mode is answered by the mock."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import proxy_settings

    settings = proxy_settings(f"http://127.0.0.1:{unused_tcp_port}/fax/v1", mode=Mode.FALLBACK)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))  # type: ignore[operator]
    response = await client.get(REPORT, headers=AUTH)
    assert response.headers["X-Mockproxy-Source"] == "fallback"


async def test_verify_reports_an_invalid_request_without_blocking_it(make_pair: MakePair) -> None:
    """In verify mode an invalid request is still forwarded; its errors join the findings."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get("/fax/9991/fax/reports?limit=abc&behave=echo", headers=AUTH)
    assert len(pair.seen) == 1
    findings = parse_violations(response.headers["X-Mockproxy-Violations"])
    assert findings[0] == {
        "in": "request",
        "pointer": "/query/limit",
        "detail": '"abc" is not of type "integer"',
    }


async def test_verify_log_line_names_api_and_operation(make_pair: MakePair) -> None:
    """The verify.violations line says which API and operation, with the header's list."""
    pair = await make_pair(mode=Mode.VERIFY)
    with structlog.testing.capture_logs() as logs:
        response = await pair.client.get(REPORT + "?behave=bad-report", headers=AUTH)
    [line] = [entry for entry in logs if entry["event"] == "verify.violations"]
    assert (line["api"], line["operation"], line["status"]) == ("fax", "getFaxStatus", 200)
    assert line["violations"] == parse_violations(response.headers["X-Mockproxy-Violations"])


async def test_verify_violations_reach_the_journal(make_pair: MakePair) -> None:
    """The journal entry of a verified request lists what the header listed."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(REPORT + "?behave=bad-report", headers=AUTH)
    journal = await (await pair.client.get("/_mockproxy/requests?api=fax")).json()
    assert [entry["violations"] for entry in journal["requests"]] == [
        parse_violations(response.headers["X-Mockproxy-Violations"])
    ]


async def test_verify_checks_a_compressed_answer_by_its_content(make_pair: MakePair) -> None:
    """A gzipped answer is checked as the JSON it encodes and reaches the client still gzipped."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(
        REPORT + "?behave=gzip-report", headers=AUTH, auto_decompress=False
    )
    assert "X-Mockproxy-Violations" not in response.headers
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await response.read()) == json.dumps(VALID_REPORT).encode()


async def test_verify_names_a_content_coding_it_cannot_undo(make_pair: MakePair) -> None:
    """An answer in a coding mockproxy cannot decode is passed on, its body reported unchecked."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.get(
        REPORT + "?behave=brotli-report", headers=AUTH, auto_decompress=False
    )
    assert response.status == 200
    assert parse_violations(response.headers["X-Mockproxy-Violations"]) == [
        {
            "in": "response",
            "pointer": "/body",
            "detail": "not checked: the body is in Content-Encoding 'br', which mockproxy "
            "does not decode (gzip, deflate only)",
        }
    ]


async def test_verify_does_not_check_the_body_a_head_answer_leaves_out(make_pair: MakePair) -> None:
    """A HEAD answer has its GET's headers and no body: the missing body is no violation."""
    pair = await make_pair(mode=Mode.VERIFY)
    response = await pair.client.head(REPORT + "?behave=report", headers=AUTH)
    assert response.status == 200
    assert "X-Mockproxy-Violations" not in response.headers
