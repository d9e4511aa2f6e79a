"""Data from JSON Schema 2020-12: static (openapi-sampler's conventions) or dynamic (seeded).

Static values follow the conventions openapi-sampler set and Redocly's mock server and Prism's
static mode share, so tests written against those tools keep passing: ``example``, ``const``,
the first of ``examples``, the first of ``enum``, ``default``; then ``"string"``, ``0`` or the
minimum, ``true``, fixed samples per format (``"user@example.com"``,
``"2019-08-24T14:15:22Z"``...), arrays of one item, objects with all their properties.
Where such a value would break the schema (pattern, lengths, bounds, uniqueness) the schema
wins. Dynamic values come from a ``random.Random`` and are valid too.

Recursive schemas stay finite: a ``$ref`` already being generated is not entered again
through an optional property (left out) or an array that may be empty (``[]``).
"""

from __future__ import annotations

import base64
import enum
import math
import random
import re
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from proxy.mock.patterns import string_for_pattern
from proxy.openapi.model import Schema

__all__ = ["Direction", "generate"]


class Direction(enum.StrEnum):
    """Which side the data is for: readOnly stays out of requests, writeOnly out of responses."""

    REQUEST = "request"
    RESPONSE = "response"


STATIC_FORMATS: Final[dict[str, str]] = {
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "password": "pa$$word",
    "date-time": "2019-08-24T14:15:22Z",
    "date": "2019-08-24",
    "time": "14:15:22Z",
    "duration": "P3D",
    "ipv4": "192.168.0.1",
    "ipv6": "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "uri": "http://example.com",
    "url": "http://example.com",
    "uri-reference": "../dictionary",
    "uri-template": "http://example.com/{endpoint}",
    "iri": "http://example.com",
    "iri-reference": "../dictionary",
    "uuid": "095be615-a8ad-4c33-8e9c-c7612fbf6c9f",
    "json-pointer": "/json/pointer",
    "relative-json-pointer": "1/relative/json/pointer",
    "regex": "/regex/",
    "byte": "ZXhhbXBsZQ==",
    "binary": "string",
}
_INT_BOUNDS: Final = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_WORDS: Final = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
)
_MAX_DEPTH: Final = 24
_ANNOTATIONS: Final = frozenset({"title", "description", "example", "examples", "default"})


class _Context:
    __slots__ = ("direction", "refs", "rng")

    def __init__(self, rng: random.Random | None, direction: Direction) -> None:
        self.rng = rng
        self.direction = direction
        self.refs: list[str] = []


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
    if node is True or node is None:
        return None
    if node is False or not isinstance(node, dict):
        return None
    if "$ref" in node:
        return _follow(node, resolver, context)
    if context.rng is None:
        found, value = _declared_value(node)
        if found:
            return value
    elif "const" in node:
        return node["const"]
    elif node.get("enum"):
        return context.rng.choice(node["enum"])
    if "allOf" in node:
        merged, separate = _merge_all_of(node, resolver)
        value = _value(merged, resolver, context) if _constraining(merged) or not separate else None
        for part, part_resolver in separate:
            extra = _value(part, part_resolver, context)
            if value is None:
                value = extra
            elif isinstance(value, dict) and isinstance(extra, dict):
                value = {**extra, **value}
        return value
    for keyword in ("oneOf", "anyOf"):
        if node.get(keyword):
            return _choice(node, keyword, resolver, context)
    if "if" in node and "then" in node:
        return _value(
            {**_without(node, "if", "then", "else"), "allOf": [node["then"]]}, resolver, context
        )
    return _typed(node, resolver, context)


def _declared_value(node: dict[str, Any]) -> tuple[bool, Any]:
    if "example" in node:
        return True, node["example"]
    if "const" in node:
        return True, node["const"]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return True, examples[0]
    enum_values = node.get("enum")
    if isinstance(enum_values, list) and enum_values:
        return True, enum_values[0]
    if "default" in node:
        return True, node["default"]
    return False, None


def _follow(node: dict[str, Any], resolver: Any, context: _Context) -> Any:
    ref = node["$ref"]
    resolved = resolver.lookup(ref)
    key = f"{resolved.resolver._base_uri}|{ref}"  # identity of the target
    if context.refs.count(key) >= 2 or len(context.refs) > _MAX_DEPTH:
        raise _Recursion(ref)
    context.refs.append(key)
    try:
        rest = _without(node, "$ref")
        if rest and any(k not in _ANNOTATIONS for k in rest):
            return _value({"allOf": [{"$ref": ref}, rest]}, resolver, context)
        return _value(resolved.contents, resolved.resolver, context)
    finally:
        context.refs.pop()


