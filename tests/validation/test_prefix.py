"""Error listings of big values: looked for in the first values, only errors the whole value has."""

from __future__ import annotations

from typing import Any

from proxy.validation.prefix import COUNTED_VALUES, prefix_of
from proxy.validation.schemas import Direction, ErrorList, FieldError, SchemaEngine

DOCUMENT = "file:///specs/t.yaml"
PAST = (
    "does not match its schema; its errors are not listed "
    f"(they were looked for in its first {COUNTED_VALUES:,} values only)"
)


def listing(schema: Any, value: Any) -> ErrorList:
    engine = SchemaEngine({DOCUMENT: {"components": {"schemas": {"S": schema}}}})
    check = engine.check(f"{DOCUMENT}#/components/schemas/S", Direction.REQUEST)
    assert not check.passes(value)
    return check.errors(value, "/body")


def test_a_value_within_the_count_is_its_own_prefix() -> None:
    """A value of at most COUNTED_VALUES values is looked at whole, not copied."""
    value = {"a": [1] * (COUNTED_VALUES - 2)}
    part = prefix_of(value)
    assert (part.value is value, part.cut) == (True, frozenset())


def test_a_big_value_is_cut_where_the_count_runs_out() -> None:
    """Values are counted in document order; the containers holding the cut are named."""
    part = prefix_of({"a": [[1, 2], [3, 4]], "b": 5}, budget=7)
    assert part.value == {"a": [[1, 2], [3]]}
    assert part.cut == frozenset({(), ("a",), ("a", 1)})


def test_a_deep_value_is_cut_without_recursion() -> None:
    """A value nested 5,000 levels deep is walked without reaching Python's recursion limit."""
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    part = prefix_of(deep, budget=3)
    assert part.value == [[[]]]


def test_a_big_invalid_value_lists_100_and_counts_in_its_first_values() -> None:
    """300,000 wrong items: 100 errors listed, the others counted among the first values."""
    found = listing({"type": "array", "items": {"type": "string"}}, [5] * 300_000)
    assert found.listed[:2] == (
        FieldError("/body/0", '5 is not of type "string"'),
        FieldError("/body/1", '5 is not of type "string"'),
    )
    assert (len(found.listed), found.unlisted, found.all_counted) == (
        100,
        COUNTED_VALUES - 1 - 100,
        False,
    )


def test_a_required_property_past_the_cut_is_not_called_missing() -> None:
    """A property the value has after its first values is not reported as missing."""
    schema = {"type": "object", "required": ["late"], "properties": {"a": {"items": False}}}
    found = listing(schema, {"a": [1] * COUNTED_VALUES, "late": 1})
    assert all(error.pointer != "/body/late" for error in found.listed)


def test_a_required_property_the_value_lacks_is_missing() -> None:
    """A property the whole value lacks is reported, even where the value was cut."""
    schema = {"type": "object", "required": ["absent"], "properties": {"a": {"items": False}}}
    found = listing(schema, {"a": [1] * COUNTED_VALUES})
    assert found.listed[0] == FieldError("/body/absent", '"absent" is a required property')


def test_too_few_items_is_not_judged_on_a_cut_array() -> None:
    """minItems at an array cut short is not reported: the whole array may have enough."""
    schema = {"type": "array", "minItems": COUNTED_VALUES, "items": {"type": "string"}}
    found = listing(schema, [1] * COUNTED_VALUES)
    assert not any("has less than" in error.detail for error in found.listed)
    assert found.listed[0] == FieldError("/body/0", '1 is not of type "string"')


def test_too_many_items_is_judged_on_a_cut_array() -> None:
    """maxItems at an array cut short is reported: the whole array has even more."""
    found = listing({"type": "array", "maxItems": 10}, [1] * 300_000)
    assert len(found.listed) == 1
    assert found.listed[0].pointer == "/body"
    assert found.listed[0].detail.endswith("has more than 10 items")


def test_errors_past_the_first_values_are_said_to_be_unlisted() -> None:
    """A value whose only error comes after its first values gets one error saying so."""
    value = ["fine"] * COUNTED_VALUES + [5]
    found = listing({"type": "array", "items": {"type": "string"}}, value)
    assert found == ErrorList((FieldError("/body", PAST),), 0, False)


def test_a_value_too_deep_to_list_gets_an_error_not_a_crash() -> None:
    """A value nested past what jsonschema-rs hands back gets one error naming the reason."""
    deep: list[Any] = []
    for _ in range(300):
        deep = [deep]
    found = listing({"type": "string"}, deep)
    assert found == ErrorList(
        (FieldError("/body", "its errors cannot be listed: Recursion limit reached"),), 0
    )
