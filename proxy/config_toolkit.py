"""The config's integrator settings: latency, faults, errors, callbacks, seed and locale.

Read by ``config.py`` with its position-keeping reader, so every mistake is one
``file:line:col: dotted.key: message`` line like any other. Per API (``apis.<name>``) and
per operation (``apis.<name>.operations.<key>`` written as a mapping)::

    latency: {fixed: 200ms}                  # or {min: 100ms, max: 900ms}, or 200ms
    faults: {rate: 0.05, kinds: [reset, slow], timeout: 30s, slow: 2s}
    errors: {rate: 0.1, codes: [429, 503]}   # documented codes only (checked at load)
    callbacks: [{name, url, method, body: {response_of | value}, set, headers, delay}]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Final

from proxy.callbacks.delivery import LOOPBACK_HOSTS, DeliverySettings
from proxy.callbacks.expressions import template_errors
from proxy.callbacks.plans import NO_VALUE, DeclaredCallback
from proxy.config_reader import Reader
from proxy.mock.faults import (
    Disruptions,
    ErrorRate,
    FaultKind,
    FaultRate,
    Latency,
    parse_duration_ms,
)
from proxy.mock.realistic import DEFAULT_LOCALE, LOCALES

__all__ = [
    "DISRUPTION_KEYS",
    "OPERATION_KEYS",
    "read_declared_callbacks",
    "read_delivery",
    "read_disruptions",
    "read_locale",
    "read_operations",
    "read_seed",
]

DISRUPTION_KEYS: Final = ("latency", "faults", "errors")
OPERATION_KEYS: Final = ("mode", *DISRUPTION_KEYS, "callbacks")
_CALLBACK_KEYS: Final = ("name", "url", "method", "body", "set", "headers", "delay")
_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _duration(value: Any) -> float:
    return parse_duration_ms(value)


def _rate(value: Any) -> float:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"expected a share from 0 to 1 such as 0.05, got {value!r}")
    return float(value)


def _list_of(convert: Callable[[Any], Any]) -> Callable[[Any], tuple[Any, ...]]:
    def read(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or not value:
            raise ValueError(f"expected a non-empty list, got {value!r}")
        return tuple(convert(item) for item in value)

    return read


def _fault_kind(value: Any) -> FaultKind:
    try:
        return FaultKind(value)
    except ValueError:
        names = ", ".join(kind.value for kind in FaultKind)
        raise ValueError(f"expected fault kinds among {names}, got {value!r}") from None


def _error_code(value: Any) -> str:
    text = str(value)
    if isinstance(value, bool) or not (text.isdigit() and 400 <= int(text) <= 599):
        raise ValueError(f"expected HTTP error codes from 400 to 599, got {value!r}")
    return text


def _host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected host names or addresses, got {value!r}")
    return value.strip()


def _locale(value: Any) -> str:
    if value not in LOCALES:
        raise ValueError(f"expected a Faker locale such as en_US or de_DE, got {value!r}")
    return str(value)


def _seed(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def read_seed(reader: Reader, root: dict[str, Any]) -> int | None:
    """``seed``: latency, fault and error draws repeat exactly from run to run."""
    seed: int | None = reader.get(root, "seed", "seed", _seed, None)
    return seed


def read_locale(reader: Reader, holder: dict[str, Any], dotted: str, default: str) -> str:
    """``locale``: the Faker locale of realistic dynamic values."""
    locale: str = reader.get(holder, "locale", dotted, _locale, default or DEFAULT_LOCALE)
    return locale


def _read_latency(reader: Reader, holder: dict[str, Any], prefix: str) -> Latency | None:
    raw = holder.get("latency")
    dotted = prefix + "latency"
    if raw is None:
        return None
    if not isinstance(raw, dict):
        fixed = reader.get(holder, "latency", dotted, _duration, None)
        return None if fixed is None else Latency(fixed, fixed)
    reader.known_keys(raw, ("fixed", "min", "max"), dotted + ".")
    if "fixed" in raw:
        if "min" in raw or "max" in raw:
            reader.error(holder, "latency", dotted, "expected fixed, or min and max, not both")
        fixed = reader.get(raw, "fixed", dotted + ".fixed", _duration, 0.0)
        return Latency(fixed, fixed)
    if "min" not in raw or "max" not in raw:
        reader.error(holder, "latency", dotted, "expected {fixed: 200ms} or {min: .., max: ..}")
        return None
    low = reader.get(raw, "min", dotted + ".min", _duration, 0.0)
    high = reader.get(raw, "max", dotted + ".max", _duration, low)
    if high < low:
        reader.error(raw, "max", dotted + ".max", "expected max to be at least min")
        return None
    return Latency(low, high)


def read_disruptions(
    reader: Reader, holder: dict[str, Any], prefix: str, inherited: Disruptions
) -> Disruptions:
    """``latency``, ``faults`` and ``errors`` under ``holder``; each one given replaces the
    ``inherited`` one (an operation's over its API's)."""
    changes: dict[str, Any] = {}
    latency = _read_latency(reader, holder, prefix)
    if latency is not None:
        changes["latency"] = latency
    faults = reader.mapping(holder.get("faults"), holder, "faults", prefix + "faults")
    if faults:
        dotted = prefix + "faults."
        reader.known_keys(faults, ("rate", "kinds", "timeout", "slow"), dotted)
        kinds = reader.get(
            faults, "kinds", dotted + "kinds", _list_of(_fault_kind), tuple(FaultKind)
        )
        changes["faults"] = FaultRate(
            reader.get(faults, "rate", dotted + "rate", _rate, 0.0), kinds
        )
        changes["timeout_ms"] = reader.get(
            faults, "timeout", dotted + "timeout", _duration, inherited.timeout_ms
        )
        changes["slow_ms"] = reader.get(
            faults, "slow", dotted + "slow", _duration, inherited.slow_ms
        )
    errors = reader.mapping(holder.get("errors"), holder, "errors", prefix + "errors")
    if errors:
        dotted = prefix + "errors."
        reader.known_keys(errors, ("rate", "codes"), dotted)
        if "codes" not in errors:
            reader.error(holder, "errors", dotted + "codes", "required: the documented codes")
        codes = reader.get(errors, "codes", dotted + "codes", _list_of(_error_code), ())
        changes["errors"] = ErrorRate(
            reader.get(errors, "rate", dotted + "rate", _rate, 0.0), codes
        )
    return replace(inherited, **changes) if changes else inherited


def read_delivery(reader: Reader, root: dict[str, Any]) -> DeliverySettings:
    """``callbacks:`` at the top: allowed hosts, delay, retries, backoff and timeout."""
    raw = reader.mapping(root.get("callbacks"), root, "callbacks", "callbacks")
    reader.known_keys(raw, ("allow_hosts", "delay", "retries", "backoff", "timeout"), "callbacks.")
    d = DeliverySettings()
    retries = reader.get(raw, "retries", "callbacks.retries", _seed, d.retries)
    if retries is not None and not 0 <= retries <= 10:
        reader.error(raw, "retries", "callbacks.retries", "expected 0 to 10 retries")
    return DeliverySettings(
        allow_hosts=reader.get(
            raw, "allow_hosts", "callbacks.allow_hosts", _list_of(_host), LOOPBACK_HOSTS
        ),
        delay_ms=reader.get(raw, "delay", "callbacks.delay", _duration, d.delay_ms),
        retries=retries if retries is not None else d.retries,
        backoff_ms=reader.get(raw, "backoff", "callbacks.backoff", _duration, d.backoff_ms),
        timeout_ms=reader.get(raw, "timeout", "callbacks.timeout", _duration, d.timeout_ms),
    )


def _template(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a URL or runtime expression, got {value!r}")
    errors = template_errors(value)
    if errors:
        raise ValueError("; ".join(errors))
    return value


def _method(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in _METHODS:
        raise ValueError(f"expected one of {', '.join(_METHODS)}, got {value!r}")
    return value.upper()


def _read_callback(
    reader: Reader, raw: Any, holder: list[Any], index: int, dotted: str
) -> DeclaredCallback | None:
    item = reader.mapping(raw, holder, None, dotted)
    reader.known_keys(item, _CALLBACK_KEYS, dotted + ".")
    if "url" not in item:
        first = next(iter(item), None)  # a list item has no key of its own to point at
        reader.error(item, first, dotted + ".url", "required: the URL or runtime expression")
        return None
    body = reader.mapping(item.get("body"), item, "body", dotted + ".body")
    reader.known_keys(body, ("response_of", "value"), dotted + ".body.")
    headers = reader.mapping(item.get("headers"), item, "headers", dotted + ".headers")
    set_values = reader.mapping(item.get("set"), item, "set", dotted + ".set")
    for pointer in set_values:
        if pointer and not pointer.startswith("/"):
            reader.error(set_values, pointer, f"{dotted}.set.{pointer}", "expected a JSON pointer")
    return DeclaredCallback(
        name=reader.get(item, "name", dotted + ".name", str, f"callback{index + 1}"),
        url=reader.get(item, "url", dotted + ".url", _template, ""),
        method=reader.get(item, "method", dotted + ".method", _method, "POST"),
        response_of=reader.get(body, "response_of", dotted + ".body.response_of", str, None),
        value=body.get("value", NO_VALUE),
        set_values=MappingProxyType(dict(set_values)),
        headers=MappingProxyType({str(k): str(v) for k, v in headers.items()}),
        delay_ms=reader.get(item, "delay", dotted + ".delay", _duration, None),
        where=dotted,
    )


def read_declared_callbacks(
    reader: Reader, holder: dict[str, Any], prefix: str
) -> tuple[DeclaredCallback, ...]:
    """``callbacks:`` of one operation entry: a list of declared callbacks."""
    raw = holder.get("callbacks")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.error(holder, "callbacks", prefix + "callbacks", "expected a list of callbacks")
        return ()
    found = []
    for index, item in enumerate(raw):
        declared = _read_callback(reader, item, raw, index, f"{prefix}callbacks[{index}]")
        if declared is not None:
            found.append(declared)
    return tuple(found)


def read_operations(
    reader: Reader,
    api: dict[str, Any],
    prefix: str,
    inherited: Disruptions,
    mode: Callable[[Any], Any],
) -> dict[str, Any]:
    """``operations``: per key a mode, or a mapping of ``mode`` (read with ``mode``),
    latency, faults, errors and callbacks; returns the ApiSettings fields they give."""
    modes: dict[str, Any] = {}
    disruptions: dict[str, Disruptions] = {}
    callbacks: dict[str, tuple[DeclaredCallback, ...]] = {}
    ops = reader.mapping(api.get("operations"), api, "operations", prefix + ".operations")
    for key, value in ops.items():
        dotted = f"{prefix}.operations.{key}"
        reader.positions[dotted] = reader.where(ops, key)
        if isinstance(value, dict):
            reader.known_keys(value, OPERATION_KEYS, dotted + ".")
            own = read_disruptions(reader, value, dotted + ".", inherited)
            if own is not inherited:
                disruptions[key] = own
            declared = read_declared_callbacks(reader, value, dotted + ".")
            if declared:
                callbacks[key] = declared
            chosen = reader.get(value, "mode", dotted + ".mode", mode, None)
        else:
            chosen = reader.get(ops, key, dotted, mode, None)
        if chosen is not None:
            modes[key] = chosen
    return {
        "operations": MappingProxyType(modes),
        "operation_disruptions": MappingProxyType(disruptions),
        "callbacks": MappingProxyType(callbacks),
    }
