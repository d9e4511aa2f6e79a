"""The mock end to end: the bundled fax config on a real aiohttp server on loopback."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.dispatch import api_mounts, api_routes
from proxy.keys import RUNTIME
from proxy.settings import ValidationMode
from proxy.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "mockproxy.yaml"
BASE = "/_mock/fax/fax4a-api/9991"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"user:pass").decode()}
JOB = {"recipients": [{"number": "+498900000000"}]}
REPORT = BASE + "/fax/reports/FJKQQUVF1J0IADYARQEXKC"


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient[Any, Any]:
    settings = load_settings(CONFIG, environ={})
    app = create_app(settings, build_catalog(settings))
    result: TestClient[Any, Any] = await aiohttp_client(app)
    return result


@pytest.fixture
async def enforcing_client(aiohttp_client: Any) -> TestClient[Any, Any]:
    """The bundled config with the fax API refusing invalid requests, as APIs do by default."""
    settings = load_settings(CONFIG, environ={})
    fax = dataclasses.replace(settings.apis["fax"], validation=ValidationMode.ENFORCE)
    settings = dataclasses.replace(settings, apis=MappingProxyType({"fax": fax}))
    result: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return result


def fax_schema(name: str) -> dict[str, Any]:
    """A component schema of the sample spec, with its document for $ref resolution."""
    document = load_yaml((ROOT / "config" / "specs" / "fax.yaml").read_text())
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


async def test_send_fax_answers_201_with_the_documented_example(
    client: TestClient[Any, Any],
) -> None:
    """The quickstart request: 201, the first named example, mock headers, documented Location."""
    response = await client.post(BASE + "/fax", json=JOB, headers=AUTH)
    assert response.status == 201
    assert await response.json() == {"jobId": "FJKQQUVF1J0IADYARQEXKC"}
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-Mockproxy-Source"] == "mock"
    assert response.headers["X-Mockproxy-Operation"] == "sendFaxJob"
    assert response.headers["Location"] == "/fax/v1/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"


async def test_missing_credentials_answer_401(client: TestClient[Any, Any]) -> None:
    """Without Authorization the spec's httpBasicAuth is missing: its documented 401 example,
    with the Basic challenge."""
    response = await client.post(BASE + "/fax", json=JOB)
    assert response.status == 401
    assert await response.json() == {
        "code": 401,
        "message": "Not authenticated. Supported authentication types: httpBasicAuth.",
    }
    assert response.headers["WWW-Authenticate"] == 'Basic realm="mockproxy"'


async def test_any_basic_credential_is_accepted(client: TestClient[Any, Any]) -> None:
    """Credentials are never verified: any Basic id:password passes."""
    response = await client.post(
        BASE + "/fax", json=JOB, headers={"Authorization": "Basic bm9ib2R5Og=="}
    )
    assert response.status == 201


@pytest.mark.parametrize(
    ("headers", "query", "status", "body"),
    [
        ({"Prefer": "example=acceptedExpress"}, "", 201, {"jobId": "FJKQQUVF1J0IADYARQEXPR"}),
        ({}, "?__example=acceptedExpress", 201, {"jobId": "FJKQQUVF1J0IADYARQEXPR"}),
        (
            {"Prefer": "example=accepted"},
            "?__example=acceptedExpress",
            201,
            {"jobId": "FJKQQUVF1J0IADYARQEXKC"},
        ),
        (
            {"Prefer": "code=500"},
            "",
            500,
            {"code": 500, "message": "Internal server error. Please try again later."},
        ),
        (
            {},
            "?__code=400",
            400,
            {"code": 400, "message": "Invalid recipient number: '+49 89 abc'."},
        ),
    ],
    ids=["prefer-example", "query-example", "prefer-wins", "prefer-code", "query-code"],
)
async def test_client_steers_the_answer(
    client: TestClient[Any, Any], headers: dict[str, str], query: str, status: int, body: Any
) -> None:
    """Prefer and its query twins pick examples and documented codes."""
    response = await client.post(BASE + "/fax" + query, json=JOB, headers={**AUTH, **headers})
    assert response.status == status
    assert await response.json() == body


async def test_example_alone_selects_its_status(client: TestClient[Any, Any]) -> None:
    """`example=unknownJob` on the report GET answers the 404 that documents it."""
    response = await client.get(REPORT, headers={**AUTH, "Prefer": "example=unknownJob"})
    assert response.status == 404
    assert await response.json() == {"code": 404, "message": "Job not found."}


async def test_undocumented_code_is_a_problem(client: TestClient[Any, Any]) -> None:
    """Forcing a code the operation does not document names the documented ones."""
    response = await client.get(REPORT, headers={**AUTH, "Prefer": "code=418"})
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    body = await response.json()
    assert body["documented_codes"] == ["200", "400", "401", "404", "500"]
    assert body["detail"] == (
        "status 418 is not documented for getFaxStatus; documented: 200, 400, 401, 404, 500"
    )


async def test_unknown_example_lists_the_names(client: TestClient[Any, Any]) -> None:
    """An unknown example name is a problem listing the available ones."""
    response = await client.post(BASE + "/fax", json=JOB, headers={**AUTH, "Prefer": "example=x"})
    assert response.status == 404
    assert (await response.json())["available_examples"] == [
        "201:accepted",
        "201:acceptedExpress",
        "400:invalidNumber",
        "401:notAuthenticated",
        "500:internal",
    ]


async def test_report_without_example_is_generated_valid_and_stable(
    client: TestClient[Any, Any],
) -> None:
    """The report GET has no example: the body is generated, valid, and identical twice."""
    first = await client.get(REPORT, headers=AUTH)
    second = await client.get(REPORT, headers=AUTH)
    assert first.status == 200
    body = await first.read()
    assert body == await second.read()
    jsonschema.validate(
        await first.json(),
        fax_schema("FaxReport"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


async def test_dynamic_with_seed_is_repeatable(client: TestClient[Any, Any]) -> None:
    """`dynamic=true, seed=N` gives the same generated body for the same seed."""
    headers = {**AUTH, "Prefer": "dynamic=true, seed=42"}
    first = await (await client.get(REPORT, headers=headers)).read()
    second = await (await client.get(REPORT, headers=headers)).read()
    assert first == second


async def test_delete_answers_204_without_body(client: TestClient[Any, Any]) -> None:
    """DELETE's documented 204 has no body and no Content-Type."""
    response = await client.delete(REPORT, headers=AUTH)
    assert response.status == 204
    assert await response.read() == b""
    assert "Content-Type" not in response.headers


