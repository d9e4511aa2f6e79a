"""The first values of a big value, in document order: what a bounded error listing reads.

jsonschema-rs builds every error of a value before it hands over the first (several µs each:
300,000 invalid items take seconds), so errors are listed from a prefix of the value: at
most ``COUNTED_VALUES`` values (each item, member and the value itself counts one), the rest
of each array and object left out where the count runs out. Only the containers holding that
point (``Prefix.cut``) differ from the value itself; an error elsewhere in the prefix is an
error of the value. At a cut container, only errors that leaving members out cannot cause are
the value's too (``Prefix.holds``): a wrong type, too many items or properties, repeated items,
unexpected or badly named properties, a refused (readOnly) one, and a missing property the
value does not have either. One case stays open: an ``if`` whose answer depends on members
left out is judged on the prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = ["COUNTED_VALUES", "Prefix", "prefix_of"]

COUNTED_VALUES: Final = 4_000
"""The most values whose errors are looked for: jsonschema-rs builds an error in about 7 µs
of CPU, so a body whose every value is wrong holds the event loop for 30 ms at most."""

Path = tuple[str | int, ...]

_SAME_IN_THE_WHOLE: Final = frozenset(
    {
        "type",
        "maxItems",
        "maxProperties",
        "uniqueItems",
        "additionalProperties",
        "propertyNames",
        "custom",
    }
)
"""Kinds of error at a cut container that the whole value has as well."""


@dataclass(frozen=True, slots=True)
class Prefix:
    """A value's first values (``value``), and the paths of the containers that were cut."""

    value: Any
    whole: Any
    cut: frozenset[Path]

    def holds(self, location: Path, kind: str, missing: str | None) -> bool:
        """Whether an error of the prefix (of ``kind``, at ``location``; for a ``required``
        one, the ``missing`` property) is an error of the whole value."""
        if location not in self.cut:
            return True
        if kind == "required":
            return missing not in _at(self.whole, location)
        return kind in _SAME_IN_THE_WHOLE


def _at(value: Any, location: Path) -> Any:
    for part in location:
        value = value[part]
    return value


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _members(container: Any) -> Any:
    return iter(container.items()) if isinstance(container, dict) else enumerate(container)


def _empty_like(container: Any) -> Any:
    return {} if isinstance(container, dict) else []


def _add(container: Any, key: str | int, member: Any) -> None:
    if isinstance(container, dict):
        container[key] = member
    else:
        container.append(member)


def _fits(value: Any, budget: int) -> bool:
    """Whether ``value`` holds at most ``budget`` values (counted without recursion)."""
    pending = [value]
    counted = 0
    while pending:
        container = pending.pop()
        counted += len(container) if _is_container(container) else 0
        if counted >= budget:
            return False
        pending.extend(member for member in _iterable(container) if _is_container(member))
    return True


def _iterable(container: Any) -> Any:
    return container.values() if isinstance(container, dict) else container


def prefix_of(value: Any, budget: int = COUNTED_VALUES) -> Prefix:
    """``value`` itself when it holds at most ``budget`` values; else a copy of its first
    ``budget`` values in document order (walked without recursion: values nest deep)."""
    if not _is_container(value) or _fits(value, budget):
        return Prefix(value, value, frozenset())
    top = _empty_like(value)
    stack: list[tuple[Any, Any, Path]] = [(_members(value), top, ())]
    left = budget - 1
    while stack:
        members, copy, path = stack[-1]
        for key, member in members:
            if left == 0:
                return Prefix(top, value, frozenset(path for _, _, path in stack))
            left -= 1
            if _is_container(member):
                inner = _empty_like(member)
                _add(copy, key, inner)
                stack.append((_members(member), inner, (*path, key)))
                break
            _add(copy, key, member)
        else:
            stack.pop()
    return Prefix(top, value, frozenset())
