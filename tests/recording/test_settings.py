"""The `record` settings of an API: defaults and mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy.errors import ConfigError
from proxy.recording.settings import RecordMatch
from proxy.settings import Mode
from tests.recording.conftest import settings_in


def test_defaults_put_recordings_beside_the_config(tmp_path: Path) -> None:
    """Without a record section: recordings/<api>.yaml beside the config, matched by name."""
    api = settings_in(tmp_path, mode="record").apis["pets"]
    assert api.recording.path == tmp_path.resolve() / "recordings" / "pets.yaml"
    assert api.recording.match is RecordMatch.EXAMPLE
    assert api.recording.per_operation == 20


def test_record_is_a_mode_per_operation(tmp_path: Path) -> None:
    """record is one of the modes (and so per operation and per environment variable)."""
    assert Mode("record") is Mode.RECORD


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"match": "sometimes"},
            "apis.pets.record.match: expected one of example, request, got 'sometimes'",
        ),
        (
            {"redact": "/bad~2pointer"},
            "apis.pets.record.redact: expected a JSON pointer ('~0' for '~', '~1' for '/'), got '/bad~2pointer'",
        ),
        (
            {"redact": [1]},
            "apis.pets.record.redact: expected a list of JSON pointers or field names, got [1]",
        ),
        (
            {"max_per_operation": 0},
            "apis.pets.record.max_per_operation: expected an integer from 1 to 10000, got 0",
        ),
        (
            {"mtach": "request"},
            "apis.pets.record.mtach: unknown key (did you mean 'match'?); known keys: redact, match, max_per_operation",
        ),
    ],
    ids=["match", "pointer", "not-strings", "cap", "unknown-key"],
)
def test_mistakes_name_the_key(tmp_path: Path, record: dict[str, object], message: str) -> None:
    """Each mistake in the record section is reported with its key."""
    with pytest.raises(ConfigError) as raised:
        settings_in(tmp_path, **record)
    assert [m.split(": ", 1)[1] for m in raised.value.messages] == [message]
