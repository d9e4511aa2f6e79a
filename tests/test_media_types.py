"""Media type names, as validation, the mock and the contract checks all read them."""

from __future__ import annotations

import pytest

from proxy.media_types import covers, is_json, media_base


def test_the_base_drops_parameters_and_case() -> None:
    assert media_base("Application/JSON; charset=UTF-8") == "application/json"
    assert media_base(" text/plain ") == "text/plain"


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("application/json", True),
        ("application/problem+json", True),
        ("application/vnd.api+json", True),
        ("text/json", False),  # not registered: read as text, as before
        ("application/jsonl", False),
        ("*/*", False),
    ],
)
def test_json_is_application_json_or_a_json_suffix(base: str, expected: bool) -> None:
    assert is_json(base) is expected


@pytest.mark.parametrize(
    ("documented", "wanted", "expected"),
    [
        ("application/json", "application/json", True),
        ("*/*", "image/png", True),
        ("image/*", "image/png", True),
        ("image/*", "text/plain", False),
        ("application/json", "application/problem+json", False),
        ("image/png", "image/*", False),  # a concrete type does not cover a wildcard
    ],
)
def test_a_documented_type_covers_itself_and_what_its_wildcard_names(
    documented: str, wanted: str, expected: bool
) -> None:
    assert covers(documented, wanted) is expected
