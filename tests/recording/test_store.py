"""The recordings file keeps every body's bytes exactly through a write and a read."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from proxy.recording.store import Recording, add_recording, load_recordings


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"a": 1}',
        b'{\n  "a": 1,\n  "b": "x"\n}\n',
        b"  leading spaces\ntrailing spaces   \n\n\n",
        b"line\r\nwith CRLF",
        b"0o17",
        b"caf\xc3\xa9 \xe2\x82\xac",
        b"\x89PNG\r\n\x1a\n\x00\xff",
        b"x" * 5000,
    ],
    ids=["empty", "json", "pretty", "spaces", "crlf", "yaml12-octal", "utf8", "binary", "long"],
)
def test_body_bytes_survive_the_file(tmp_path: Path, body: bytes) -> None:
    """Whatever the body, reading the file back gives its bytes."""
    path = tmp_path / "recordings" / "api.yaml"
    recording = Recording(
        name="rec-1",
        operation="op",
        method="GET",
        path="/x",
        params=MappingProxyType({}),
        query="",
        status=200,
        media_type="text/plain",
        headers=MappingProxyType({"X-Count": "0o7"}),
        body=body,
    )
    add_recording(path, recording, 3)
    [loaded] = load_recordings(path)["op"]
    assert (loaded.body, dict(loaded.headers)) == (body, {"X-Count": "0o7"})
