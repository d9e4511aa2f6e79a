"""The recordings file (``recordings/<api>.yaml``): reading it, and merging one new recording
into it with an atomic replace.

The file is meant to be read, diffed and edited: one list per operation, newest first, each
recording with the request it answered, its status, media type, documented headers and the
body's text exactly as the upstream sent it (base64 only for bytes that are not UTF-8).
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import yaml

from proxy.errors import ConfigError
from proxy.violations import Violation, violations_json
from proxy.yamlio import YamlSyntaxError, load_yaml

__all__ = ["Recording", "add_recording", "load_recordings", "recordings_document"]

HEADER: Final = (
    "# Answers recorded by mockproxy from the live API, replayed by the mock as named\n"
    "# examples (Prefer: example=<name>). Edit or delete freely: recording rewrites this file.\n"
)


@dataclass(frozen=True, slots=True)
class Recording:
    """One live answer as recorded, and the request it answered."""

    name: str
    operation: str
    method: str
    path: str
    params: Mapping[str, str]
    query: str
    status: int
    media_type: str | None
    headers: Mapping[str, str]
    body: bytes
    recorded_at: str = ""
    violations: tuple[Violation, ...] = field(default=(), compare=False)
    """What the loaded spec finds wrong with it (filled in at load, never written)."""

    def summary(self) -> dict[str, Any]:
        """What ``check --format json`` and the explorer show of it (no headers, no body)."""
        return {
            "name": self.name,
            "status": self.status,
            "media_type": self.media_type,
            "recorded_at": self.recorded_at,
            "request": f"{self.method} {self.path}" + (f"?{self.query}" if self.query else ""),
            "violations": violations_json(self.violations),
        }

    def as_yaml(self) -> dict[str, Any]:
        """The recording as the file holds it."""
        entry: dict[str, Any] = {
            "name": self.name,
            "recorded_at": self.recorded_at,
            "request": {
                "method": self.method,
                "path": self.path,
                "params": dict(self.params),
                "query": self.query,
            },
            "status": self.status,
            "media_type": self.media_type,
            "headers": dict(self.headers),
        }
        try:
            entry["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            entry["body_base64"] = base64.b64encode(self.body).decode("ascii")
        return entry

    @classmethod
    def from_yaml(cls, operation: str, raw: Any) -> Recording:
        """A recording read back; ValueError names what is wrong."""
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise ValueError("expected a mapping with a name")
        request = raw.get("request") or {}
        status = raw.get("status")
        if not isinstance(request, dict) or not isinstance(status, int):
            raise ValueError(f"{raw['name']}: expected a request mapping and an integer status")
        if "body_base64" in raw:
            body = base64.b64decode(str(raw["body_base64"]), validate=True)
        else:
            body = str(raw.get("body") or "").encode("utf-8")
        media_type = raw.get("media_type")
        return cls(
            name=raw["name"],
            operation=operation,
            method=str(request.get("method", "")),
            path=str(request.get("path", "")),
            params=MappingProxyType(
                {str(k): str(v) for k, v in (request.get("params") or {}).items()}
            ),
            query=str(request.get("query") or ""),
            status=status,
            media_type=str(media_type) if media_type else None,
            headers=MappingProxyType(
                {str(k): str(v) for k, v in (raw.get("headers") or {}).items()}
            ),
            body=body,
            recorded_at=str(raw.get("recorded_at") or ""),
        )


Recordings = dict[str, list[Recording]]
"""Operation key -> its recordings, newest first."""


def load_recordings(path: Path) -> Recordings:
    """The file's recordings (none when it does not exist); ConfigError names the fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the recordings: {error}") from None
    try:
        data = load_yaml(text, str(path))
    except YamlSyntaxError as error:
        raise ConfigError(f"{path}:{error.line}:{error.column}: invalid YAML: {error}") from None
    operations = (data or {}).get("operations") if isinstance(data, dict) else None
    if not isinstance(operations, dict):
        raise ConfigError(f"{path}: operations: expected a mapping of operation to recordings")
    found: Recordings = {}
    for operation, entries in operations.items():
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: operations.{operation}: expected a list of recordings")
        try:
            found[operation] = [Recording.from_yaml(operation, entry) for entry in entries]
        except (ValueError, TypeError) as error:
            raise ConfigError(f"{path}: operations.{operation}: {error}") from None
    return found


class _Dumper(yaml.SafeDumper):
    """Block style for bodies that span lines, so that a diff shows the lines that changed."""


_OCTAL_12: Final = re.compile(r"^0o[0-7]+$")
"""An int in YAML 1.2 (our loader), a string in YAML 1.1 (PyYAML's dumper): quoted."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else ("'" if _OCTAL_12.match(value) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def recordings_document(recordings: Recordings) -> str:
    """The file's text for ``recordings``."""
    data = {
        "operations": {op: [r.as_yaml() for r in entries] for op, entries in recordings.items()}
    }
    # one line per body line: folding long lines would hide where a changed body changed
    dumped = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)
    return HEADER + dumped


def add_recording(path: Path, recording: Recording, per_operation: int) -> None:
    """Merge ``recording`` into the file: it replaces the one for the same request, goes first,
    and the oldest beyond ``per_operation`` are dropped. Written to a temporary file beside it
    and renamed over it, so a reader never sees half a file. Blocking: run off the event loop.
    """
    recordings = load_recordings(path)
    entries = [r for r in recordings.get(recording.operation, []) if r.name != recording.name]
    recordings[recording.operation] = [recording, *entries][:per_operation]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, 0o644)  # as readable as the config beside it
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(recordings_document(recordings))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