async def test_head_has_no_body(client: TestClient[Any, Any]) -> None:
    """HEAD is answered like GET, without a body."""
    response = await client.head(REPORT, headers=AUTH)
    assert response.status == 200
    assert await response.read() == b""


async def test_unknown_path_is_404_problem(client: TestClient[Any, Any]) -> None:
    """A path the spec does not have is a 404 problem, not a forward."""
    response = await client.get(BASE + "/nothing-here", headers=AUTH)
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (await response.json())["type"].endswith("/no-such-path")


async def test_undocumented_method_is_405_with_allow(client: TestClient[Any, Any]) -> None:
    """A documented path with an undocumented method is 405 with Allow."""
    response = await client.put(REPORT, headers=AUTH)
    assert response.status == 405
    assert response.headers["Allow"] == "GET, DELETE"
    assert response.headers["Content-Type"] == "application/problem+json"


async def test_unacceptable_accept_is_406(client: TestClient[Any, Any]) -> None:
    """Accept that fits no documented media type is a 406 problem."""
    response = await client.get(REPORT, headers={**AUTH, "Accept": "text/html"})
    assert response.status == 406
    assert (await response.json())["available_media_types"] == ["application/json"]


async def test_unmounted_path_is_404_and_never_forwarded(client: TestClient[Any, Any]) -> None:
    """A path outside every mount is a 404 problem listing the mounts."""
    response = await client.get("/elsewhere/x")
    assert response.status == 404
    assert (await response.json())["mounts"] == ["/fax/fax4a-api"]


