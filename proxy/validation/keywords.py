"""Single keywords as verdict closures (value -> bool), each exactly as jsonschema judges it.

Each builder checks the keyword's value at compile time and raises ``Unsupported`` for one it
cannot judge exactly (jsonschema would raise at validation time, or do something odd), so that
the subschema is left to jsonschema. Closures of object, array, string and number keywords
assume the value already has that JSON type; the compiler dispatches on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Final

from jsonschema._utils import equal, uniq  # the very comparisons jsonschema's keywords use

from proxy.validation.dialect import FORMAT_CHECKER, RequestValidator

__all__ = [
    "HANDLED",
    "KNOWN",
    "TYPES",
    "Unsupported",
    "Verdict",
    "accept",
    "counts",
    "dependent_required",
    "enum_check",
    "equal_to",
    "every",
    "format_check",
    "multiple_of",
    "number",
    "number_checks",
    "pattern",
    "reject",
    "required_names",
    "single_kind",
    "type_check",
    "unique",
]

Verdict = Callable[[Any], bool]

KNOWN: Final = frozenset(RequestValidator.VALIDATORS)
HANDLED: Final = frozenset(
    {
        "$ref",
        "additionalProperties",
        "allOf",
        "anyOf",
        "const",
        "contains",
        "dependentRequired",
        "dependentSchemas",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "format",
        "if",
        "items",
        "maxItems",
        "maxLength",
        "maxProperties",
        "maximum",
        "minItems",
        "minLength",
        "minProperties",
        "minimum",
        "multipleOf",
        "not",
        "oneOf",
        "pattern",
        "patternProperties",
        "prefixItems",
        "properties",
        "propertyNames",
        "readOnly",
        "required",
        "type",
        "uniqueItems",
    }
)
_NUMBER: Final = (int, float)


class Unsupported(Exception):
    """This subschema is left to jsonschema."""


def accept(value: Any) -> bool:
    return True


def reject(value: Any) -> bool:
    return False


def _is_integer(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and value.is_integer())


def _is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float


TYPES: Final[dict[str, Verdict]] = {
    "object": lambda value: type(value) is dict,
    "array": lambda value: type(value) is list,
    "string": lambda value: type(value) is str,
    "null": lambda value: value is None,
    "boolean": lambda value: type(value) is bool,
    "integer": _is_integer,
    "number": _is_number,
}


def every(checks: list[Verdict]) -> Verdict:
    """All of ``checks``, with the shortest closure for the count."""
    checks = [c for c in checks if c is not accept]
    if not checks:
        return accept
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    frozen = tuple(checks)

    def all_of(value: Any) -> bool:
        for check in frozen:  # noqa: SIM110  # a loop costs half of all() over a generator
            if not check(value):
                return False
        return True

    return all_of


def number(node: dict[str, Any], key: str, default: Any = None) -> Any:
    """The keyword's number, ``default`` when the keyword is absent."""
    if key not in node:
        return default
    value = node[key]
    if type(value) not in _NUMBER:
        raise Unsupported(key)
    return value


def type_check(declared: Any) -> Verdict:
    names = [declared] if isinstance(declared, str) else declared
    if not isinstance(names, list) or not all(isinstance(n, str) and n in TYPES for n in names):
        raise Unsupported("type")
    kinds = {n: TYPES[n] for n in names}
    if len(kinds) == 1:
        return next(iter(kinds.values()))
    checks = tuple(kinds.values())
    return lambda value: any(check(value) for check in checks)


def pattern(text: Any) -> re.Pattern[str]:
    if not isinstance(text, str):
        raise Unsupported("pattern")
    try:
        return re.compile(text)  # what re.search(pattern, ...) compiles and caches
    except re.error:
        raise Unsupported("pattern") from None


def format_check(name: Any) -> Verdict:
    if not isinstance(name, str):
        raise Unsupported("format")
    if name not in FORMAT_CHECKER.checkers:
        return accept
    function, raises = FORMAT_CHECKER.checkers[name]

    def conforms(value: Any) -> bool:  # FormatChecker.check, without building the error
        try:
            result = function(value)
        except raises:
            return False
        return bool(result)

    return conforms


def multiple_of(divisor: Any) -> Verdict:
    if type(divisor) not in _NUMBER or divisor <= 0:
        raise Unsupported("multipleOf")
    if isinstance(divisor, float):

        def float_multiple(value: Any) -> bool:
            quotient = value / divisor
            try:
                return bool(int(quotient) == quotient)
            except OverflowError:
                return (Fraction(value) / Fraction(divisor)).denominator == 1

        return float_multiple
    return lambda value: not value % divisor


def enum_check(members: Any) -> Verdict:
    if not isinstance(members, list):
        raise Unsupported("enum")
    texts = frozenset(m for m in members if isinstance(m, str))
    others = tuple(m for m in members if not isinstance(m, str))

    def enum(value: Any) -> bool:
        if type(value) is str:
            return value in texts
        return any(_equal(member, value) for member in others)

    return enum


def _equal(one: Any, two: Any) -> bool:
    return bool(equal(one, two))  # type: ignore[no-untyped-call]  # untyped library


def equal_to(expected: Any) -> Verdict:
    """``const``: equal as JSON Schema means it (True is not 1; 1.0 is 1)."""
    return lambda value: _equal(value, expected)


def unique(items: Any) -> bool:
    return bool(uniq(items))  # type: ignore[no-untyped-call]  # untyped library


def required_names(names: Any) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise Unsupported("required")
    return tuple(names)


def dependent_required(dependents: Any) -> Verdict:
    if not isinstance(dependents, dict) or not all(
        isinstance(names, list) for names in dependents.values()
    ):
        raise Unsupported("dependentRequired")
    pairs = tuple((name, tuple(names)) for name, names in dependents.items())
    return lambda value: all(
        name not in value or all(each in value for each in names) for name, names in pairs
    )


def single_kind(declared: Any) -> tuple[str, bool] | None:
    """``object``, ``array`` or ``string``, and whether null is allowed too; else None."""
    names = [declared] if isinstance(declared, str) else declared
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    concrete = {n for n in names if n != "null"}
    if len(concrete) != 1 or not concrete <= {"object", "array", "string"}:
        return None
    return concrete.pop(), "null" in names


def number_checks(node: dict[str, Any]) -> list[Verdict]:
    """``minimum``, ``maximum``, their exclusive forms and ``multipleOf``, for numbers."""
    checks: list[Verdict] = []
    if "minimum" in node:
        least = number(node, "minimum")
        checks.append(lambda value: not value < least)
    if "maximum" in node:
        most = number(node, "maximum")
        checks.append(lambda value: not value > most)
    if "exclusiveMinimum" in node:
        above = number(node, "exclusiveMinimum")
        checks.append(lambda value: not value <= above)
    if "exclusiveMaximum" in node:
        below = number(node, "exclusiveMaximum")
        checks.append(lambda value: not value >= below)
    if "multipleOf" in node:
        checks.append(multiple_of(node["multipleOf"]))
    return checks


def counts(node: dict[str, Any], low: str, high: str) -> list[Verdict]:
    checks: list[Verdict] = []
    if low in node:
        least = number(node, low)
        checks.append(lambda value: not len(value) < least)
    if high in node:
        most = number(node, high)
        checks.append(lambda value: not len(value) > most)
    return checks
