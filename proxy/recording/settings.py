"""An API's ``record`` settings: where its recordings file is, what is blanked before it is
written, how the mock picks a recording, and how many are kept per operation."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from proxy.config_reader import Reader, choice, integer

__all__ = [
    "DEFAULT_RECORDINGS_PER_OPERATION",
    "RECORD_KEYS",
    "RecordMatch",
    "RecordSettings",
    "read_record",
    "recordings_path",
]


class RecordMatch(enum.StrEnum):
    """How the mock picks a recording: only by name (``Prefer: example=``), or also by the
    request's operation, path parameters and query."""

    EXAMPLE = "example"
    REQUEST = "request"


DEFAULT_RECORDINGS_PER_OPERATION: Final = 20


@dataclass(frozen=True, slots=True)
class RecordSettings:
    """Where an API's recordings live and how they are written and replayed."""

    path: Path
    redact: tuple[str, ...] = ()
    """JSON pointers (``/token``) or field names (``password``) blanked before writing."""
    match: RecordMatch = RecordMatch.EXAMPLE
    per_operation: int = DEFAULT_RECORDINGS_PER_OPERATION


def recordings_path(base: Path, api_name: str) -> Path:
    """``recordings/<api>.yaml`` beside the config file (or the spec, without one)."""
    return base / "recordings" / f"{api_name}.yaml"


RECORD_KEYS: Final = ("redact", "match", "max_per_operation")


def _redact_rules(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"expected a list of JSON pointers or field names, got {value!r}")
    for rule in value:
        if rule.startswith("/") and re.search(r"~[^01]|~$", rule):
            raise ValueError(f"expected a JSON pointer ('~0' for '~', '~1' for '/'), got {rule!r}")
    return tuple(value)


def read_record(reader: Reader, api: dict[str, Any], prefix: str, path: Path) -> RecordSettings:
    """``apis.<name>.record``, every mistake collected by ``reader``."""
    record = reader.mapping(api.get("record"), api, "record", prefix + ".record")
    reader.known_keys(record, RECORD_KEYS, prefix + ".record.")
    dotted = prefix + ".record."
    return RecordSettings(
        path=path,
        redact=reader.get(record, "redact", dotted + "redact", _redact_rules, ()),
        match=reader.get(
            record, "match", dotted + "match", choice(RecordMatch), RecordMatch.EXAMPLE
        ),
        per_operation=reader.get(
            record,
            "max_per_operation",
            dotted + "max_per_operation",
            integer(1, 10_000),
            DEFAULT_RECORDINGS_PER_OPERATION,
        ),
    )