async def test_cors_preflight_is_answered(client: TestClient[Any, Any]) -> None:
    """A browser preflight gets the allowed methods and headers back."""
    response = await client.options(
        BASE + "/fax",
        headers={
            "Origin": "http://app.local",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.local"
    assert response.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "authorization, content-type"


async def test_mock_responses_carry_cors_headers(client: TestClient[Any, Any]) -> None:
    """A cross-origin mock answer carries Access-Control-Allow-Origin."""
    response = await client.get(REPORT, headers={**AUTH, "Origin": "http://app.local"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://app.local"


async def test_routes_view_lists_modes(client: TestClient[Any, Any]) -> None:
    """/_mockproxy/routes says each operation's mode and what decided it."""
    body = await (await client.get("/_mockproxy/routes")).json()
    operations = {op["operation"]: op for op in body["apis"][0]["operations"]}
    assert operations["sendFaxJob"]["mode"] == "mock"
    assert operations["sendFaxJob"]["mode_source"] == "config apis.fax.mode"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_mockproxy/nope"),
        ("GET", "/_mockproxy"),
        ("GET", "/_mockproxy/"),
        ("POST", "/_mockproxy/nope"),
        ("GET", "/_mockproxy/explorer/nope/deeper"),
    ],
)
async def test_reserved_prefix_is_never_forwarded(
    client: TestClient[Any, Any], method: str, path: str
) -> None:
    """Unknown paths under /_mockproxy/ are a 404 problem of ours."""
    response = await client.request(method, path)
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (await response.json())["type"].endswith("no-such-admin-endpoint")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/_mockproxy/health", "GET, HEAD"),
        ("PUT", "/_mockproxy/requests", "GET, HEAD, DELETE"),
        ("DELETE", "/_mockproxy/explorer/", "GET, HEAD"),
        ("POST", "/_mockproxy/explorer/static/explorer.js", "GET, HEAD"),  # a route's variable
    ],
)
async def test_admin_path_with_another_method_is_405_naming_the_allowed(
    client: TestClient[Any, Any], method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)
    assert response.status == 405
    assert response.headers["Allow"] == allowed
    problem = await response.json()
    assert problem["type"].endswith("method-not-allowed")
    assert problem["allowed_methods"] == allowed.split(", ")
    assert method in problem["detail"] and path in problem["detail"]


@pytest.mark.parametrize("mount", ["/fax/fax4a-api", "/fax%20v1", "/a/b/c/d", ""])
async def test_every_mount_is_served_with_or_without_a_route_of_its_own(
    aiohttp_client: Any, mount: str
) -> None:
    """Plain mounts get catch-all routes of their own (aiohttp finds them sooner); a mount
    aiohttp would read differently (%-escapes) and the root are left to '/': all are served."""
    settings = load_settings(CONFIG, environ={})
    fax = dataclasses.replace(settings.apis["fax"], mount=mount)
    settings = dataclasses.replace(settings, apis={"fax": fax})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    report = f"/_mock{mount}/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"
    response = await client.get(report, headers=AUTH)
    assert response.status == 200, await response.text()
    assert response.headers["X-Mockproxy-Operation"] == "getFaxStatus"
    assert (await client.get(f"/_mock{mount}/9991/nothing", headers=AUTH)).status == 404
    assert (await client.get(f"/_mock{mount}")).status == 404  # the mount alone is no path
    assert (await client.get("/_mockproxy/health")).status == 200


def test_api_routes_sit_below_plain_mounts_and_never_under_the_reserved_prefix() -> None:
    settings = load_settings(CONFIG, environ={})
    apis = {
        name: dataclasses.replace(settings.apis["fax"], name=name, mount=mount)
        for name, mount in [("plain", "/fax"), ("escaped", "/f%20x"), ("root", "")]
    }
    settings = dataclasses.replace(settings, apis=apis, mock_prefix="/_mockproxy/m")
    paths = [definition.path for definition in api_routes(api_mounts(settings))]
    assert paths == ["/fax/{tail:[\\s\\S]*}", "/{tail:[\\s\\S]*}"]
    settings = dataclasses.replace(settings, mock_prefix="/_mock")
    paths = [definition.path for definition in api_routes(api_mounts(settings))]
    assert paths == [
        "/fax/{tail:[\\s\\S]*}",
        "/_mock/fax/{tail:[\\s\\S]*}",
        "/_mock/{tail:[\\s\\S]*}",
        "/{tail:[\\s\\S]*}",
    ]


