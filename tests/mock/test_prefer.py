"""Prefer header and __ query parameters: parsing, precedence and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proxy.control import strip_control_parameters
from proxy.mock.prefer import Preferences, parse_preferences
from proxy.problems import ProblemError
from tests.mock.test_prism_fidelity import serve


@pytest.mark.parametrize(
    ("headers", "query", "expected"),
    [
        ([], "", Preferences()),
        (["code=404"], "", Preferences(code="404")),
        (["code=404, example=unknownJob"], "", Preferences(code="404", example="unknownJob")),
        (["code=404", "dynamic=true"], "", Preferences(code="404", dynamic=True)),
        (['example="accepted"; foo=bar'], "", Preferences(example="accepted")),
        (["respond-async, wait=10, code=201"], "", Preferences(code="201")),
        ([], "__code=500&__example=internal", Preferences(code="500", example="internal")),
        ([], "__dynamic&__seed=7", Preferences(dynamic=True, seed=7)),
        (["validate=false"], "", Preferences(validate=False)),
    ],
    ids=[
        "none",
        "code",
        "code-and-example",
        "two-headers",
        "quoted-with-params",
        "unknown-preferences-ignored",
        "query-forms",
        "bare-flag-and-seed",
        "validate",
    ],
)
def test_parses_preferences(headers: list[str], query: str, expected: Preferences) -> None:
    """Each Prefer form and its query twin become the same preferences."""
    assert parse_preferences(headers, query) == expected


def test_prefer_header_wins_over_query() -> None:
    """When both say something, the Prefer header wins."""
    assert parse_preferences(["code=404"], "__code=500").code == "404"


@pytest.mark.parametrize(
    ("headers", "query", "detail"),
    [
        (["code=abc"], "", "Prefer code='abc': expected a 3-digit status from 200 to 599"),
        ([], "__seed=x", "query __seed seed='x': expected an integer"),
        (["dynamic=maybe"], "", "Prefer dynamic='maybe': expected true or false"),
    ],
    ids=["code", "seed", "dynamic"],
)
def test_bad_preference_is_a_400_problem(headers: list[str], query: str, detail: str) -> None:
    """A malformed preference is refused with a problem that names it."""
    with pytest.raises(ProblemError) as raised:
        parse_preferences(headers, query)
    assert (raised.value.status, raised.value.detail) == (400, detail)


WITH_DEFAULT = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array}}}}
        default: {description: error, content: {application/json: {schema: {type: object}}}}
"""


@pytest.mark.parametrize("code", ["000", "099", "100", "101", "199", "600", "999"])
async def test_code_that_is_no_final_http_status_is_a_400_problem(
    code: str, aiohttp_client: Any, tmp_path: Path
) -> None:
    """A forced code outside 200-599 is refused by name, even where ``default`` would take
    it: sent as the status it was a broken answer (000) or one the client waited after (1xx)."""
    client = await serve(aiohttp_client, tmp_path, WITH_DEFAULT)
    response = await client.get("/pets", headers={"Prefer": f"code={code}"})
    assert response.status == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert (await response.json())["detail"] == (
        f"Prefer code={code!r}: expected a 3-digit status from 200 to 599"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("limit=5&__code=404&tag=a%20b&tag=c", "limit=5&tag=a%20b&tag=c"),
        ("__code=404", ""),
        ("limit=5", "limit=5"),
    ],
    ids=["mixed", "only-control", "none"],
)
def test_control_parameters_are_stripped(query: str, expected: str) -> None:
    """The mock's own parameters never reach validation; the rest stays byte for byte."""
    assert strip_control_parameters(query) == expected
