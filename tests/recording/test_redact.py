"""The redaction rules for recordings, as pure functions."""

from __future__ import annotations

import json

import pytest

from proxy.recording.redact import kept_headers, redact_body
from proxy.redact import Redactor

NO_EXTRA = Redactor()

BODY = json.dumps({"pin": "t", "items": [{"ssn": "s", "pin": "u"}], "a/b": {"c": 1}}).encode()


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (("pin",), {"pin": "[redacted]", "items": [{"ssn": "s", "pin": "[redacted]"}]}),
        (("/items/0/ssn",), {"pin": "t", "items": [{"ssn": "[redacted]", "pin": "u"}]}),
        (
            ("/a~1b/c",),
            {"pin": "t", "items": [{"ssn": "s", "pin": "u"}], "a/b": {"c": "[redacted]"}},
        ),
    ],
    ids=["field-name-at-any-depth", "pointer", "escaped-pointer"],
)
def test_json_body_rules(rules: tuple[str, ...], expected: dict[str, object]) -> None:
    """Field names match at any depth; pointers match one place."""
    redacted = json.loads(redact_body(BODY, "application/json", rules, NO_EXTRA))
    assert {"a/b": {"c": 1}, **expected} == redacted


def test_body_without_matches_keeps_its_bytes() -> None:
    """Nothing to blank: the upstream's bytes stay as they were."""
    body = b'{ "id" : 1 }'
    assert redact_body(body, "application/json", ("name", "/missing/0"), NO_EXTRA) is body


def test_journal_rules_apply_without_configuration() -> None:
    """Secret-looking fields (token, password, ...) are blanked as in the journal."""
    body = b'{"access_token": "abc", "name": "x"}'
    redacted = redact_body(body, "application/json", (), NO_EXTRA)
    assert json.loads(redacted) == {"access_token": "[redacted]", "name": "x"}


def test_non_json_body_is_not_touched() -> None:
    """Field names mean nothing in text: the body is kept."""
    assert redact_body(b"pin=1", "text/plain", ("pin",), NO_EXTRA) == b"pin=1"


def test_only_documented_headers_are_kept_and_credentials_blanked() -> None:
    """Undocumented headers go; documented credentials are blanked; names as the spec spells them."""
    headers = [("x-rate-limit", "9"), ("X-Internal", "x"), ("set-cookie", "a=1"), ("X-Key", "k")]
    kept = kept_headers(
        headers, ["X-Rate-Limit", "Set-Cookie", "X-Key"], Redactor(frozenset({"x-key"}))
    )
    assert kept == {"X-Rate-Limit": "9", "Set-Cookie": "[redacted]", "X-Key": "[redacted]"}
