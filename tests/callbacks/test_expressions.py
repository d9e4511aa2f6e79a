"""Runtime expressions: every source of the OpenAPI grammar, embedded and whole."""

from __future__ import annotations

from typing import Any

import pytest
from multidict import CIMultiDict

from proxy.callbacks.expressions import (
    ExchangedValues,
    MissingValue,
    evaluate,
    expand,
    substitute,
    template_errors,
)

EXCHANGED = ExchangedValues(
    url="http://127.0.0.1:8080/fax?x=1",
    method="POST",
    status=201,
    request_headers=CIMultiDict({"X-Trace": "t-1"}),
    query={"x": "1"},
    path={"custNr": "9991"},
    request_body={"callbackUrl": "http://127.0.0.1:9/hook", "items": [{"id": 7}], "a/b": {"~c": 1}},
    response_headers=CIMultiDict({"Location": "/jobs/J1"}),
    response_body={"jobId": "J1", "pages": 3},
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$url", "http://127.0.0.1:8080/fax?x=1"),
        ("$method", "POST"),
        ("$statusCode", 201),
        ("$request.header.x-trace", "t-1"),
        ("$request.query.x", "1"),
        ("$request.path.custNr", "9991"),
        ("$request.body#/callbackUrl", "http://127.0.0.1:9/hook"),
        ("$request.body#/items/0/id", 7),
        ("$request.body#/a~1b/~0c", 1),
        ("$response.body#/pages", 3),
        ("$response.header.Location", "/jobs/J1"),
        ("$response.body", {"jobId": "J1", "pages": 3}),
    ],
)
def test_each_source_is_read(expression: str, expected: Any) -> None:
    """Each expression names the value the request or answer holds."""
    assert evaluate(expression, EXCHANGED) == expected


def test_a_template_is_expanded() -> None:
    """Embedded expressions become text in place."""
    template = "http://127.0.0.1:9/jobs/{$response.body#/jobId}?n={$response.body#/pages}"
    assert expand(template, EXCHANGED) == "http://127.0.0.1:9/jobs/J1?n=3"


def test_a_whole_expression_keeps_its_type() -> None:
    """A body string that is one expression takes the value's type; others are text."""
    body = {
        "id": "{$response.body#/jobId}",
        "pages": "{$response.body#/pages}",
        "note": "job {$response.body#/jobId}",
    }
    assert substitute(body, EXCHANGED) == {"id": "J1", "pages": 3, "note": "job J1"}


@pytest.mark.parametrize(
    "expression",
    [
        "$request.body#/nothing",
        "$request.query.y",
        "$response.header.X-None",
        "$request.body#/items/5",
    ],
)
def test_a_missing_value_is_named(expression: str) -> None:
    """An expression the request does not satisfy raises MissingValue, naming it."""
    with pytest.raises(MissingValue, match=r"nothing|no "):
        evaluate(expression, EXCHANGED)


@pytest.mark.parametrize(
    "template",
    ["{$request.bogus}", "{$response.query.x}", "{$request.body#nopointer}", "{$status}"],
)
def test_malformed_expressions_are_found_at_load(template: str) -> None:
    """A template with a malformed expression is reported before any request."""
    assert template_errors(template) != []


def test_wellformed_templates_have_no_errors() -> None:
    """A valid template reports nothing."""
    assert template_errors("{$request.body#/url}?id={$response.body#/id}&m={$method}") == []
