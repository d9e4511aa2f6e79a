"""The schema engine: pointers at the value each error is about, JSON messages, OpenAPI's dialect."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from proxy.validation.schemas import Direction, FieldError, SchemaEngine

DOCUMENT = "file:///specs/t.yaml"


def errors(
    schema: Any, value: Any, direction: Direction = Direction.REQUEST
) -> tuple[tuple[FieldError, ...], int]:
    engine = SchemaEngine({DOCUMENT: {"components": {"schemas": {"S": schema}}}})
    check = engine.check(f"{DOCUMENT}#/components/schemas/S", direction)
    listed, more, all_counted = check.errors(value, "/body")
    assert check.passes(value) is (not listed)
    assert all_counted
    return listed, more


def test_each_missing_required_property_is_pointed_at() -> None:
    """`{}` against required a, b, c: one error at each missing property."""
    assert errors({"type": "object", "required": ["a", "b", "c"]}, {}) == (
        (
            FieldError("/body/a", '"a" is a required property'),
            FieldError("/body/b", '"b" is a required property'),
            FieldError("/body/c", '"c" is a required property'),
        ),
        0,
    )


@pytest.mark.parametrize("keyword", ["additionalProperties", "unevaluatedProperties"])
def test_each_unexpected_property_is_pointed_at(keyword: str) -> None:
    """Properties the schema does not allow are errors at themselves, one each."""
    schema = {"type": "object", "properties": {"a": {}}, keyword: False}
    assert errors(schema, {"a": 1, "b/c": 2, "d": 3})[0] == (
        FieldError("/body/b~1c", f'"b/c" is not allowed here ({keyword} false)'),
        FieldError("/body/d", f'"d" is not allowed here ({keyword} false)'),
    )


@pytest.mark.parametrize(
    ("schema", "value", "detail"),
    [
        ({"type": "string"}, None, 'null is not of type "string"'),
        ({"enum": ["A3", "A5"]}, "A4", '"A4" is not one of "A3" or "A5"'),
        ({"const": False}, True, "false was expected"),
        (
            {"type": "integer", "format": "int32"},
            2**31,
            "2147483648 is greater than the maximum of 2147483647",
        ),
        (
            {"type": "string", "format": "int64"},
            "9223372036854775808",
            '"9223372036854775808" is not a "int64"',
        ),
        ({"type": "string", "format": "byte"}, "not base64!", '"not base64!" is not a "byte"'),
        ({"type": "string", "format": "date"}, "2020-02-30", '"2020-02-30" is not a "date"'),
    ],
    ids=["null", "string", "boolean", "int32", "int64-text", "byte", "date"],
)
def test_messages_speak_json(schema: dict[str, Any], value: Any, detail: str) -> None:
    """Values in messages are written as JSON, and OpenAPI's formats are checked."""
    assert errors(schema, value) == ((FieldError("/body", detail),), 0)


def test_a_long_value_is_shortened_in_the_message() -> None:
    """A message quoting a big value keeps its start and its reason, not the whole value."""
    (error,), _ = errors(
        {"oneOf": [{"type": "string"}, {"type": "integer"}]}, {"a": ["x" * 50] * 40}
    )
    assert len(error.detail) < 300
    assert error.detail.endswith(
        "is not valid under any of the schemas listed in the 'oneOf' keyword"
    )


@pytest.mark.parametrize(
    ("direction", "refused"),
    [(Direction.REQUEST, "id"), (Direction.RESPONSE, "password")],
    ids=["request-refuses-read-only", "response-refuses-write-only"],
)
def test_read_only_and_write_only_by_direction(direction: Direction, refused: str) -> None:
    """Requests may not send readOnly properties, responses may not carry writeOnly ones."""
    schema = {
        "type": "object",
        "properties": {"id": {"readOnly": True}, "password": {"writeOnly": True}},
    }
    (error,), _ = errors(schema, {"id": 1, "password": "x"}, direction)
    assert error.pointer == f"/body/{refused}"
    assert error.detail.startswith(
        f'"{refused}" is {"readOnly" if refused == "id" else "writeOnly"}'
    )


def test_at_most_100_errors_are_listed() -> None:
    """150 errors: 100 listed, 50 counted."""
    listed, more = errors({"type": "array", "items": {"type": "string"}}, list(range(150)))
    assert (len(listed), listed[-1].pointer, more) == (100, "/body/99", 50)


def test_unexpected_properties_count_towards_the_limit() -> None:
    """One error naming 150 unexpected properties lists 100 of them and counts 50."""
    listed, more = errors(
        {"type": "object", "additionalProperties": False}, {f"p{i}": i for i in range(150)}
    )
    assert (len(listed), more) == (100, 50)


def test_a_property_map_member_that_is_no_schema_is_left_out() -> None:
    """`properties: {$ref: file.yml}` constrains nothing, as jsonschema reads it, instead of
    making the whole schema unusable."""
    schema = {"type": "object", "required": ["a"], "properties": {"$ref": "attributes.yml#/x"}}
    assert errors(schema, {"a": 1}) == ((), 0)
    assert errors(schema, {})[0] == (FieldError("/body/a", '"a" is a required property'),)


def test_nothing_outside_the_description_is_fetched() -> None:
    """A $ref to the network is never followed: the schema is logged as skipped and accepts."""
    with capture_logs() as logs:
        listed = errors({"$ref": "https://example.com/schema.json"}, 5)[0]
    assert listed == ()
    assert [entry["event"] for entry in logs] == ["validation.schema_skipped"]
    assert "example.com" in logs[0]["reason"]
