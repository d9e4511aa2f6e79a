"""The generator: openapi-sampler's static values, and validity against every keyword."""

from __future__ import annotations

import random
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from proxy.mock.generate import Direction, generate
from proxy.openapi.model import Schema

URI = "file:///test/spec.json"


def make(schema: Any, components: dict[str, Any] | None = None) -> tuple[Schema, Registry[Any]]:
    document = {"components": {"schemas": {**(components or {}), "Subject": schema}}}
    registry: Registry[Any] = Registry().with_resource(URI, DRAFT202012.create_resource(document))
    subject = Schema(schema, registry.resolver(base_uri=URI), URI + "#/components/schemas/Subject")
    return subject, registry


def assert_valid(value: Any, schema: Schema, registry: Registry[Any]) -> None:
    validator = Draft202012Validator(
        {"$ref": schema.uri},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]
    assert errors == [], value


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "string"),
        ({"type": "integer"}, 0),
        ({"type": "number"}, 0),
        ({"type": "boolean"}, True),
        ({"type": "string", "format": "email"}, "user@example.com"),
        ({"type": "string", "format": "date-time"}, "2019-08-24T14:15:22Z"),
        ({"type": "string", "format": "date"}, "2019-08-24"),
        ({"type": "string", "format": "uuid"}, "095be615-a8ad-4c33-8e9c-c7612fbf6c9f"),
        ({"type": "string", "format": "ipv4"}, "192.168.0.1"),
        ({"type": "string", "format": "password"}, "pa$$word"),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "exclusiveMinimum": 5}, 6),
        ({"type": "string", "enum": ["A4", "LETTER"]}, "A4"),
        ({"type": "string", "example": "given"}, "given"),
        ({"type": "string", "default": "fallback"}, "fallback"),
        ({"const": 42}, 42),
        ({"type": "string", "minLength": 10}, "stringstri"),
        ({"type": "string", "maxLength": 3}, "str"),
        ({"type": "array", "items": {"type": "integer"}}, [0]),
        (
            {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
            {"a": "string", "b": 0},
        ),
        (
            {"type": "object", "additionalProperties": {"type": "integer"}},
            {"property1": 0, "property2": 0},
        ),
    ],
    ids=lambda value: str(value)[:40],
)
def test_static_values_follow_sampler_conventions(schema: Any, expected: Any) -> None:
    """Static generation gives the values openapi-sampler gives."""
    subject, registry = make(schema)
    value = generate(subject)
    assert value == expected
    assert_valid(value, subject, registry)


KEYWORD_CASES: dict[str, Any] = {
    "formats": {
        "type": "object",
        "properties": {
            name: {"type": "string", "format": name}
            for name in (
                "date-time",
                "date",
                "time",
                "duration",
                "uuid",
                "email",
                "idn-email",
                "uri",
                "uri-reference",
                "iri",
                "hostname",
                "idn-hostname",
                "ipv4",
                "ipv6",
                "byte",
                "binary",
                "regex",
                "json-pointer",
                "relative-json-pointer",
                "uri-template",
            )
        },
    },
    "integer-formats": {
        "type": "object",
        "properties": {
            "i32": {"type": "integer", "format": "int32"},
            "i64": {"type": "integer", "format": "int64", "minimum": 10},
            "f": {"type": "number", "format": "float", "maximum": -3.5},
            "d": {"type": "number", "format": "double", "exclusiveMaximum": 0},
        },
    },
    "bounds": {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "minimum": 3, "maximum": 3},
            "b": {"type": "number", "exclusiveMinimum": 1.5, "exclusiveMaximum": 2},
            "c": {"type": "integer", "multipleOf": 7, "minimum": 10},
            "d": {"type": "number", "multipleOf": 0.25, "minimum": 0.3},
            "e": {"type": "integer", "maximum": -5},
        },
    },
    "strings": {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2,4}$"},
            "alternation": {"type": "string", "pattern": "^(red|green|blue)$"},
            "lengths": {"type": "string", "minLength": 12, "maxLength": 14},
            "pattern-and-length": {"type": "string", "pattern": "^[a-z]+$", "minLength": 5},
        },
    },
    "arrays": {
        "type": "object",
        "properties": {
            "min": {"type": "array", "items": {"type": "string"}, "minItems": 3},
            "unique": {
                "type": "array",
                "items": {"type": "integer"},
                "minItems": 3,
                "uniqueItems": True,
            },
            "unique-enum": {
                "type": "array",
                "items": {"enum": ["a", "b", "c"]},
                "minItems": 2,
                "uniqueItems": True,
            },
            "tuple": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
            "max-zero": {"type": "array", "maxItems": 0},
        },
    },
    "objects": {
        "type": "object",
        "required": ["id", "extra"],
        "properties": {"id": {"type": "integer"}},
        "additionalProperties": {"type": "string", "maxLength": 4},
        "minProperties": 3,
        "maxProperties": 3,
    },
    "nullable": {
        "type": "object",
        "properties": {
            "n": {"type": ["string", "null"]},
            "e": {"type": ["string", "null"], "enum": ["x", None]},
            "only-null": {"type": "null"},
        },
    },
    "all-of": {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {
                "type": "object",
                "required": ["age"],
                "properties": {"age": {"type": "integer", "minimum": 1}},
            },
        ]
    },
    "one-of-discriminator": {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
    },
    "any-of": {"anyOf": [{"type": "integer", "minimum": 3}, {"type": "string"}]},
    "recursive": {"$ref": "#/components/schemas/Node"},
    "not": {"type": "string", "not": {"const": "x"}},
    "boolean-true": True,
}
COMPONENTS = {
    "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    "Cat": {
        "type": "object",
        "required": ["kind", "meows"],
        "properties": {"kind": {"type": "string"}, "meows": {"type": "boolean"}},
    },
    "Dog": {
        "type": "object",
        "required": ["kind", "barks"],
        "properties": {"kind": {"type": "string"}, "barks": {"type": "boolean"}},
    },
    "Node": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
}


