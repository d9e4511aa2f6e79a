"""Verdicts that join a node's keywords in one closure, so a value costs few Python calls.

``typed_object``, ``typed_array`` and ``typed_string`` are a ``type: object|array|string``
node with its commonest keywords inlined; ``dispatch`` judges a node without one type by the
value's JSON type. Each takes the node's remaining keywords as one ``rest`` verdict.
"""

from __future__ import annotations

import math
from itertools import islice
from typing import Any

from proxy.validation.keywords import Verdict, accept, reject

__all__ = [
    "any_of",
    "dispatch",
    "items",
    "members",
    "nullable",
    "one_of",
    "patterned_members",
    "typed_array",
    "typed_object",
    "typed_string",
]


def typed_object(
    wanted: tuple[str, ...],
    properties: dict[str, Verdict] | None,
    extra: Verdict | None,
    rest: Verdict,
) -> Verdict:
    """A dict with ``wanted`` keys, each property (or extra) valid, and ``rest``."""
    lookup = properties.get if properties is not None else None
    only = rest is accept

    def typed(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for name in wanted:
            if name not in value:
                return False
        if lookup is not None:
            for name, item in value.items():
                check = lookup(name, extra)
                if check is not None and not check(item):
                    return False
        return only or rest(value)

    return typed


def typed_array(least: Any, most: Any, each: Verdict | None, rest: Verdict) -> Verdict:
    """A list of ``least`` to ``most`` items, each valid by ``each``, and ``rest``."""
    only = rest is accept
    low = -1 if least is None else least
    high = math.inf if most is None else most

    def typed(value: Any) -> bool:
        if type(value) is not list:
            return False
        count = len(value)
        if count < low or count > high:
            return False
        if each is not None:
            for item in value:
                if not each(item):
                    return False
        return only or rest(value)

    return typed


def typed_string(least: Any, most: Any, search: Any, rest: Verdict) -> Verdict:
    """A str of ``least`` to ``most`` code points that ``search`` finds in, and ``rest``."""
    only = rest is accept
    low = -1 if least is None else least
    high = math.inf if most is None else most

    def typed(value: Any) -> bool:
        if type(value) is not str:
            return False
        count = len(value)
        if count < low or count > high:
            return False
        if search is not None and search(value) is None:
            return False
        return only or rest(value)

    return typed


def nullable(typed: Verdict, rest: Verdict) -> Verdict:
    """``type: [X, "null"]``: null meets only the keywords every type meets."""
    return lambda value: rest(value) if value is None else typed(value)


def dispatch(always: Verdict, by_type: dict[type, Verdict]) -> Verdict:
    """``always``, then the checks for the value's own JSON type (int and float: numbers)."""
    if not by_type:
        return always
    pick = by_type.get

    def checked(value: Any) -> bool:
        if not always(value):
            return False
        check = pick(type(value))
        return check is None or check(value)

    return checked


def any_of(branches: list[Verdict]) -> Verdict:
    frozen = tuple(branches)

    def any_branch(value: Any) -> bool:
        for branch in frozen:  # noqa: SIM110  # a loop costs half of any() over a generator
            if branch(value):
                return True
        return False

    return any_branch


def one_of(branches: list[Verdict]) -> Verdict:
    frozen = tuple(branches)

    def one_branch(value: Any) -> bool:
        found = False
        for branch in frozen:
            if branch(value):
                if found:
                    return False
                found = True
        return found

    return one_branch


def members(properties: dict[str, Verdict], extra: Verdict | None) -> Verdict:
    """Each listed property valid, and each other one valid by ``extra`` (if any)."""
    lookup = properties.get

    def each_member(value: Any) -> bool:
        for name, item in value.items():
            check = lookup(name, extra)
            if check is not None and not check(item):
                return False
        return True

    return each_member


def patterned_members(
    properties: dict[str, Verdict],
    patterns: list[tuple[Any, Verdict]],
    extra: Verdict | None,
    listed: Any,
) -> Verdict:
    """As ``members``, with ``patternProperties``; ``listed`` finds names that no extra is."""

    def each_member(value: Any) -> bool:
        for name, item in value.items():
            check = properties.get(name)
            if check is not None:
                if not check(item):
                    return False
            elif extra is not None and not listed(name) and not extra(item):
                return False
            for search, verdict in patterns:
                if search.search(name) and not verdict(item):
                    return False
        return True

    return each_member


def items(prefix: list[Verdict], rest: Verdict | None) -> Verdict:
    """``prefixItems`` then ``items`` (None: any; ``reject``: no more items)."""
    count = len(prefix)
    if not prefix and rest is not None:
        return lambda value: all(rest(item) for item in value)

    def each_item(value: Any) -> bool:
        for check, item in zip(prefix, value, strict=False):
            if not check(item):
                return False
        if rest is None:
            return True
        if rest is reject:
            return len(value) <= count
        return all(rest(item) for item in islice(value, count, None))

    return each_item