def _without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def _deref(node: Any, resolver: Any) -> tuple[Any, Any]:
    for _ in range(32):
        if not (isinstance(node, dict) and "$ref" in node and len(node) == 1):
            return node, resolver
        resolved = resolver.lookup(node["$ref"])
        node, resolver = resolved.contents, resolved.resolver
    return node, resolver


Part = tuple[Any, Any]


def _merge_all_of(node: dict[str, Any], resolver: Any) -> tuple[dict[str, Any], list[Part]]:
    """Fold ``allOf`` members into one schema where their refs stay resolvable.

    A member from another document that itself holds refs cannot be folded without
    rewriting them; it comes back as a separate part, generated and merged as a value.
    """
    merged: dict[str, Any] = _without(node, "allOf")
    separate: list[Part] = []
    for member in node["allOf"]:
        member, member_resolver = _deref(member, resolver)
        if not isinstance(member, dict):
            continue
        if "allOf" in member:
            member, more = _merge_all_of(member, member_resolver)
            separate.extend(more)
        same_base = _base(member_resolver) == _base(resolver)
        if not same_base and _has_refs(member):
            separate.append((member, member_resolver))
            continue
        for keyword in ("oneOf", "anyOf"):
            if keyword in member and keyword in merged:
                separate.append(({keyword: member.pop(keyword)}, member_resolver))
        _merge_into(merged, member)
    return merged, separate


def _base(resolver: Any) -> str:
    return str(resolver._base_uri)  # referencing keeps no public accessor


