"""Record mode against a real loopback upstream, then replay from the file after a restart."""

from __future__ import annotations

import json
from pathlib import Path

from structlog.testing import capture_logs

from proxy.catalog import build_catalog
from proxy.recording.store import load_recordings
from proxy.reload import watched_files
from proxy.snapshot import Snapshot
from tests.recording.conftest import KEY, PLAIN_PET, SECRETS, record, settings_in, start

PET = f"/pets-api/pets/1?{KEY}"


def recordings_file(folder: Path) -> Path:
    return folder / "recordings" / "pets.yaml"


def recorded_names(folder: Path) -> list[str]:
    return [r.name for r in load_recordings(recordings_file(folder)).get("getPet", [])]


async def test_recorded_answer_is_replayed_byte_for_byte_after_restart(
    tmp_path: Path, upstream_url: str
) -> None:
    """A recorded answer comes back by name from a mock-only proxy: same status, bytes, headers."""
    [live_body] = await record(settings_in(tmp_path, upstream_url), PET)
    assert live_body == PLAIN_PET
    [name] = recorded_names(tmp_path)
    client = await start(settings_in(tmp_path, mode="mock"))
    try:
        response = await client.get(PET, headers={"Prefer": f"example={name}"})
        assert response.status == 200
        assert await response.read() == PLAIN_PET
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Rate-Limit"] == "99"
        assert response.headers["X-Mockproxy-Recording"] == name
        assert response.headers["X-Mockproxy-Source"] == "mock"
    finally:
        await client.close()


async def test_replay_goes_through_the_simulated_mock_path(
    tmp_path: Path, upstream_url: str
) -> None:
    """A client asking for a delay still gets the recording (the simulated mock path)."""
    await record(settings_in(tmp_path, upstream_url), PET)
    [name] = recorded_names(tmp_path)
    client = await start(settings_in(tmp_path, mode="mock"))
    try:
        response = await client.get(PET, headers={"Prefer": f"example={name}, delay=5"})
        assert response.status == 200
        assert await response.read() == PLAIN_PET
        assert response.headers["X-Mockproxy-Recording"] == name
    finally:
        await client.close()


async def test_match_request_answers_with_the_same_requests_recording(
    tmp_path: Path, upstream_url: str
) -> None:
    """With match: request, the same path parameters and query get the recording; others
    get the spec's answer."""
    await record(settings_in(tmp_path, upstream_url), f"{PET}&tag=a")
    client = await start(settings_in(tmp_path, mode="mock", match="request"))
    try:
        same = await client.get(f"/pets-api/pets/1?tag=a&{KEY}")
        other = await client.get(f"/pets-api/pets/1?tag=b&{KEY}")
        assert await same.read() == PLAIN_PET
        assert "X-Mockproxy-Recording" not in other.headers
        assert await other.json() == {"id": 1, "name": "Rex"}  # the spec's example
    finally:
        await client.close()


async def test_without_match_request_the_spec_answers(tmp_path: Path, upstream_url: str) -> None:
    """By default a recording is replayed only when asked for by name."""
    await record(settings_in(tmp_path, upstream_url), PET)
    client = await start(settings_in(tmp_path, mode="mock"))
    try:
        response = await client.get(PET)
        assert "X-Mockproxy-Recording" not in response.headers
    finally:
        await client.close()


async def test_secrets_never_reach_the_file(tmp_path: Path, upstream_url: str) -> None:
    """Credentials, undocumented headers and the configured body fields are blanked on disk."""
    settings = settings_in(tmp_path, upstream_url, redact=["token", "/owner/ssn"])
    await record(settings, f"/pets-api/pets/secret?{KEY}", Authorization="Bearer SECRET-AUTH")
    text = recordings_file(tmp_path).read_text()
    assert [secret for secret in (*SECRETS, "SECRET-SSN") if secret in text] == []
    [recording] = load_recordings(recordings_file(tmp_path))["getPet"]
    assert dict(recording.headers) == {"X-Rate-Limit": "99", "Set-Cookie": "[redacted]"}
    assert json.loads(recording.body)["owner"] == {"name": "Ann", "ssn": "[redacted]"}
    assert recording.query == "api_key=%5Bredacted%5D"


async def test_a_compressed_answer_is_recorded_as_its_redacted_content(
    tmp_path: Path, upstream_url: str
) -> None:
    """A gzipped answer is kept decoded and redacted, and replayed as plain JSON."""
    await record(settings_in(tmp_path, upstream_url), f"/pets-api/pets/zipped?{KEY}")
    [recording] = load_recordings(recordings_file(tmp_path))["getPet"]
    assert json.loads(recording.body)["token"] == "[redacted]"
    client = await start(settings_in(tmp_path, mode="mock"))
    try:
        response = await client.get(PET, headers={"Prefer": f"example={recording.name}"})
        assert "Content-Encoding" not in response.headers
        assert "X-Mockproxy-Violations" not in response.headers
        assert await response.read() == recording.body
    finally:
        await client.close()


