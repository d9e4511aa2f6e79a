"""Parameter deserialisation: OpenAPI styles and explode, then coercion guided by the schema.

Raw wire values in, plain Python values out, ready for JSON Schema validation: path segments
(simple, label, matrix), query strings (form, spaceDelimited, pipeDelimited, deepObject,
Swagger 2.0's tabDelimited), headers (simple) and cookies (form). Strings become integers,
numbers, booleans or null where the schema's type asks for them and the text allows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote, unquote_plus

from proxy.openapi.model import Parameter, ParameterLocation

__all__ = ["MISSING", "Shape", "deserialize", "shape_of"]

MISSING: Final = object()
_INTEGER = re.compile(r"^[-+]?\d+$")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_DELIMITERS: Final = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}


@dataclass(frozen=True, slots=True)
class Shape:
    """What a schema says about how to read text: its types, item shape, property shapes."""

    types: tuple[str, ...]
    items: Shape | None = None
    properties: Mapping[str, Shape] | None = None
    additional: Shape | None = None
    kind: str = field(init=False, compare=False)  # the first type but null: how text is split

    def __post_init__(self) -> None:
        concrete = [t for t in self.types if t != "null"]
        kind = concrete[0] if concrete else (self.types[0] if self.types else "string")
        object.__setattr__(self, "kind", kind)  # computed once: read on every request


_STRING: Final = Shape(("string",))


def shape_of(contents: Any, resolver: Any, depth: int = 0) -> Shape:
    """The reading shape of a schema: $ref and allOf followed, types gathered."""
    if depth > 8 or not isinstance(contents, dict):
        return _STRING
    if "$ref" in contents:
        resolved = resolver.lookup(contents["$ref"])
        return shape_of(resolved.contents, resolved.resolver, depth + 1)
    types: list[str] = []
    declared = contents.get("type")
    if isinstance(declared, str):
        types.append(declared)
    elif isinstance(declared, list):
        types.extend(str(t) for t in declared)
    items = properties = additional = None
    for member in [
        *contents.get("allOf", []),
        *contents.get("anyOf", []),
        *contents.get("oneOf", []),
    ]:
        inner = shape_of(member, resolver, depth + 1)
        types.extend(t for t in inner.types if t not in types)
        items = items or inner.items
        properties = properties or inner.properties
    if "items" in contents:
        items = shape_of(contents["items"], resolver, depth + 1)
    if isinstance(contents.get("properties"), dict):
        properties = {
            name: shape_of(schema, resolver, depth + 1)
            for name, schema in contents["properties"].items()
        }
    if isinstance(contents.get("additionalProperties"), dict):
        additional = shape_of(contents["additionalProperties"], resolver, depth + 1)
    if not types:
        types = ["object"] if properties else ["array"] if items else ["string"]
    return Shape(tuple(types), items, properties, additional)


def coerce(text: str, shape: Shape) -> Any:
    """Text to the first of the schema's types that it can be."""
    for kind in shape.types:
        if kind == "integer" and _INTEGER.match(text):
            return int(text)
        if kind == "number" and _NUMBER.match(text):
            number = float(text)
            return (
                int(number)
                if number.is_integer() and "." not in text and "e" not in text.lower()
                else number
            )
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "null" and text in ("", "null"):
            return None
        if kind == "string":
            return text
    return text


def _property_shape(shape: Shape, name: str) -> Shape:
    if shape.properties and name in shape.properties:
        return shape.properties[name]
    return shape.additional or _STRING


def _pairs_to_object(pairs: Sequence[str], shape: Shape) -> dict[str, Any]:
    return {
        pairs[i]: coerce(pairs[i + 1], _property_shape(shape, pairs[i]))
        for i in range(0, len(pairs) - 1, 2)
    }


def _split_assignments(parts: Sequence[str], shape: Shape) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for part in parts:
        name, _, value = part.partition("=")
        result[name] = coerce(value, _property_shape(shape, name))
    return result