def _has_refs(node: Any) -> bool:
    if isinstance(node, dict):
        return any(k == "$ref" or _has_refs(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_refs(v) for v in node)
    return False


def _merge_into(merged: dict[str, Any], member: dict[str, Any]) -> None:
    for key, value in member.items():
        if key == "properties" and isinstance(value, dict):
            properties = dict(merged.get("properties") or {})
            for name, schema in value.items():
                properties[name] = (
                    {"allOf": [properties[name], schema]} if name in properties else schema
                )
            merged["properties"] = properties
        elif key == "required" and isinstance(value, list):
            merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
        elif key in ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"):
            merged[key] = max(merged[key], value) if key in merged else value
        elif key in ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"):
            merged[key] = min(merged[key], value) if key in merged else value
        elif key == "type" and "type" in merged:
            merged["type"] = _intersect_types(merged["type"], value)
        elif key not in merged or key not in _ANNOTATIONS:
            merged[key] = value


def _intersect_types(a: Any, b: Any) -> Any:
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    both = [t for t in left if t in right or (t == "integer" and "number" in right)]
    both += [t for t in right if t == "integer" and "number" in left and t not in both]
    return both[0] if len(both) == 1 else both or left


def _choice(node: dict[str, Any], keyword: str, resolver: Any, context: _Context) -> Any:
    branches = node[keyword]
    index = 0
    discriminator = node.get("discriminator")
    if context.rng is not None and not discriminator:
        index = context.rng.randrange(len(branches))
    base = _without(node, keyword, "discriminator")
    branch = branches[index]
    schema: dict[str, Any] = {"allOf": [base, branch]} if _constraining(base) else branch
    value = _value(schema, resolver, context)
    if isinstance(discriminator, dict) and isinstance(value, dict):
        name = _discriminator_value(discriminator, branch)
        if name is not None:
            value[discriminator.get("propertyName", "")] = name
    return value


def _constraining(node: dict[str, Any]) -> bool:
    return any(key not in _ANNOTATIONS for key in node)


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
        return _string(node, context.rng)
    if kind == "integer":
        return _number(node, context.rng, integer=True)
    if kind == "number":
        return _number(node, context.rng, integer=False)
    if kind == "boolean":
        return context.rng.random() < 0.5 if context.rng else True
    return None


def _skipped(schema: Any, resolver: Any, context: _Context) -> bool:
    target, _ = _deref(schema, resolver)
    if not isinstance(target, dict):
        return False
    flag = "readOnly" if context.direction is Direction.REQUEST else "writeOnly"
    return target.get(flag) is True or (isinstance(schema, dict) and schema.get(flag) is True)


def _object(node: dict[str, Any], resolver: Any, context: _Context) -> dict[str, Any]:
    properties = node.get("properties") or {}
    required = set(node.get("required") or ())
    result: dict[str, Any] = {}
    for name, schema in properties.items():
        if _skipped(schema, resolver, context) and name not in required:
            continue
        if context.rng is not None and name not in required and context.rng.random() < 0.2:
            continue
        try:
            result[name] = _value(schema, resolver, context)
        except _Recursion:
            if name in required:
                raise
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
    result: list[Any] = []
    try:
        for index in range(count):
            schema = prefix[index] if index < len(prefix) else items
            if items is False and index >= len(prefix):
                break
            result.append(
                _item(schema, resolver, context, index, node.get("uniqueItems") is True, result)
            )
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
    target, target_resolver = _deref(schema, resolver)
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


def _string(node: dict[str, Any], rng: random.Random | None) -> str:
    minimum = int(node.get("minLength", 0))
    maximum = node.get("maxLength")
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        found = string_for_pattern(pattern, rng, minimum, maximum)
        if found is not None:
            return found
    fmt = node.get("format")
    if isinstance(fmt, str):
        sample = _dynamic_format(fmt, rng) if rng else STATIC_FORMATS.get(fmt)
        if sample is not None and minimum <= len(sample) <= (
            maximum if maximum is not None else math.inf
        ):
            return sample
    base = " ".join(rng.sample(_WORDS, 2)) if rng else "string"
    return _fit_length(base, minimum, maximum)


def _fit_length(text: str, minimum: int, maximum: int | None) -> str:
    """Repeat to reach minLength, cut to it (as openapi-sampler does), then to maxLength."""
    if len(text) < minimum:
        text = (text * (minimum // len(text) + 1))[:minimum]
    return text if maximum is None else text[:maximum]


def _dynamic_format(fmt: str, rng: random.Random) -> str | None:
    moment = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 6 * 365 * 86400))
    samples = {
        "date-time": lambda: moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": lambda: moment.strftime("%Y-%m-%d"),
        "time": lambda: moment.strftime("%H:%M:%SZ"),
        "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "email": lambda: f"{rng.choice(_WORDS)}.{rng.choice(_WORDS)}@example.com",
        "ipv4": lambda: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
        "hostname": lambda: f"{rng.choice(_WORDS)}.example.com",
        "uri": lambda: f"https://{rng.choice(_WORDS)}.example.com/{rng.choice(_WORDS)}",
        "byte": lambda: base64.b64encode(rng.randbytes(rng.randint(3, 12))).decode(),
        "password": lambda: "".join(rng.choice(string.ascii_letters) for _ in range(12)),
    }
    maker = samples.get(fmt)
    return maker() if maker else STATIC_FORMATS.get(fmt)


def _number(node: dict[str, Any], rng: random.Random | None, integer: bool) -> int | float:
    low, low_open, high, high_open = _bounds(node, integer)

    def fits(candidate: float) -> bool:
        above = candidate > low if low_open else candidate >= low
        below = candidate < high if high_open else candidate <= high
        return above and below

    step = node.get("multipleOf")
    if rng is not None:
        start = low if low != -math.inf else (high - 1000 if high != math.inf else 0)
        stop = high if high != math.inf else start + 1000
        value: float = (
            rng.uniform(start, stop)
            if not integer
            else rng.randint(math.ceil(start), math.floor(stop))
        )
    elif fits(0):
        value = 0
    elif low != -math.inf:
        value = low + 1 if low_open else low
        if not fits(value):
            value = (low + high) / 2
    else:
        value = high - 1 if high_open else high
        if not fits(value):
            value = (low + high) / 2
    if step:
        value = _multiple(value, step, low, high)
    if integer:
        value = math.ceil(value) if not fits(int(value)) else int(value)
        if node.get("format") in _INT_BOUNDS:
            lo, hi = _INT_BOUNDS[node["format"]]
            value = max(lo, min(hi, value))
        return int(value)
    if not fits(value):
        value = (max(low, -1e9) + min(high, 1e9)) / 2
    return int(value) if rng is None and float(value).is_integer() else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _bounds(node: dict[str, Any], integer: bool) -> tuple[float, bool, float, bool]:
    """(low, low is exclusive, high, high is exclusive); integers get inclusive bounds."""
    low, low_open = float(node.get("minimum", -math.inf)), False
    high, high_open = float(node.get("maximum", math.inf)), False
    exclusive_low: Any = node.get("exclusiveMinimum")
    if _is_number(exclusive_low) and exclusive_low >= low:
        low, low_open = float(exclusive_low), True
    exclusive_high: Any = node.get("exclusiveMaximum")
    if _is_number(exclusive_high) and exclusive_high <= high:
        high, high_open = float(exclusive_high), True
    if integer:
        if low != -math.inf:
            low, low_open = (math.floor(low) + 1 if low_open else math.ceil(low)), False
        if high != math.inf:
            high, high_open = (math.ceil(high) - 1 if high_open else math.floor(high)), False
    return low, low_open, high, high_open


def _multiple(value: float, step: float, low: float, high: float) -> float:
    candidate = math.ceil(value / step) * step
    if candidate > high:
        candidate = math.floor(value / step) * step
    if candidate < low:
        candidate = math.ceil(low / step) * step
    return int(candidate) if float(candidate).is_integer() else candidate
