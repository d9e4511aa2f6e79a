"""Compiled verdicts keyword by keyword: each case's expected verdict is also jsonschema's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict
from referencing import Registry

from proxy.openapi.loader import load_spec
from proxy.validation import RequestParts, compile_validator
from proxy.validation.compiled import compile_schema
from proxy.validation.dialect import FORMAT_CHECKER, RequestValidator

REGISTRY: Registry[Any] = Registry()
TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
    "$ref": "#/$defs/node",
}
PETS = {
    "$defs": {
        "Cat": {"type": "object", "properties": {"lives": {"type": "integer", "maximum": 9}}},
        "Dog": {"type": "object", "properties": {"bark": {"type": "boolean"}}},
    },
    "oneOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
    "discriminator": {"propertyName": "kind", "mapping": {"puss": "#/$defs/Cat"}},
}

CASES: list[tuple[str, Any, Any, bool]] = [
    ("integer-int", {"type": "integer"}, 1, True),
    ("integer-whole-float", {"type": "integer"}, 1.0, True),
    ("integer-fraction", {"type": "integer"}, 1.5, False),
    ("integer-bool", {"type": "integer"}, True, False),
    ("integer-text", {"type": "integer"}, "1", False),
    ("number-bool", {"type": "number"}, False, False),
    ("number-float", {"type": "number"}, 1.5, True),
    ("boolean-int", {"type": "boolean"}, 1, False),
    ("boolean-bool", {"type": "boolean"}, True, True),
    ("null-false", {"type": "null"}, False, False),
    ("null-none", {"type": "null"}, None, True),
    ("type-list-null", {"type": ["string", "null"]}, None, True),
    ("type-list-other", {"type": ["string", "null"]}, 0, False),
    ("type-empty-list", {"type": []}, "x", False),
    ("object-list", {"type": "object"}, [], False),
    ("nullable-object-null", {"type": ["object", "null"], "required": ["a"]}, None, True),
    ("nullable-object-checked", {"type": ["null", "object"], "required": ["a"]}, {}, False),
    ("nullable-null-meets-enum", {"type": ["string", "null"], "enum": ["a"]}, None, False),
    ("string-ignores-number-keywords", {"type": "string", "minimum": 5}, "1", True),
    ("array-object", {"type": "array"}, {}, False),
    ("enum-true-not-1", {"enum": [1, "a", None]}, True, False),
    ("enum-1.0-is-1", {"enum": [1, "a", None]}, 1.0, True),
    ("enum-none", {"enum": [1, "a", None]}, None, True),
    ("enum-1-not-true", {"enum": [True]}, 1, False),
    ("enum-nested-bool", {"enum": [[1, 2]]}, [True, 2], False),
    ("enum-nested-float", {"enum": [{"a": 1}]}, {"a": 1.0}, True),
    ("enum-missed", {"enum": ["a", "b"]}, "c", False),
    ("const-false-not-0", {"const": 0}, False, False),
    ("const-0.0-is-0", {"const": 0}, 0.0, True),
    ("minLength-code-points", {"minLength": 2}, "\u00e9", False),
    ("minLength-astral", {"minLength": 2}, "\U0001f600\U0001f600", True),
    ("maxLength-astral", {"maxLength": 1}, "\U0001f600", True),
    ("maxLength-ignores-numbers", {"maxLength": 1}, 12345, True),
    ("pattern-searches", {"pattern": "a"}, "bab", True),
    ("pattern-dollar-before-newline", {"pattern": "^a$"}, "a\n", True),
    ("pattern-miss", {"pattern": "^[0-9]+$"}, "12a", False),
    ("minimum-equal", {"minimum": 5}, 5, True),
    ("minimum-ignores-bool", {"minimum": 5}, True, True),
    ("exclusiveMinimum-equal", {"exclusiveMinimum": 5}, 5.0, False),
    ("maximum-above", {"maximum": 5}, 5.5, False),
    ("exclusiveMaximum-below", {"exclusiveMaximum": 5}, 4, True),
    ("multipleOf-int", {"multipleOf": 2}, 4.0, True),
    ("multipleOf-odd", {"multipleOf": 2}, 3, False),
    ("multipleOf-float-rounding", {"multipleOf": 0.1}, 0.3, False),
    ("multipleOf-float-overflow", {"multipleOf": 0.5}, 1e308, True),
    ("required-missing", {"required": ["a", "b"]}, {"a": 1}, False),
    ("required-ignores-arrays", {"required": ["a"]}, [], True),
    (
        "additional-false-pattern-ok",
        {"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": False},
        {"x1": 1},
        True,
    ),
    (
        "additional-false-extra",
        {"patternProperties": {"^x": {}}, "additionalProperties": False},
        {"y": 1},
        False,
    ),
    (
        "pattern-property-wrong",
        {"properties": {"x": {}}, "patternProperties": {"^x": {"type": "integer"}}},
        {"x": "s"},
        False,
    ),
    (
        "additional-schema",
        {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
        {"a": "s", "b": "s"},
        False,
    ),
    ("property-false", {"properties": {"a": False}}, {"a": 1}, False),
    ("propertyNames", {"propertyNames": {"maxLength": 2}}, {"abc": 1}, False),
    ("minProperties", {"minProperties": 1}, {}, False),
    ("maxProperties", {"maxProperties": 1}, {"a": 1, "b": 2}, False),
    ("dependentRequired", {"dependentRequired": {"a": ["b"]}}, {"a": 1}, False),
    (
        "dependentSchemas",
        {"dependentSchemas": {"a": {"required": ["c"]}}},
        {"a": 1, "c": 2},
        True,
    ),
    ("items-false-extra", {"prefixItems": [{}], "items": False}, [1, 2], False),
    ("items-false-fits", {"prefixItems": [{}], "items": False}, [1], True),
    ("prefixItems", {"prefixItems": [{"type": "string"}]}, [1], False),
    ("items-after-prefix", {"prefixItems": [{}], "items": {"type": "string"}}, [1, "a"], True),
    ("items-schema", {"items": {"type": "string"}}, ["a", 2], False),
    ("minItems", {"minItems": 1}, [], False),
    ("maxItems", {"maxItems": 1}, [1, 2], False),
    ("uniqueItems-true-is-not-1", {"uniqueItems": True}, [1, True], True),
    ("uniqueItems-1.0-is-1", {"uniqueItems": True}, [1, 1.0], False),
    ("uniqueItems-objects", {"uniqueItems": True}, [{"a": 1}, {"a": 1}], False),
    ("contains-none", {"contains": {"type": "string"}}, [1], False),
    ("contains-max", {"contains": {"type": "string"}, "maxContains": 1}, ["a", "b"], False),
    ("contains-min", {"contains": {"type": "string"}, "minContains": 2}, ["a", "b"], True),
    ("allOf", {"allOf": [{"type": "integer"}, {"minimum": 2}]}, 1, False),
    ("anyOf", {"anyOf": [{"type": "integer"}, {"type": "string"}]}, "a", True),
    ("oneOf-two-match", {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1, False),
    ("oneOf-one-match", {"oneOf": [{"type": "integer"}, {"minimum": 0}]}, -1, True),
    ("not", {"not": {"type": "string"}}, "a", False),
    ("if-then", {"if": {"type": "string"}, "then": {"minLength": 2}}, "a", False),
    ("if-else", {"if": {"type": "string"}, "else": {"minimum": 2}}, 1, False),
    ("format-uuid", {"format": "uuid"}, "nope", False),
    ("format-ignores-numbers", {"format": "uuid"}, 5, True),
    ("format-unknown", {"format": "fax-number"}, "x", True),
    ("readOnly-sent", {"properties": {"id": {"readOnly": True}}}, {"id": 1}, False),
    ("readOnly-absent", {"properties": {"id": {"readOnly": True}}}, {}, True),
    ("readOnly-false", {"readOnly": False}, 1, True),
    ("schema-false", False, 1, False),
    ("ref-recursive", TREE, {"name": "a", "children": [{"name": "b", "children": []}]}, True),
    ("ref-recursive-deep-error", TREE, {"name": "a", "children": [{"children": []}]}, False),
    (
        "ref-siblings-apply",
        {"$defs": {"s": {"type": "string"}}, "$ref": "#/$defs/s", "maxLength": 2},
        "abc",
        False,
    ),
    ("discriminator-mapping", PETS, {"kind": "puss", "lives": 10}, False),
    ("discriminator-by-ref-name", PETS, {"kind": "Dog", "bark": True}, True),
    ("discriminator-unknown", PETS, {"kind": "Cow"}, False),
    ("discriminator-absent-plain-oneOf", PETS, {"lives": 3}, False),
    ("discriminator-absent-one-branch", PETS, {"bark": 1}, True),
]


@pytest.mark.parametrize(
    ("schema", "value", "valid"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_verdict_matches_jsonschema(schema: Any, value: Any, valid: bool) -> None:
    """The compiled verdict, compiled whole, is the expected one, which is jsonschema's."""
    compiled = compile_schema(schema, REGISTRY)
    judge = RequestValidator(schema, registry=REGISTRY, format_checker=FORMAT_CHECKER)
    assert compiled is not None and compiled.complete
    assert (compiled.verdict(value), judge.is_valid(value)) == (valid, valid)


