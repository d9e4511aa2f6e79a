"""The one shape of violations: request errors and contract findings, the capped header."""

from __future__ import annotations

import json

from proxy.violations import (
    MAX_HEADER_CHARACTERS,
    Violation,
    response_violations,
    violations_header,
)


def test_contract_findings_keep_their_pointer() -> None:
    """A finding at a place in the body keeps it; one about the whole response has none."""
    assert response_violations(["/body/jobId: 5 is not of type 'string'", "status 503 is odd"]) == [
        Violation("response", "/body/jobId", "5 is not of type 'string'"),
        Violation("response", "", "status 503 is odd"),
    ]


def test_header_is_a_json_list_of_in_pointer_detail() -> None:
    """Each violation is an object with in, pointer and detail."""
    header = violations_header([Violation("request", "/query/n", "'x' is not of type 'integer'")])
    assert json.loads(header) == [
        {"in": "request", "pointer": "/query/n", "detail": "'x' is not of type 'integer'"}
    ]


def test_header_is_capped_and_says_how_many_were_left_out() -> None:
    """Too many violations for one header line: as many as fit, then a count of the rest."""
    many = [Violation("request", f"/body/items/{n}", "x" * 80) for n in range(200)]
    header = violations_header(many)
    shown = json.loads(header)
    assert len(header) <= MAX_HEADER_CHARACTERS
    assert shown[:-1] == [violation.as_json() for violation in many[: len(shown) - 1]]
    assert shown[-1] == {
        "in": "request",
        "pointer": "",
        "detail": f"... {200 - len(shown) + 1} more in the log",
    }
