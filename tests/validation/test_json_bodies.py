"""JSON request bodies: the fast parser and Python's agree on every value; what cannot be read is a clear error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from proxy.openapi.model import MediaType
from proxy.validation.bodies import BodyError, parse_body

JSON = MediaType("application/json", None)


def parsed(body: bytes) -> Any:
    return parse_body(body, "application/json", JSON, None)


@pytest.mark.parametrize(
    "body",
    [
        b'{"recipients": [{"number": "+498900000000"}]}',
        b'{"a": 1, "a": 2}',
        b'{"big": 123456789012345678901234567890}',
        b'{"small": -9223372036854775809}',
        b"18446744073709551616",
        b'[1,"2",18446744073709551615,-9223372036854775808]',
        b'{"f": 1.0, "e": 1e300, "tiny": 5e-324}',
        b'{"pi": 3.14159265358979323846264338327950288}',
        b'{"id": 9007199254740993}',
        b'"caf\\u00e9 \xe2\x98\x83"',
        b"[null, true, false, 0, -0]",
        b"  \n[1]\t ",
        b"[" * 254 + b"]" * 254,
        b"[" * 253 + b"[12345678901234567890123]" + b"]" * 253,
        b"[" + b"[[]]," * 300 + b"{}]",
    ],
    ids=[
        "object",
        "duplicate-key",
        "huge-int",
        "below-int64",
        "past-uint64-alone",
        "at-the-int-limits",
        "floats",
        "long-mantissa",
        "beyond-double",
        "unicode",
        "literals",
        "whitespace",
        "254-deep",
        "254-deep-with-long-integers",
        "many-brackets-little-depth",
    ],
)
def test_values_are_what_python_json_reads(body: bytes) -> None:
    """Whichever parser reads it, the value equals json.loads' value, types included."""
    value = parsed(body)
    expected = json.loads(body.decode("utf-8"))
    assert value == expected
    assert json.dumps(value) == json.dumps(expected)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b'{"a": 1 "b": 2}',
            "malformed JSON at line 1 column 9: unexpected character, expected ',' or '}'",
        ),
        (
            b"\xef\xbb\xbf{}",
            "a byte order mark (U+FEFF) before the JSON text: RFC 8259 forbids sending one;"
            " remove it",
        ),
        (b'{"a": "\xff"}', "not UTF-8 at byte 7"),
    ],
    ids=["missing-comma", "bom", "not-utf8"],
)
def test_errors_name_line_and_column(body: bytes, detail: str) -> None:
    """A body that does not parse gets the parser's message, with line and column."""
    with pytest.raises(BodyError) as raised:
        parsed(body)
    assert (raised.value.pointer, raised.value.detail) == ("/body", detail)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b"[" * 100_000 + b"]" * 100_000,
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (
            b"[" * 1000 + b"12345678901234567890123" + b"]" * 1000,
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (
            b"[" * 255 + b"]" * 255,
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (
            b"[" * 254 + b'{"n": 12345678901234567890123}' + b"]" * 254,
            "nested too deeply: at most 254 levels of arrays and objects",
        ),
        (b"1" * 100_000, "an integer of more than 4300 digits"),
        (b'{"n": 1e999999}', "a number too large for a double (more than 1.8e308)"),
        (b"[1e400, 12345678901234567890]", "a number too large for a double (more than 1.8e308)"),
        (
            b'{"x": NaN}',
            "malformed JSON at line 1 column 7: unexpected character, expected a JSON value",
        ),
        (b'{"lone": "\\ud800"}', "malformed JSON at line 1 column 11: no low surrogate in string"),
        (b'"\xff 12345678901234567890"', "not UTF-8 at byte 1"),
    ],
    ids=[
        "deep",
        "deep-with-long-integers",
        "255-deep",
        "255-deep-with-long-integers",
        "long-integer",
        "infinite",
        "infinite-with-long-integers",
        "nan",
        "lone-surrogate",
        "not-utf8-with-long-integers",
    ],
)
def test_values_that_cannot_be_checked_are_refused(body: bytes, detail: str) -> None:
    """Nesting past the limit, huge integers and numbers, NaN and lone surrogates are clear errors."""
    with pytest.raises(BodyError) as raised:
        parsed(body)
    assert (raised.value.pointer, raised.value.detail) == ("/body", detail)
