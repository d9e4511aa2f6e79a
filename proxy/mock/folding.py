"""Schema folding for the generator: ``$ref`` chains followed, ``allOf`` members merged
into one schema where their refs stay resolvable."""

from __future__ import annotations

from typing import Any, Final

from referencing.exceptions import Unresolvable

__all__ = ["ANNOTATIONS", "Part", "deref", "merge_all_of", "without"]

ANNOTATIONS: Final = frozenset({"title", "description", "example", "examples", "default"})
"""Keywords that describe a schema without constraining its values."""

Part = tuple[Any, Any]


def without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def deref(node: Any, resolver: Any, entered: list[int] | None = None) -> tuple[Any, Any]:
    """Follow bare ``$ref``s; the identity of each target goes to ``entered`` when given."""
    for _ in range(32):
        if not (isinstance(node, dict) and "$ref" in node and len(node) == 1):
            return node, resolver
        resolved = resolver.lookup(node["$ref"])
        node, resolver = resolved.contents, resolved.resolver
        if entered is not None:
            entered.append(id(node))
    return node, resolver


def merge_all_of(
    node: dict[str, Any], resolver: Any, entered: list[int] | None = None
) -> tuple[dict[str, Any], list[Part]]:
    """Fold ``allOf`` members into one schema where their refs stay resolvable.

    A member from another document that itself holds refs cannot be folded without
    rewriting them; it comes back as a separate part, generated and merged as a value.
    The identities of the schemas reached through ``$ref`` go to ``entered``.
    """
    merged: dict[str, Any] = without(node, "allOf")
    separate: list[Part] = []
    for member in node["allOf"]:
        member, member_resolver = deref(member, resolver, entered)
        if not isinstance(member, dict):
            continue
        if "allOf" in member:
            member, more = merge_all_of(member, member_resolver, entered)
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


def _base(resolver: Any) -> int | None:
    """The identity of the document a resolver resolves against (its root's contents)."""
    try:
        return id(resolver.lookup("#").contents)
    except Unresolvable:
        return None


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
        elif key not in merged or key not in ANNOTATIONS:
            merged[key] = value


def _intersect_types(a: Any, b: Any) -> Any:
    left = a if isinstance(a, list) else [a]
    right = b if isinstance(b, list) else [b]
    both = [t for t in left if t in right or (t == "integer" and "number" in right)]
    both += [t for t in right if t == "integer" and "number" in left and t not in both]
    return both[0] if len(both) == 1 else both or left