async def test_violating_recording_is_flagged(tmp_path: Path, upstream_url: str) -> None:
    """A recording the spec does not describe is kept, logged, and replayed with its findings."""
    await record(settings_in(tmp_path, upstream_url), f"/pets-api/pets/bad?{KEY}")
    [name] = recorded_names(tmp_path)
    with capture_logs() as logs:
        settings = settings_in(tmp_path, mode="mock")
        client = await start(settings)
    try:
        flagged = [e for e in logs if e["event"] == "recording.nonconforming"]
        assert [e["name"] for e in flagged] == [name]
        response = await client.get(PET, headers={"Prefer": f"example={name}"})
        assert json.loads(await response.read()) == {"id": "seven", "name": 7}
        assert json.loads(response.headers["X-Mockproxy-Violations"]) == [
            {"in": "response", "pointer": "/body/id", "detail": '"seven" is not of type "integer"'},
            {"in": "response", "pointer": "/body/name", "detail": '7 is not of type "string"'},
        ]
    finally:
        await client.close()


async def test_recording_the_same_request_again_replaces_it(
    tmp_path: Path, upstream_url: str
) -> None:
    """One recording per distinct request: the same request twice leaves one."""
    await record(settings_in(tmp_path, upstream_url), PET, PET)
    assert len(recorded_names(tmp_path)) == 1


async def test_recordings_per_operation_are_capped_newest_first(
    tmp_path: Path, upstream_url: str
) -> None:
    """Beyond max_per_operation the oldest recordings are dropped."""
    settings = settings_in(tmp_path, upstream_url, max_per_operation=2)
    await record(settings, *(f"/pets-api/pets/{n}?{KEY}" for n in (1, 2, 3)))
    recordings = load_recordings(recordings_file(tmp_path))["getPet"]
    assert [r.path for r in recordings] == ["/pets/3", "/pets/2"]


async def test_error_answers_are_recorded_with_their_status(
    tmp_path: Path, upstream_url: str
) -> None:
    """A documented 404 is recorded and replayed as a 404."""
    await record(settings_in(tmp_path, upstream_url), f"/pets-api/pets/missing?{KEY}")
    [name] = recorded_names(tmp_path)
    client = await start(settings_in(tmp_path, mode="mock"))
    try:
        response = await client.get(PET, headers={"Prefer": f"example={name}"})
        assert response.status == 404
        assert await response.json() == {"message": "no such pet"}
    finally:
        await client.close()


async def test_environment_variable_turns_record_mode_on(tmp_path: Path, upstream_url: str) -> None:
    """MOCKPROXY_MODE_PETS=record records an API configured as live."""
    environ = {"MOCKPROXY_MODE_PETS": "record"}
    await record(settings_in(tmp_path, upstream_url, mode="live", environ=environ), PET)
    assert len(recorded_names(tmp_path)) == 1


async def test_live_mode_records_nothing(tmp_path: Path, upstream_url: str) -> None:
    """Only record mode writes recordings."""
    await record(settings_in(tmp_path, upstream_url, mode="live"), PET)
    assert not recordings_file(tmp_path).exists()


async def test_recordings_broken_by_hand_are_left_alone(tmp_path: Path, upstream_url: str) -> None:
    """A recordings file broken while recording is not overwritten; the failure is logged."""
    client = await start(settings_in(tmp_path, upstream_url))
    recordings_file(tmp_path).parent.mkdir()
    recordings_file(tmp_path).write_text("operations: [")
    with capture_logs() as logs:
        try:
            assert (await client.get(PET)).status == 200
        finally:
            await client.close()
    assert recordings_file(tmp_path).read_text() == "operations: ["
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["recording.write_failed"]


def test_recordings_are_watched_for_hot_reload(tmp_path: Path) -> None:
    """The recordings file reloads with the spec when it changes."""
    settings = settings_in(tmp_path, mode="mock")
    watched = watched_files(Snapshot(settings, build_catalog(settings)))
    assert recordings_file(tmp_path).resolve() in watched


async def test_head_answers_are_not_recorded(tmp_path: Path, upstream_url: str) -> None:
    """A HEAD answer has no body to replay: nothing is written."""
    client = await start(settings_in(tmp_path, upstream_url))
    try:
        assert (await client.head(PET)).status == 200
    finally:
        await client.close()
    assert not recordings_file(tmp_path).exists()


async def test_injected_errors_and_faults_replace_nothing_in_record_mode(
    tmp_path: Path, upstream_url: str
) -> None:
    """Errors and faults drawn at rate 1 are the mock's: a record-mode request gets the
    upstream's answer, unmarked, and that answer is what is recorded."""
    injected = {"errors": {"rate": 1, "codes": [404]}, "faults": {"rate": 1, "kinds": ["reset"]}}
    client = await start(settings_in(tmp_path, upstream_url, api_extra=injected))
    try:
        response = await client.get(PET)
        assert (response.status, await response.read()) == (200, PLAIN_PET)
        assert response.headers["X-Mockproxy-Source"] == "live"
        [entry] = (await (await client.get("/_mockproxy/requests")).json())["requests"]
        assert (entry["status"], entry["fault"]) == (200, None)
    finally:
        await client.close()
    [recording] = load_recordings(recordings_file(tmp_path))["getPet"]
    assert (recording.status, recording.body) == (200, PLAIN_PET)
