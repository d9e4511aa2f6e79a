"""Strings and numbers for schemas: formats, patterns, lengths, bounds and multiples.

Static values (no ``rng``) are fixed per format; with ``rng`` they are drawn from it.
"""

from __future__ import annotations

import base64
import math
import random
import re
import string
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from proxy.mock.patterns import string_for_pattern
from proxy.mock.realistic import RealisticRandom

__all__ = ["STATIC_FORMATS", "number_value", "string_value"]


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
    # OpenAPI's numeric formats on strings (protobuf's int64 ids): validation reads them as
    # numbers written out, so "string" would break them
    "int32": "0",
    "int64": "0",
    "float": "0",
    "double": "0",
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


def string_value(node: dict[str, Any], rng: random.Random | None, name: str | None = None) -> str:
    """A string for ``node``; a dynamic one may be realistic, chosen by format or ``name``."""
    minimum = int(node.get("minLength", 0))
    maximum = node.get("maxLength")
    pattern = node.get("pattern")
    fmt = node.get("format")
    if isinstance(rng, RealisticRandom):
        found = rng.realistic_string(name, fmt if isinstance(fmt, str) else None)
        if found is not None and _fits(found, minimum, maximum, pattern):
            return found
    if isinstance(pattern, str):
        found = string_for_pattern(pattern, rng, minimum, maximum)
        if found is not None:
            return found
    if isinstance(fmt, str):
        sample = _dynamic_format(fmt, rng) if rng else STATIC_FORMATS.get(fmt)
        if sample is not None and minimum <= len(sample) <= (
            maximum if maximum is not None else math.inf
        ):
            return sample
    base = " ".join(rng.sample(_WORDS, 2)) if rng else "string"
    return _fit_length(base, minimum, maximum)


def _fits(text: str, minimum: int, maximum: int | None, pattern: Any) -> bool:
    """Whether a realistic value meets the schema's lengths and pattern (the schema wins)."""
    if len(text) < minimum or (maximum is not None and len(text) > maximum):
        return False
    if not isinstance(pattern, str):
        return True
    try:
        return re.search(pattern, text) is not None
    except re.error:  # an ECMA-262 pattern Python cannot read: keep to the pattern generator
        return False


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
        "int32": lambda: str(rng.randint(0, 99_999)),
        "int64": lambda: str(rng.randint(0, 99_999_999)),
        "float": lambda: f"{rng.uniform(0, 1000):.2f}",
        "double": lambda: f"{rng.uniform(0, 1000):.2f}",
    }
    maker = samples.get(fmt)
    return maker() if maker else STATIC_FORMATS.get(fmt)


def number_value(node: dict[str, Any], rng: random.Random | None, integer: bool) -> int | float:
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