@pytest.mark.parametrize("seed", [None, 1, 2, 3], ids=["static", "seed-1", "seed-2", "seed-3"])
@pytest.mark.parametrize("case", sorted(KEYWORD_CASES), ids=str)
def test_generated_data_is_valid(case: str, seed: int | None) -> None:
    """Static and dynamic values validate against their schema, keyword by keyword."""
    subject, registry = make(KEYWORD_CASES[case], COMPONENTS)
    value = generate(subject, rng=None if seed is None else random.Random(seed))
    assert_valid(value, subject, registry)


def test_static_generation_is_deterministic() -> None:
    """The same schema always gives the same value."""
    subject, _ = make(KEYWORD_CASES["recursive"], COMPONENTS)
    assert generate(subject) == generate(subject)


def test_seed_repeats_dynamic_values() -> None:
    """The same seed gives the same dynamic value; another seed another value."""
    subject, _ = make(KEYWORD_CASES["formats"], COMPONENTS)
    first = generate(subject, rng=random.Random(7))
    assert first == generate(subject, rng=random.Random(7))
    assert first != generate(subject, rng=random.Random(8))


def test_discriminator_property_names_the_branch() -> None:
    """The discriminator property carries the mapping key of the chosen branch."""
    subject, _ = make(KEYWORD_CASES["one-of-discriminator"], COMPONENTS)
    assert generate(subject) == {"kind": "cat", "meows": True}


def test_recursion_is_cut_where_openapi_sampler_cuts() -> None:
    """A $ref is entered once per branch; met again, an optional member is left out and an
    array of it is empty (openapi-sampler's ``{}`` would break the required ``name``)."""
    subject, _ = make(KEYWORD_CASES["recursive"], COMPONENTS)
    assert generate(subject) == {"name": "string", "children": []}


def test_recursion_placeholder_is_an_empty_object_where_valid() -> None:
    """A recursive schema that requires nothing gets openapi-sampler's ``{}`` placeholder."""
    loose = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Loose"}}}
    subject, _ = make({"$ref": "#/components/schemas/Loose"}, {"Loose": loose})
    assert generate(subject) == {"next": {}}


def test_schema_containing_itself_through_all_of_ends() -> None:
    """``parent: {allOf: [$ref repo]}`` inside ``repo`` is a recursion like any other."""
    repo = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "parent": {"allOf": [{"$ref": "#/components/schemas/Repo"}]},
        },
    }
    subject, registry = make({"$ref": "#/components/schemas/Repo"}, {"Repo": repo})
    value = generate(subject)
    assert value == {"id": 0}
    assert_valid(value, subject, registry)


def test_discriminator_keeps_the_branch_const() -> None:
    """A branch that pins the discriminator property keeps its value, not its schema name."""
    call = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["function"]}},
    }
    subject, registry = make(
        {
            "oneOf": [{"$ref": "#/components/schemas/ToolCall"}],
            "discriminator": {"propertyName": "type"},
        },
        {"ToolCall": call},
    )
    assert generate(subject) == {"type": "function"}
    assert_valid(generate(subject), subject, registry)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "boolean", "example": "false"}, True),
        ({"type": "object", "properties": {"a": {"type": "integer"}}, "example": [1]}, {"a": 0}),
        ({"type": "integer", "example": "7", "default": 3}, 3),
        ({"type": "string", "enum": ["a", "b"], "example": "c"}, "a"),
    ],
    ids=["string-for-boolean", "list-for-object", "default-next", "outside-enum"],
)
def test_examples_that_break_their_schema_are_passed_over(schema: Any, expected: Any) -> None:
    """Validity wins over a property's own example: the next valid value is used."""
    subject, _ = make(schema)
    assert generate(subject) == expected


def test_schema_examples_keyword_gives_its_first_item() -> None:
    """JSON Schema ``examples`` (3.1) is used as ``example`` is, beside a $ref too."""
    subject, _ = make(
        {
            "type": "object",
            "properties": {
                "id": {"type": "string", "examples": ["abc", "def"]},
                "name": {"$ref": "#/components/schemas/Name", "examples": ["Ada"]},
            },
        },
        {"Name": {"type": "string"}},
    )
    assert generate(subject) == {"id": "abc", "name": "Ada"}


@pytest.mark.parametrize(
    ("direction", "expected"),
    [(Direction.RESPONSE, {"id": "string"}), (Direction.REQUEST, {"password": "pa$$word"})],
    ids=["response", "request"],
)
def test_required_read_and_write_only_stay_on_their_side(
    direction: Direction, expected: dict[str, Any]
) -> None:
    """``required`` on a writeOnly property applies to requests only, readOnly to responses."""
    subject, _ = make(
        {
            "type": "object",
            "required": ["id", "password"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "password": {"type": "string", "format": "password", "writeOnly": True},
            },
        }
    )
    assert generate(subject, direction=direction) == expected


@pytest.mark.parametrize(
    ("direction", "present", "absent"),
    [(Direction.RESPONSE, "id", "password"), (Direction.REQUEST, "password", "id")],
    ids=["response", "request"],
)
def test_read_only_and_write_only(direction: Direction, present: str, absent: str) -> None:
    """readOnly stays out of requests, writeOnly out of responses."""
    subject, _ = make(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "password": {"type": "string", "writeOnly": True},
            },
        }
    )
    value = generate(subject, direction=direction)
    assert present in value
    assert absent not in value
