"""Realistic dynamic values: chosen by format and property name, seeded, and always valid."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from proxy.mock.generate import generate
from proxy.mock.realistic import realistic_random
from tests.mock.test_generate import assert_valid, make
from tests.toolkit import PEOPLE, MakeClient, client_factory

PERSON: dict[str, Any] = {
    "type": "object",
    "required": ["firstName", "last_name", "email", "phone", "iban", "city", "company"],
    "properties": {
        "firstName": {"type": "string"},
        "last_name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": "string"},
        "iban": {"type": "string"},
        "city": {"type": "string"},
        "company": {"type": "string"},
    },
}


def test_names_and_formats_give_realistic_values() -> None:
    """A person's properties read like a person: no random words, real shapes."""
    schema, registry = make(PERSON)
    value = generate(schema, rng=realistic_random(7, "en_US"))
    assert_valid(value, schema, registry)
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", value["email"])
    assert re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", value["iban"])
    assert value["firstName"][0].isupper() and " " not in value["firstName"]


def test_same_seed_same_values() -> None:
    """One seed gives one body, value for value."""
    schema, _ = make(PERSON)
    first = generate(schema, rng=realistic_random(42, "de_DE"))
    assert generate(schema, rng=realistic_random(42, "de_DE")) == first
    assert generate(schema, rng=realistic_random(43, "de_DE")) != first


def test_locale_shapes_the_values() -> None:
    """A German locale gives German IBANs."""
    schema, _ = make(PERSON)
    assert generate(schema, rng=realistic_random(1, "de_DE"))["iban"].startswith("DE")


@pytest.mark.parametrize(
    "constraint",
    [
        {"pattern": "^[0-9]{4}$"},
        {"maxLength": 3},
        {"minLength": 80},
        {"enum": ["X-1", "X-2"]},
    ],
    ids=["pattern", "max-length", "min-length", "enum"],
)
def test_the_schema_wins_over_the_name(constraint: dict[str, Any]) -> None:
    """A property named like a phone number still meets its pattern, lengths and enum."""
    schema, registry = make(
        {
            "type": "object",
            "required": ["phone"],
            "properties": {"phone": {"type": "string", **constraint}},
        }
    )
    for seed in range(20):
        assert_valid(generate(schema, rng=realistic_random(seed)), schema, registry)


def test_format_wins_over_the_name() -> None:
    """A property named ``email`` with ``format: uuid`` gets a uuid."""
    schema, registry = make(
        {
            "type": "object",
            "required": ["email"],
            "properties": {"email": {"type": "string", "format": "uuid"}},
        }
    )
    value = generate(schema, rng=realistic_random(3))
    assert_valid(value, schema, registry)
    assert "@" not in value["email"]


def test_dates_lie_near_today() -> None:
    """A generated date-time is within a month of today."""
    from datetime import UTC, datetime

    schema, _ = make({"type": "string", "format": "date-time"})
    moment = datetime.strptime(generate(schema, rng=realistic_random(5)), "%Y-%m-%dT%H:%M:%SZ")
    assert abs((moment.replace(tzinfo=UTC) - datetime.now(UTC)).days) <= 31


def test_static_generation_is_untouched() -> None:
    """Without a random source the openapi-sampler values stay."""
    schema, _ = make(PERSON)
    assert generate(schema)["firstName"] == "string"


# -- served: dynamic answers of a real server -----------------------------------------------


@pytest.fixture
def make_client(aiohttp_client: Any, tmp_path: Path) -> MakeClient:
    """mockproxy serving a config given as text."""
    return client_factory(aiohttp_client, tmp_path)


async def test_dynamic_data_is_realistic_repeatable_and_localised(make_client: MakeClient) -> None:
    """``dynamic=true, seed=`` gives a German person twice alike, valid against its schema."""
    client = await make_client(
        f"locale: de_DE\napis:\n  people:\n    spec: {PEOPLE}\n    mode: mock\n"
    )
    headers = {"Prefer": "dynamic=true, seed=42"}
    first = await (await client.get("/_mock/people/people/1", headers=headers)).json()
    second = await (await client.get("/_mock/people/people/1", headers=headers)).json()
    assert first == second
    assert first["iban"].startswith("DE") and re.fullmatch(r"C[0-9]{6}", first["customerNumber"])
    assert "@" in first["email"] and first["firstName"] != "string"
    other = await (
        await client.get("/_mock/people/people/1", headers={"Prefer": "dynamic=true, seed=43"})
    ).json()
    assert other != first


async def test_static_answers_keep_the_sampler_values(make_client: MakeClient) -> None:
    """Without dynamic=true the values stay openapi-sampler's."""
    client = await make_client(
        f"locale: de_DE\napis:\n  people:\n    spec: {PEOPLE}\n    mode: mock\n"
    )
    body = await (await client.get("/_mock/people/people/1")).json()
    assert (body["firstName"], body["email"]) == ("string", "user@example.com")
