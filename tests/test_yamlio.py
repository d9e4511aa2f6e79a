"""The one YAML loader: YAML 1.2 core scalars, and bad scalars as errors, never crashes."""

from __future__ import annotations

import pytest

from proxy.yamlio import YamlSyntaxError, load_yaml


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
