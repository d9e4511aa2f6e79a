"""The one YAML loader: YAML 1.2 core scalars, and bad scalars as errors, never crashes."""

from __future__ import annotations

import pytest

from proxy.yamlio import YamlSyntaxError, load_yaml, load_yaml_document


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0553391925", 553391925),
        ("012345678910", 12345678910),
        ("-012", -12),
        ("0o17", 15),
        ("0x1F", 31),
        ("'0553391925'", "0553391925"),
        ("1_000", "1_000"),
    ],
    ids=["isbn", "leading-zero-long", "negative", "octal", "hex", "quoted", "underscore"],
)
def test_integers_follow_the_yaml_12_core_schema(text: str, value: object) -> None:
    """Leading zeros are decimal, ``0o``/``0x`` are octal/hex, other text stays a string."""
    assert load_yaml(f"a: {text}\n") == {"a": value}


@pytest.mark.parametrize("text", ["!!int 0b101", "!!int 0x1G", "!!float abc"])
def test_unconvertible_tagged_scalars_are_syntax_errors(text: str) -> None:
    """An explicit tag PyYAML cannot convert is a YamlSyntaxError, not a ValueError."""
    with pytest.raises(YamlSyntaxError):
        load_yaml(f"a: {text}\n")


def test_an_alias_is_the_object_its_anchor_built() -> None:
    """`*x` gives the very mapping `&x` built, as PyYAML's loader does."""
    data = load_yaml("a: &x {b: [1, 2]}\nc: *x\n")
    assert data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}}
    assert data["a"] is data["c"]


def test_key_positions_point_at_each_key() -> None:
    """A document keeps the 1-based line and column of every mapping key."""
    document = load_yaml_document("top:\n  inner: 1\n  other: [x]\n")
    inner = document.data["top"]
    assert document.position(document.data, "top") == (1, 1)
    assert document.position(inner, "other") == (3, 3)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a: 1\nb: *nowhere\n", "found undefined alias 'nowhere'", 2),
        ("a: 1\n---\nb: 2\n", "expected a single document in the stream", 2),
        ("x: " + "[" * 600 + "]" * 600, "nested too deeply: more than 512 levels", 1),
    ],
    ids=["undefined alias", "two documents", "600 levels"],
)
def test_unreadable_structure_is_a_syntax_error_with_its_line(
    text: str, message: str, line: int
) -> None:
    """Undefined aliases, a second document and runaway nesting name where they are."""
    with pytest.raises(YamlSyntaxError, match=message) as raised:
        load_yaml(text)
    assert raised.value.line == line


def test_a_tab_that_indents_is_named_as_the_fault() -> None:
    """A tab where YAML expects spaces says so, at its line and column, instead of only
    'found character that cannot start any token'."""
    with pytest.raises(YamlSyntaxError) as raised:
        load_yaml("apis:\n\tfax:\n    spec: fax.yaml\n")
    assert (raised.value.line, raised.value.column) == (2, 1)
    assert str(raised.value).endswith("; this is a tab: YAML indents with spaces only")
