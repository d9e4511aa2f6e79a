"""Recordings listed per operation: `mockproxy check`, the explorer's catalog and reference."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from proxy import cli
from proxy.cli import main
from proxy.observability import configure_logging
from proxy.recording.store import Recording, add_recording
from tests.recording.conftest import start, write_config


@pytest.fixture(autouse=True)
def uncached_logging(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI's logging set-up, without caching loggers (which would hide later tests' logs)."""

    def configure(log_format: str, level: str) -> None:
        configure_logging(log_format, level, cache_loggers=False)

    monkeypatch.setattr(cli, "configure_logging", configure)
    yield
    configure_logging("json", "warning", cache_loggers=False)


def _recording(name: str, body: bytes) -> Recording:
    return Recording(
        name=name,
        operation="getPet",
        method="GET",
        path="/pets/1",
        params=MappingProxyType({"petId": "1"}),
        query="",
        status=200,
        media_type="application/json",
        headers=MappingProxyType({}),
        body=body,
        recorded_at="2026-01-02T03:04:05+00:00",
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config whose getPet has one conforming and one drifted recording."""
    path = write_config(tmp_path, None, "mock", {})
    recordings = tmp_path / "recordings" / "pets.yaml"
    add_recording(recordings, _recording("rec-good", b'{"id": 1, "name": "Rex"}'), 5)
    add_recording(recordings, _recording("rec-drift", b'{"id": "one"}'), 5)
    return path


def test_check_lists_recordings_and_flags_drift(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` prints each recording under its operation, and what the spec finds wrong."""
    assert main(["check", "-c", str(config)], environ={}) == 0
    out = capsys.readouterr().out
    assert "    recorded rec-good 200 application/json 2026-01-02T03:04:05+00:00\n" in out
    assert (
        "    recorded rec-drift 200 application/json 2026-01-02T03:04:05+00:00  DOES NOT CONFORM\n"
        '      /body/name: "name" is a required property\n'
        '      /body/id: "one" is not of type "integer"\n'
    ) in out


def test_check_json_lists_recordings(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check --format json` gives each route its recordings, newest first, with their findings."""
    assert main(["check", "-c", str(config), "--format", "json"], environ={}) == 0
    [route] = json.loads(capsys.readouterr().out)["routes"]
    assert [(r["name"], len(r["violations"])) for r in route["recordings"]] == [
        ("rec-drift", 2),
        ("rec-good", 0),
    ]


def test_broken_recordings_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A recordings file that is not YAML stops start-up with its file and line."""
    config = write_config(tmp_path, None, "mock", {})
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "pets.yaml").write_text("operations:\n  getPet: [\n")
    assert main(["check", "-c", str(config)], environ={}) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"{tmp_path / 'recordings' / 'pets.yaml'}:3:1: invalid YAML")


async def test_explorer_lists_recordings(config: Path) -> None:
    """The catalog names each operation's recordings; the reference gives their findings."""
    from proxy.config import load_settings

    client = await start(load_settings(config, {}))
    try:
        catalog: Any = await (await client.get("/_mockproxy/explorer/api/catalog")).json()
        [operation] = catalog["apis"][0]["operations"]
        assert operation["recordings"] == [
            {"name": "rec-drift", "status": 200, "conforms": False},
            {"name": "rec-good", "status": 200, "conforms": True},
        ]
        reference: Any = await (
            await client.get(
                "/_mockproxy/explorer/api/operation", params={"api": "pets", "key": "getPet"}
            )
        ).json()
        assert reference["recordings"][0]["violations"] == [
            {"in": "response", "pointer": "/body/name", "detail": '"name" is a required property'},
            {"in": "response", "pointer": "/body/id", "detail": '"one" is not of type "integer"'},
        ]
    finally:
        await client.close()
