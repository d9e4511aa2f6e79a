"""Strings that match a regular expression: the generator's answer to ``pattern``.

The pattern is parsed with Python's own regex parser and walked: static generation takes the
first alternative, the first character of each class and the fewest repetitions allowed
(at least one for ``+``); dynamic generation chooses with the given ``random.Random``.
Lookarounds and backreferences are approximated; the caller checks the result.
"""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from re import _parser as sre_parse  # type: ignore[attr-defined]  # stdlib regex parser, private
from typing import Any, Final

from proxy.memo import PATTERNS

__all__ = ["string_for_pattern"]

_CATEGORY_CHARS: Final = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters,
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.!",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": string.ascii_letters,
}
_PRINTABLE: Final = string.ascii_letters + string.digits
_MAX_OPEN_REPEAT: Final = 8


@lru_cache(maxsize=PATTERNS)
def _parsed(pattern: str) -> Any:
    return sre_parse.parse(pattern)


@lru_cache(maxsize=PATTERNS)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def string_for_pattern(
    pattern: str,
    rng: random.Random | None = None,
    min_length: int = 0,
    max_length: int | None = None,
) -> str | None:
    """A string that ``re.search(pattern, ...)`` accepts within the length bounds, or None."""
    try:
        tree = _parsed(pattern)
        compiled = _compiled(pattern)
    except re.error:
        return None
    attempts: list[random.Random | None] = [rng]
    attempts += [random.Random(seed) for seed in range(8)]
    for chooser in attempts:
        for extra in (0, 1, 4, 16):
            candidate = _emit(tree, chooser, extra)
            if len(candidate) < min_length:
                candidate = _pad(candidate, compiled, min_length)
            if max_length is not None and len(candidate) > max_length:
                continue
            if min_length <= len(candidate) and compiled.search(candidate):
                return candidate
    return None


def _pad(candidate: str, compiled: re.Pattern[str], min_length: int) -> str:
    """Lengthen an unanchored match (patterns without $ accept trailing text)."""
    padded = candidate + "a" * (min_length - len(candidate))
    return padded if compiled.search(padded) else candidate


def _emit(tree: Any, rng: random.Random | None, extra: int) -> str:
    out: list[str] = []
    for op, value in tree:
        out.append(_emit_one(str(op), value, rng, extra))
    return "".join(out)


def _emit_one(op: str, value: Any, rng: random.Random | None, extra: int) -> str:
    if op == "LITERAL":
        return chr(value)
    if op == "NOT_LITERAL":
        return next(c for c in _PRINTABLE if ord(c) != value)
    if op == "ANY":
        return rng.choice(_PRINTABLE) if rng else "a"
    if op == "IN":
        return _emit_class(value, rng)
    if op == "BRANCH":
        branches = value[1]
        return _emit(rng.choice(branches) if rng else branches[0], rng, extra)
    if op == "SUBPATTERN":
        return _emit(value[-1], rng, extra)
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, body = value
        upper = low + _MAX_OPEN_REPEAT if high == sre_parse.MAXREPEAT else min(high, low + 64)
        count = rng.randint(low, min(upper, low + 3)) if rng is not None else low
        count = min(count + extra, upper)
        return "".join(_emit(body, rng, 0) for _ in range(count))
    if op == "CATEGORY":
        chars = _CATEGORY_CHARS.get(str(value), "a")
        return rng.choice(chars) if rng else chars[0]
    return ""  # AT (anchors), ASSERT, ASSERT_NOT, GROUPREF: nothing to emit


def _emit_class(items: Any, rng: random.Random | None) -> str:
    allowed: list[str] = []
    negate = False
    for op, value in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.append(chr(value))
        elif name == "RANGE":
            low, high = value
            allowed.extend(chr(c) for c in range(low, min(high, low + 94) + 1))
        elif name == "CATEGORY":
            allowed.extend(_CATEGORY_CHARS.get(str(value), ""))
    if negate:
        excluded = set(allowed)
        allowed = [c for c in _PRINTABLE if c not in excluded]
    if not allowed:
        return "a"
    return rng.choice(allowed) if rng else allowed[0]
