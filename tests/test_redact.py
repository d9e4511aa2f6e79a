"""Secret names and their values replaced, pure: headers, queries, forms and JSON text."""

from __future__ import annotations

import pytest

from proxy.redact import REDACTED, Redactor

DEFAULT = Redactor()


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("proxy-authorization", True),
        ("Set-Cookie", True),
        ("X-API-Key", True),
        ("apikey", True),
        ("access_token", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("client_secret", True),
        ("newPassword", True),
        ("passwd", True),
        ("JSESSIONID", True),
        ("Accept", False),
        ("custNr", False),
        ("keyword", False),
    ],
)
def test_default_secret_names(name: str, secret: bool) -> None:
    """The default names are matched case-insensitively, '-' and '_' alike."""
    assert DEFAULT.is_secret(name) is secret


def test_json_members_at_any_depth_keep_the_rest_as_written() -> None:
    """Objects and arrays under a secret name are replaced whole; other text is untouched."""
    text = '{"a":[{"pin":1,"token":{"x":[1,2]}}],"b" : "password","Secret" :\n"s"}'
    assert Redactor(frozenset({"pin"})).json_text(text) == (
        '{"a":[{"pin": "[redacted]","token": "[redacted]"}],"b" : "password","Secret" : '
        '"[redacted]"}'
    )


def test_json_cut_inside_a_secret_value() -> None:
    """A document cut short inside a secret's value ends with the redaction."""
    assert DEFAULT.json_text('{"user": "ann", "password": "hun') == (
        '{"user": "ann", "password": "[redacted]"'
    )


def test_multipart_fields() -> None:
    """A multipart form's secret fields lose their content, other parts stay."""
    body = (
        '--XyZ\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nk1\r\n'
        '--XyZ\r\nContent-Disposition: form-data; name="doc"; filename="token.txt"\r\n\r\n'
        "hello\r\n--XyZ--\r\n"
    )
    assert DEFAULT.body(body, 'multipart/form-data; boundary="XyZ"') == body.replace("k1", REDACTED)


def test_findings_on_secret_pointers_lose_their_detail() -> None:
    """A validation error about a secret field may quote it: its detail is replaced."""
    errors = [
        {"pointer": "/body/user/password", "detail": "'hunter2' is too short"},
        {"pointer": "/query/limit", "detail": "'x' is not of type 'integer'"},
    ]
    assert DEFAULT.findings(errors) == [
        {"pointer": "/body/user/password", "detail": REDACTED},
        errors[1],
    ]