def _from_list(values: list[str], shape: Shape, explode: bool) -> Any:
    """Values already split on the style's delimiter."""
    if shape.kind == "array":
        return [coerce(v, shape.items or _STRING) for v in values]
    if shape.kind == "object":
        if explode:
            return _split_assignments(values, shape)
        return _pairs_to_object(values, shape)
    return coerce(",".join(values), shape)


def _path_value(raw: str, parameter: Parameter, shape: Shape) -> Any:
    style, explode = parameter.style, parameter.explode
    if style == "label":
        raw = raw[1:] if raw.startswith(".") else raw
        parts = raw.split("." if explode else ",") if shape.kind in ("array", "object") else [raw]
        return _from_list([unquote(p) for p in parts], shape, explode)
    if style == "matrix":
        prefix = f";{parameter.name}="
        if shape.kind == "object" and explode:
            return _split_assignments([unquote(p) for p in raw.lstrip(";").split(";")], shape)
        if shape.kind == "array" and explode:
            return _from_list(
                [unquote(p[len(prefix) - 1 :]) for p in raw.split(";") if p], shape, True
            )
        raw = raw[len(prefix) :] if raw.startswith(prefix) else raw
    if shape.kind in ("array", "object"):
        return _from_list([unquote(p) for p in raw.split(",")], shape, explode)
    return coerce(unquote(raw), shape)


def _query_value(pairs: Sequence[tuple[str, str]], parameter: Parameter, shape: Shape) -> Any:
    name = parameter.name
    if parameter.style == "deepObject":
        prefix = name + "["
        found = {
            k[len(prefix) : -1]: v for k, v in pairs if k.startswith(prefix) and k.endswith("]")
        }
        if not found:
            return MISSING
        return {k: coerce(v, _property_shape(shape, k)) for k, v in found.items()}
    values = [v for k, v in pairs if k == name]
    if shape.kind == "object" and parameter.explode and parameter.style == "form":
        props = shape.properties or {}
        found_props = {k: v for k, v in pairs if k in props}
        return (
            _split_assignments([f"{k}={v}" for k, v in found_props.items()], shape)
            if found_props
            else MISSING
        )
    if not values:
        return MISSING
    if shape.kind == "array":
        if parameter.style in _DELIMITERS:
            return _from_list(values[0].split(_DELIMITERS[parameter.style]), shape, False)
        if parameter.explode:
            return _from_list(values, shape, True)
        return _from_list(values[0].split(","), shape, False)
    if shape.kind == "object":
        return _from_list(values[0].split(","), shape, False)
    return coerce(values[0], shape)


def deserialize(
    parameter: Parameter,
    shape: Shape,
    path_params: Mapping[str, str],
    query_pairs: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Any:
    """The parameter's value, or MISSING; ``content`` parameters are parsed as JSON."""
    location = parameter.location
    if location is ParameterLocation.PATH:
        raw = path_params.get(parameter.name)
        if raw is None:
            return MISSING
        if parameter.content:
            return _json_value(unquote(raw))
        return _path_value(raw, parameter, shape)
    if location is ParameterLocation.QUERY:
        if parameter.content:
            values = [v for k, v in query_pairs if k == parameter.name]
            return _json_value(values[0]) if values else MISSING
        return _query_value(query_pairs, parameter, shape)
    source = headers if location is ParameterLocation.HEADER else cookies
    raw = source.get(parameter.name)
    if raw is None:
        return MISSING
    if parameter.content:
        return _json_value(raw)
    if shape.kind in ("array", "object"):
        return _from_list([p.strip() for p in raw.split(",")], shape, parameter.explode)
    return coerce(raw, shape)


def _json_value(text: str) -> Any:
    """A ``content`` parameter's value; nesting past Python's recursion limit is unreadable
    text like any other (a ValueError), not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def query_pairs(query_string: str) -> list[tuple[str, str]]:
    """Raw query string to decoded pairs (``+`` is a space, as form encoding says)."""
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs
