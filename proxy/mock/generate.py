"""Data from JSON Schema 2020-12: static (openapi-sampler's conventions) or dynamic (seeded).

Static values follow the conventions openapi-sampler set and Redocly's mock server and Prism's
static mode share, so tests written against those tools keep passing: ``example``, ``const``,
the first of ``examples``, the first of ``enum``, ``default``; then ``"string"``, ``0`` or the
minimum, ``true``, fixed samples per format (``"user@example.com"``,
``"2019-08-24T14:15:22Z"``...), arrays of one item, objects with all their properties.
Where such a value would break the schema (pattern, lengths, bounds, uniqueness) the schema
wins. Dynamic values come from a ``random.Random`` and are valid too.

Recursive schemas stay finite and are cut where openapi-sampler cuts them: a ``$ref`` is
entered once per branch; met again it gives ``{}`` or ``[]`` where that is valid, else an
optional property is left out and an array left empty.
"""

from __future__ import annotations

import enum
import math
import random
import re
from typing import Any, Final

from proxy.mock.folding import ANNOTATIONS, deref, merge_all_of, sets_flag, without
from proxy.mock.scalars import number_value, string_value
from proxy.mock.schema_examples import example_fits
from proxy.openapi.model import Schema

__all__ = ["Direction", "generate"]


class Direction(enum.StrEnum):
    """Which side the data is for: readOnly stays out of requests, writeOnly out of responses."""

    REQUEST = "request"
    RESPONSE = "response"


_MAX_DEPTH: Final = 24


class _Context:
    __slots__ = ("direction", "name", "refs", "rng")

    def __init__(self, rng: random.Random | None, direction: Direction) -> None:
        self.rng = rng
        self.direction = direction
        self.refs: list[int] = []
        self.name: str | None = None
        """The property being generated (dynamic values are chosen by it)."""


class _Recursion(Exception):
    """A $ref already being generated was met again where it cannot be left out."""


def generate(
    schema: Schema, *, rng: random.Random | None = None, direction: Direction = Direction.RESPONSE
) -> Any:
    """A value valid against ``schema``: static when ``rng`` is None, else drawn from ``rng``."""
    context = _Context(rng, direction)
    try:
        return _value(schema.contents, schema.resolver, context)
    except _Recursion:
        return None


def _value(node: Any, resolver: Any, context: _Context) -> Any:
    if not isinstance(node, dict):  # a boolean schema, or none
        return None
    if "$ref" in node:
        return _follow(node, resolver, context)
    found, value = _given_value(node, context)
    if found:
        return value
    if "allOf" in node:
        return _all_of(node, resolver, context)
    for keyword in ("oneOf", "anyOf"):
        if node.get(keyword):
            return _choice(node, keyword, resolver, context)
    if "if" in node and "then" in node:
        return _value(
            {**without(node, "if", "then", "else"), "allOf": [node["then"]]}, resolver, context
        )
    return _typed(node, resolver, context)


def _given_value(node: dict[str, Any], context: _Context) -> tuple[bool, Any]:
    """A value the schema gives itself: any declared one when static; const or an enum
    member drawn from ``rng`` otherwise."""
    if context.rng is None:
        return _declared_value(node)
    if "const" in node:
        return True, node["const"]
    if node.get("enum"):
        return True, context.rng.choice(node["enum"])
    return False, None


def _all_of(node: dict[str, Any], resolver: Any, context: _Context) -> Any:
    """The members folded into one schema; the $refs followed to fold them count as entered,
    so a schema that contains itself through ``allOf`` ends like any recursion."""
    entered: list[int] = []
    merged, separate = merge_all_of(node, resolver, entered)
    if any(key in context.refs for key in entered):
        raise _Recursion("allOf")
    context.refs.extend(entered)
    try:
        value = _value(merged, resolver, context) if _constraining(merged) or not separate else None
        for part, part_resolver in separate:
            extra = _value(part, part_resolver, context)
            if value is None:
                value = extra
            elif isinstance(value, dict) and isinstance(extra, dict):
                value = _joined(value, extra, merged.get("properties") or {})
        return value
    finally:
        del context.refs[len(context.refs) - len(entered) :]


def _joined(value: dict[str, Any], extra: dict[str, Any], own: Any) -> dict[str, Any]:
    """A separate part's object joined to the merged schema's: a property the merged schema
    defines keeps its value; one it only requires (a placeholder, made without a schema, for
    a name an ``anyOf`` branch requires) takes the part's."""
    joined = {**extra, **value}
    joined.update((name, item) for name, item in extra.items() if name not in own)
    return joined


def _declared_value(node: dict[str, Any]) -> tuple[bool, Any]:
    """openapi-sampler's order: example, const, the first of examples, the first of enum,
    default; a value that breaks the schema's own type or enum is passed over (validity wins)."""
    candidates = []
    if "example" in node:
        candidates.append(node["example"])
    if "const" in node:
        candidates.append(node["const"])
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        candidates.append(examples[0])
    enum_values = node.get("enum")
    if isinstance(enum_values, list) and enum_values:
        candidates.append(enum_values[0])
    if "default" in node:
        candidates.append(node["default"])
    for candidate in candidates:
        if example_fits(node, candidate):
            return True, candidate
    return False, None


def _follow(node: dict[str, Any], resolver: Any, context: _Context) -> Any:
    ref = node["$ref"]
    resolved = resolver.lookup(ref)
    rest = without(node, "$ref")
    if context.rng is None and rest and isinstance(resolved.contents, dict):
        found, value = _declared_value({**resolved.contents, **rest})  # 3.1: siblings of $ref
        if found and any(key in rest for key in ("example", "examples", "default")):
            return value
    key = id(resolved.contents)  # identity of the target: the registry's own object
    if key in context.refs:  # entered once per branch, as openapi-sampler does
        return _circular(resolved.contents, ref)
    if len(context.refs) > _MAX_DEPTH:
        raise _Recursion(ref)
    context.refs.append(key)
    try:
        if rest and any(k not in ANNOTATIONS for k in rest):
            return _value({"allOf": [{"$ref": ref}, rest]}, resolver, context)
        return _value(resolved.contents, resolved.resolver, context)
    finally:
        context.refs.pop()


def _circular(target: Any, ref: str) -> Any:
    """A schema met again inside itself: ``{}`` or ``[]`` where that is valid (openapi-sampler's
    placeholders), else cut (an optional member is left out, an array left empty)."""
    if isinstance(target, dict):
        kind = _type_of(target, None)
        if kind == "object" and not target.get("required") and not target.get("minProperties"):
            return {}
        if kind == "array" and not target.get("minItems"):
            return []
    raise _Recursion(ref)


def _choice(node: dict[str, Any], keyword: str, resolver: Any, context: _Context) -> Any:
    branches = node[keyword]
    index = 0
    discriminator = node.get("discriminator")
    if context.rng is not None and not discriminator:
        index = context.rng.randrange(len(branches))
    base = without(node, keyword, "discriminator")
    branch = branches[index]
    schema: dict[str, Any] = {"allOf": [base, branch]} if _constraining(base) else branch
    value = _value(schema, resolver, context)
    if isinstance(discriminator, dict) and isinstance(value, dict):
        name = _discriminator_value(discriminator, branch)
        prop = str(discriminator.get("propertyName", ""))
        if name is not None and _branch_allows(branch, resolver, prop, name):
            value[prop] = name
    return value


def _branch_allows(branch: Any, resolver: Any, prop: str, name: str) -> bool:
    """Whether the branch's own schema for the discriminator property admits ``name``: a
    branch that pins the property (``const``, ``enum``) keeps its own value."""
    target, target_resolver = deref(branch, resolver)
    if not isinstance(target, dict):
        return True
    for member in [target, *(target.get("allOf") or [])]:
        member, member_resolver = deref(member, target_resolver)
        schema = (member.get("properties") or {}).get(prop) if isinstance(member, dict) else None
        schema, _ = deref(schema, member_resolver)
        if isinstance(schema, dict) and not example_fits({**schema, "type": None}, name):
            return False
    return True


def _constraining(node: dict[str, Any]) -> bool:
    return any(key not in ANNOTATIONS for key in node)


def _discriminator_value(discriminator: dict[str, Any], branch: Any) -> str | None:
    ref = branch.get("$ref") if isinstance(branch, dict) else None
    if not isinstance(ref, str):
        return None
    for name, target in (discriminator.get("mapping") or {}).items():
        if target == ref or ref.endswith("/" + str(target)):
            return str(name)
    return str(ref.rsplit("/", 1)[-1])


def _type_of(node: dict[str, Any], rng: random.Random | None) -> str | None:
    declared = node.get("type")
    if isinstance(declared, list):
        concrete = [t for t in declared if t != "null"]
        if not concrete:
            return "null"
        chosen: str = rng.choice(concrete) if rng else concrete[0]
        return chosen
    if isinstance(declared, str):
        return declared
    if any(
        k in node for k in ("properties", "additionalProperties", "required", "patternProperties")
    ):
        return "object"
    if any(k in node for k in ("items", "prefixItems", "minItems", "maxItems", "contains")):
        return "array"
    if any(k in node for k in ("minLength", "maxLength", "pattern", "format")):
        return "string"
    if any(
        k in node
        for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
    ):
        return "number"
    return None