async def test_script_callers_get_no_prompting_challenge(client: TestClient[Any, Any]) -> None:
    """X-Requested-With: XMLHttpRequest drops the Basic challenge so browsers do not prompt."""
    response = await client.post(
        BASE + "/fax", json=JOB, headers={"X-Requested-With": "XMLHttpRequest"}
    )
    assert response.status == 401
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(
    ("limit", "size", "chunked"),
    [(40, 200, False), (100_000, 1_000_000, False), (100_000, 1_000_000, True)],
    ids=["small-body-buffered", "large-body-streamed", "large-body-chunked"],
)
async def test_body_over_the_size_limit_is_413(
    aiohttp_client: Any, limit: int, size: int, chunked: bool
) -> None:
    """A body over max_body_size is refused with a 413 problem naming the limit, however it
    arrived."""
    settings = dataclasses.replace(load_settings(CONFIG, environ={}), max_body_bytes=limit)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    body = b'{"recipients": [{"number": "' + b"1" * size + b'"}]}'

    async def in_chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = await client.post(
        BASE + "/fax",
        data=in_chunks() if chunked else body,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert response.content_type == "application/problem+json"
    problem = await response.json()
    assert problem["status"] == 413
    assert problem["max_body_bytes"] == limit
    sent = f"is over {limit} bytes, the most" if chunked else f"is {len(body)} bytes;"
    assert problem["detail"].startswith(f"the request body {sent} mockproxy reads")
    assert problem["detail"].endswith("(max_body_size in the config)")


async def test_body_is_read_whole_for_the_journal(client: TestClient[Any, Any]) -> None:
    """The body the mock validated is the body the journal shows, byte for byte."""
    await client.post(BASE + "/fax", json=JOB, headers=AUTH)
    entries = (await (await client.get("/_mockproxy/requests")).json())["requests"]
    assert [entry["body"] for entry in entries] == ['{"recipients": [{"number": "+498900000000"}]}']


async def test_remembered_answers_follow_what_decides_them(
    enforcing_client: TestClient[Any, Any],
) -> None:
    """Asked again on the same path, the mock answers by the query, Prefer, Accept and
    credentials of each request, never by what an earlier request on that path got."""
    reports = BASE + "/fax/reports"
    asked = [
        ("", {**AUTH}, 200),
        ("", {}, 401),
        ("?limit=abc", {**AUTH}, 400),
        ("?__code=500", {**AUTH}, 500),
        ("", {**AUTH, "Prefer": "code=401"}, 401),
        ("", {**AUTH, "Accept": "text/csv"}, 406),
        ("", {**AUTH}, 200),
    ]
    for _ in range(2):  # the second pass meets every answer remembered
        for query, headers, status in asked:
            response = await enforcing_client.get(reports + query, headers=headers)
            assert response.status == status, (query, headers)
            assert response.headers["X-Request-Id"]


async def test_remembered_answer_is_not_shared_across_origins(client: TestClient[Any, Any]) -> None:
    """A request with an Origin gets its own CORS headers even after plain requests."""
    await client.get(REPORT, headers=AUTH)
    response = await client.get(REPORT, headers={**AUTH, "Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert response.headers["Vary"] == "Origin"


def _request_line_answers(client: TestClient[Any, Any], method: str, target: str) -> int:
    """How many answers the mock-answer cache holds for this method and raw target."""
    answers = client.app[RUNTIME].current.mock_answers
    return sum(1 for key in answers if key[:2] == (method, target))


async def test_request_line_answers_are_remembered(
    client: TestClient[Any, Any],
) -> None:
    """The second identical request is answered from what the first one assembled."""
    first = await client.get(REPORT, headers=AUTH)
    second = await client.get(REPORT, headers=AUTH)
    assert (first.status, await first.read()) == (second.status, await second.read())
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert _request_line_answers(client, "GET", REPORT) == 1


async def test_remembered_post_answer_is_given_only_to_a_valid_body(
    enforcing_client: TestClient[Any, Any],
) -> None:
    """Once a valid POST's answer is remembered, each later body on that request line is still
    read and checked: only a valid one gets the remembered 201."""
    json_type = {"Content-Type": "application/json"}
    asked: list[tuple[bytes, dict[str, str], int]] = [
        (b'{"recipients": [{"number": "+498900000000"}]}', json_type, 201),
        (b'{"recipients": [{"number": 5}]}', json_type, 400),  # wrong type
        (b'{"recipients": []}', json_type, 400),  # minItems
        (b'{"recipients": [{"number": "+4989"', json_type, 400),  # malformed
        (b"null", json_type, 400),
        (b"", json_type, 400),  # required
        (b'{"recipients": [{"number": "+498900000000"}]}', {"Content-Type": "text/plain"}, 415),
        (b'{"recipients": [{"number": "+441234567890"}]}', json_type, 201),
    ]
    for _ in range(2):  # the second pass meets the valid answer remembered
        for body, headers, status in asked:
            response = await enforcing_client.post(
                BASE + "/fax", data=body, headers={**AUTH, **headers}
            )
            assert response.status == status, (body, headers)
            if status == 400 and body:
                assert "X-Mockproxy-Violations" in response.headers, body
    assert _request_line_answers(enforcing_client, "POST", BASE + "/fax") == 1


async def test_documented_request_id_is_the_requests_own(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A spec that documents X-Request-Id on an answer gets each request's own id there (the
    one in the log), not the example: once, for remembered answers too."""
    document = load_yaml((ROOT / "config" / "specs" / "fax.yaml").read_text())
    created = document["paths"]["/{custNr}/fax"]["post"]["responses"]["201"]
    created["headers"]["X-Request-Id"] = {"schema": {"type": "string", "example": "from-spec"}}
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "fax.yaml").write_text(json.dumps(document))
    (tmp_path / "mockproxy.yaml").write_text(CONFIG.read_text())
    settings = load_settings(tmp_path / "mockproxy.yaml", environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    for given in ("r-1", "r-2"):
        response = await client.post(
            BASE + "/fax", json=JOB, headers={**AUTH, "X-Request-Id": given}
        )
        assert response.status == 201
        assert response.headers.getall("X-Request-Id") == [given]
    fresh = await client.post(BASE + "/fax", json=JOB, headers=AUTH)
    assert fresh.headers.getall("X-Request-Id") != ["from-spec"]


@pytest.mark.parametrize(
    ("body", "coding", "status"),
    [
        (gzip.compress(b'{"recipients": [{"number": "+498900000000"}]}'), "gzip", 201),
        (gzip.compress(b'{"recipients": [{"number": 5}]}'), "gzip", 400),
        (zlib.compress(b'{"recipients": [{"number": "+498900000000"}]}'), "deflate", 201),
        (b'{"recipients": [{"number": "+498900000000"}]}', "br", 415),
    ],
    ids=["gzip-valid", "gzip-invalid", "deflate-valid", "unknown-coding"],
)
async def test_a_compressed_request_body_is_judged_by_its_content(
    enforcing_client: TestClient[Any, Any], body: bytes, coding: str, status: int
) -> None:
    """A body sent with a Content-Encoding is decoded before it is validated; one in a coding
    mockproxy cannot undo is a 415 problem naming it."""
    headers = {**AUTH, "Content-Type": "application/json", "Content-Encoding": coding}
    response = await enforcing_client.post(BASE + "/fax", data=body, headers=headers)
    assert response.status == status
    if status == 415:
        assert (await response.json())["detail"] == (
            "the request body is in Content-Encoding 'br', which mockproxy does not decode "
            "(gzip, deflate only)"
        )