def test_uncompiled_keyword_is_left_to_jsonschema() -> None:
    """A subschema with unevaluatedProperties is judged by jsonschema, the rest compiled."""
    schema = {
        "type": "object",
        "properties": {"inner": {"properties": {"a": {}}, "unevaluatedProperties": False}},
    }
    compiled = compile_schema(schema, REGISTRY)
    assert compiled is not None and not compiled.complete and compiled.nodes == 1
    assert compiled.verdict({"inner": {"a": 1}}) is True
    assert compiled.verdict({"inner": {"a": 1, "b": 2}}) is False


@pytest.mark.parametrize(
    "schema",
    [{"properties": {"a": {"$id": "urn:x", "type": "string"}}}, {"$dynamicRef": "#meta"}],
    ids=["id", "dynamicRef"],
)
def test_scope_changing_keywords_leave_the_whole_schema(schema: Any) -> None:
    """$id and $dynamicRef depend on the path taken: jsonschema judges the whole schema."""
    assert compile_schema(schema, REGISTRY) is None


def test_malformed_keyword_raises_as_jsonschema_does() -> None:
    """A minimum that is not a number: both raise on a number instead of answering."""
    schema = {"properties": {"n": {"minimum": "5"}}}
    compiled = compile_schema(schema, REGISTRY)
    assert compiled is not None and not compiled.complete
    assert compiled.verdict({"n": "text"}) is True
    with pytest.raises(TypeError):
        compiled.verdict({"n": 3})


def test_valid_body_never_reaches_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid request is answered by the verdicts alone; jsonschema is not called."""
    spec = load_spec(Path(__file__).with_name("styles.yaml"))
    validators = {op.key: compile_validator(op, spec) for op in spec.operations}

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("jsonschema was asked")

    monkeypatch.setattr(RequestValidator, "iter_errors", boom)
    query = "limit=5&color=red,green&multi=1.5&multi=2&filter[min]=1&flag=true"
    styles = RequestParts(
        {"id": "7", "tags": "1,2", "point": "x=1,y=2", "label": ".a,b", "matrix": ";matrix=true"},
        query,
        CIMultiDict({"X-Id": "095be615-a8ad-4c33-8e9c-c7612fbf6c9f", "X-List": "1, 2"}),
        {"session": "abc"},
        None,
        b"",
    )
    pet = RequestParts(
        {}, "", CIMultiDict(), {}, "application/json", b'{"kind": "cat", "name": "Tom", "lives": 3}'
    )
    assert validators["styles"].validate(styles).errors == ()
    assert validators["createPet"].validate(pet).status == 200