def _typed(node: dict[str, Any], resolver: Any, context: _Context) -> Any:
    kind = _type_of(node, context.rng)
    if kind == "object":
        return _object(node, resolver, context)
    if kind == "array":
        return _array(node, resolver, context)
    if kind == "string":
        return string_value(node, context.rng, context.name)
    if kind == "integer":
        return number_value(node, context.rng, integer=True)
    if kind == "number":
        return number_value(node, context.rng, integer=False)
    if kind == "boolean":
        return context.rng.random() < 0.5 if context.rng else True
    return None


def _skipped(schema: Any, resolver: Any, context: _Context) -> bool:
    """Whether a property stays out of this side: readOnly ones out of requests, writeOnly
    ones out of responses, as validation refuses them."""
    flag = "readOnly" if context.direction is Direction.REQUEST else "writeOnly"
    return sets_flag(schema, resolver, flag)


def _object(node: dict[str, Any], resolver: Any, context: _Context) -> dict[str, Any]:
    properties = node.get("properties") or {}
    required = set(node.get("required") or ())
    result: dict[str, Any] = {}
    for name, schema in properties.items():
        if _skipped(schema, resolver, context):  # required applies to the other direction only
            continue
        if context.rng is not None and name not in required and context.rng.random() < 0.2:
            continue
        context.name = name
        try:
            result[name] = _value(schema, resolver, context)
        except _Recursion:
            if name in required:
                raise
        finally:
            context.name = None
    extra = node.get("additionalProperties")
    for name in sorted(required - result.keys()):
        if name not in properties:
            pattern_schema = _pattern_property(node, name)
            if pattern_schema is not None:
                result[name] = _value(pattern_schema, resolver, context)
            else:
                result[name] = (
                    _value(extra, resolver, context) if isinstance(extra, dict) else "string"
                )
    _additional(node, resolver, context, result)
    return result


def _pattern_property(node: dict[str, Any], name: str) -> Any:
    for pattern, schema in (node.get("patternProperties") or {}).items():
        if _matches(pattern, name):
            return schema
    return None


def _matches(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return False


def _additional(
    node: dict[str, Any], resolver: Any, context: _Context, result: dict[str, Any]
) -> None:
    extra = node.get("additionalProperties")
    limit = node.get("maxProperties", math.inf)
    wanted = max(node.get("minProperties", 0) - len(result), 2 if isinstance(extra, dict) else 0)
    if extra is False or node.get("patternProperties"):
        return
    prefix = node.get("x-additionalPropertiesName", "property")
    index = 1
    while wanted > 0 and len(result) < limit:
        name = f"{prefix}{index}"
        index += 1
        if name in result:
            continue
        result[name] = _value(extra, resolver, context) if isinstance(extra, dict) else "string"
        wanted -= 1


def _array(node: dict[str, Any], resolver: Any, context: _Context) -> list[Any]:
    items: Any = node.get("items", {})
    prefix = node.get("prefixItems") or []
    minimum = node.get("minItems", 0)
    maximum = node.get("maxItems", math.inf)
    count = max(minimum, 1, len(prefix))
    if context.rng is not None:
        count = max(minimum, len(prefix), context.rng.randint(1, 3))
    count = int(min(count, maximum))
    unique = node.get("uniqueItems") is True
    result: list[Any] = []
    try:
        for index in range(count):
            schema = prefix[index] if index < len(prefix) else items
            if items is False and index >= len(prefix):
                break
            value = _item(schema, resolver, context, index, unique, result)
            if unique and value in result and len(result) >= minimum:
                break  # the items' values ran out: a shorter array stays valid
            result.append(value)
    except _Recursion:
        if minimum > 0:
            raise
        return []
    if "contains" in node and not result:
        result.append(_value(node["contains"], resolver, context))
    return result


def _item(
    schema: Any, resolver: Any, context: _Context, index: int, unique: bool, done: list[Any]
) -> Any:
    value = _value(schema, resolver, context)
    if not unique or value not in done:
        return value
    target, target_resolver = deref(schema, resolver)
    options = target.get("enum") if isinstance(target, dict) else None
    if options:
        remaining = [option for option in options if option not in done]
        if remaining:
            return remaining[0]
    varied = _Context(random.Random(index), context.direction)
    for _ in range(16):
        value = _value(target, target_resolver, varied)
        if value not in done:
            return value
    return value
