"""Reading the config file's YAML: a position-aware reader that collects every mistake as
one ``file:line:col: dotted.key: message`` line, and the value checkers it applies.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from proxy.yamlio import YamlDocument

__all__ = [
    "DURATION",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "Reader",
    "boolean",
    "choice",
    "integer",
    "journal_store",
    "log_level",
    "optional_string",
    "path_prefix",
    "positive_float",
    "size",
    "string",
    "url",
]

_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|[kKMG]B|B)?\s*$")
_SIZE_UNITS: Final = {
    None: 1,
    "B": 1,
    "kB": 1000,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
}
_LOG_LEVELS: Final = ("debug", "info", "warning", "error")
_INTEGER: Final = re.compile(r"^\s*[+-]?\d+\s*$")


class Reader:
    """Walks the YAML with positions, collecting one message per problem."""

    def __init__(self, document: YamlDocument, source: str, environ: Mapping[str, str]) -> None:
        self.document = document
        self.source = source
        self.environ = environ
        self.errors: list[str] = []
        self.positions: dict[str, str] = {}

    def where(self, parent: object, key: str | None) -> str:
        position = self.document.position(parent, key) if key is not None else None
        if position is None:
            return self.source
        return f"{self.source}:{position[0]}:{position[1]}"

    def error(self, parent: object, key: str | None, dotted: str, message: str) -> None:
        self.errors.append(f"{self.where(parent, key)}: {dotted}: {message}")

    def mapping(self, value: Any, parent: object, key: str | None, dotted: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(parent, key, dotted, f"expected a mapping, got {describe(value)}")
            return {}
        return value

    def known_keys(self, mapping: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in mapping:
            dotted = f"{prefix}{key}"
            self.positions[dotted] = self.where(mapping, key)
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(allowed)
                self.error(mapping, key, dotted, f"unknown key{hint}; known keys: {known}")

    def interpolate(self, value: Any, parent: object, key: str, dotted: str) -> Any:
        if not isinstance(value, str) or "$" not in value:
            return value

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name, default = match.group(1), match.group(2)
            if name in self.environ and (default is None or self.environ[name] != ""):
                return self.environ[name]
            if default is not None:
                return default
            self.error(parent, key, dotted, f"environment variable {name} is not set")
            return ""

        return _INTERPOLATION.sub(replace, value)

    def get(
        self,
        mapping: dict[str, Any],
        key: str,
        dotted: str,
        convert: Callable[[Any], Any],
        default: Any,
    ) -> Any:
        if key not in mapping:
            return default
        written = mapping[key]
        errors_before = len(self.errors)
        raw = self.interpolate(written, mapping, key, dotted)
        if len(self.errors) > errors_before:
            return default  # the unset variable is the mistake: one line, not two
        try:
            return convert(raw)
        except ValueError as error:
            interpolated = isinstance(written, str) and raw != written
            came_from = f" (from {written!r})" if interpolated else ""
            self.error(mapping, key, dotted, f"{error}{came_from}")
            return default


def describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"expected a string, got {describe(value)}")


def optional_string(value: Any) -> str | None:
    return None if value is None else string(value)


def integer(minimum: int, maximum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, str) and _INTEGER.match(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {describe(value)}")
        if not minimum <= value <= maximum:
            raise ValueError(f"expected an integer from {minimum} to {maximum}, got {value}")
        return value

    return convert


DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
"""A duration as settings write one: ``500ms``, ``1.5s``, or a bare number (whose unit the
setting says)."""


def positive_float(value: Any) -> float:
    """A number of seconds, or a duration written as the other settings write one (``500ms``,
    ``1.5s``): finite, since NaN and infinity cannot be scheduled."""
    if isinstance(value, str):
        duration = DURATION.match(value)
        if duration is not None and duration.group(2):
            value = float(duration.group(1)) / (1000 if duration.group(2) == "ms" else 1)
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(
            f"expected a number of seconds > 0 (or a duration such as 500ms or 1.5s),"
            f" got {describe(value)}"
        )
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number of seconds, got {describe(value)}")
    return float(value)


def connection_count(value: Any) -> int | None:
    """``null`` (derived from the descriptor limit at start) or a count."""
    return None if value is None else integer(1, 1_000_000)(value)


def names(value: Any) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
        return tuple(value)
    raise ValueError(f"expected a list of names, got {describe(value)}")


TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS: Final = frozenset({"false", "0", "no", "off"})
"""How a switch written as text says true or false (a setting, a variable, a Prefer flag)."""


def boolean(value: Any) -> bool:
    """true or false; as text (an environment variable) also 1/0, yes/no, on/off."""
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"expected true or false (or 1/0, yes/no, on/off), got {describe(value)}")


def choice(kind: type[enum.StrEnum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(member.value for member in kind)
            raise ValueError(f"expected one of {names}, got {describe(value)}") from None

    return convert


def log_level(value: Any) -> str:
    if isinstance(value, str) and value.lower() in _LOG_LEVELS:
        return value.lower()
    raise ValueError(f"expected one of {', '.join(_LOG_LEVELS)}, got {describe(value)}")


def size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None or match.group(2) not in _SIZE_UNITS:
        raise ValueError(f"expected a size such as 10MiB or 1048576, got {describe(value)}")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def url(value: Any) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {describe(value)}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "expected no credentials in the URL (they would not be sent: the client's own "
            "Authorization header is forwarded), got "
            + describe(parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl())
            + " with user info"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"expected a base URL without query or fragment, got {describe(value)}")
    return str(value).rstrip("/")


def journal_store(value: Any) -> str:
    """``memory`` or a Redis URL (redis://, rediss:// or unix://) whose database is a number."""
    text = string(value).strip()
    if text == "memory":
        return text
    parts = urlsplit(text)
    where = parts.hostname if parts.scheme in ("redis", "rediss") else parts.path
    database = parts.path.strip("/") or "0" if parts.scheme != "unix" else "0"
    if parts.scheme not in ("redis", "rediss", "unix") or not where or not database.isdigit():
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise ValueError(
            "expected memory or a Redis URL such as redis://redis:6379/0, got " + repr(shown)
        )
    return text


def path_prefix(what: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = string(value).strip()
        if not text.startswith("/"):
            raise ValueError(f"expected {what} starting with '/', got {describe(value)}")
        return text.rstrip("/")

    return convert
