"""Verify mode's response checks: the request validation engine, in the response direction."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy.live.contract import ContractChecker
from proxy.openapi.loader import load_spec

SPEC = load_spec(Path(__file__).with_name("contract.yaml"))
OPERATION = SPEC.operations[0]
JSON = {"Content-Type": "application/json"}


def findings(body: bytes) -> list[str]:
    return ContractChecker(SPEC).check(OPERATION, 200, JSON, body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"id": "u1", "name": "Ada"}', []),
        (
            b'{"id": "u1", "name": "Ada", "password": "x"}',
            ['/body/password: "password" is writeOnly: it must not be sent in a response'],
        ),
        (b'{"id": "u1"}', ['/body/name: "name" is a required property']),
        (b'{"id": "u1", "name": null}', ['/body/name: null is not of type "string"']),
        (
            b"[" * 5000 + b"]" * 5000,
            ["/body: not valid JSON: nested too deeply: at most 254 levels of arrays and objects"],
        ),
    ],
    ids=[
        "read-only-is-fine-in-a-response",
        "write-only-refused",
        "missing-required",
        "null",
        "too-deep",
    ],
)
def test_response_bodies_are_checked_as_responses(body: bytes, expected: list[str]) -> None:
    """readOnly may come back, writeOnly may not; errors point at the value; bad JSON is a finding."""
    assert findings(body) == expected
