"""The benchmark harness runs end to end (a tiny duration; no timing is asserted)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.inprocess import SCENARIOS, measure
from bench.run import (
    MOCK_SCENARIOS,
    YARDSTICK_OF,
    lua_script,
    ratio_to_neighbours,
    round_order,
    run_wrk,
)
from bench.yardstick import BODY, yardstick_app
from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from tests.test_logging import CONFIG, logging_as_served, read_lines

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)
def test_benchmark_smoke(tmp_path: Path) -> None:
    """Every scenario reports numbers, every request got its expected status, start-up is measured."""
    subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--duration",
            "1",
            "--connections",
            "4",
            "--rounds",
            "2",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        check=True,
        timeout=180,
        capture_output=True,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results["scenarios"]) == {
        *("bare", "upstream", "a", "b", "c", "d", "b-100k", "b-1m-invalid"),
        *("same-a", "same-b", "same-c", "same-b-100k", "same-b-1m-invalid", "line-a"),
    }
    for name, data in results["scenarios"].items():
        assert data["rps"] > 0, name
        assert data["unexpected_status"] == 0, name
        assert data["server_cpu_us"] > 0, name
    for key in ("a", "b", "c", "d", "line-a"):
        assert isinstance(results["scenarios"][key]["ratio"], float)
    for key in ("a", "b", "c"):
        assert isinstance(results["scenarios"][key]["ratio_same_request"], float)
    for name, data in results["latency_one_connection"].items():
        assert data["requests"] > 0 and data["unexpected_status"] == 0, name
    assert isinstance(results["scenarios"]["d"]["added_p50_ms"], float)
    assert len(results["scenarios"]["a"]["ratio_per_round"]) == 2
    assert set(results["startup"]) - {"twilio_api_v2010"} == {
        "bundled",
        "large_2000_operations",
        "large_2000_operations_yaml",
    }
    assert (tmp_path / "results.md").read_text().startswith("| scenario |")


@pytest.mark.skipif(
    shutil.which("valgrind") is None or shutil.which("wrk") is None,
    reason="valgrind or wrk is not installed (apt-get install valgrind wrk)",
)
def test_instruction_counts_smoke(tmp_path: Path) -> None:
    """bench/instructions.py counts a yardstick and a mock scenario under callgrind, a fixed
    number of requests each however slow the host; the counted runs got their expected
    statuses (it stops otherwise) and give a ratio."""
    out = tmp_path / "counts.json"
    subprocess.run(
        [
            sys.executable,
            "bench/instructions.py",
            "--requests",
            "40",
            "--out",
            str(out),
            "bare",
            "a",
        ],
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
    )
    counts = json.loads(out.read_text())
    assert set(counts) == {"bare", "a"}
    for key in ("bare", "a"):
        # wrk stops asking after 40 answers; those already in flight are counted too
        assert counts[key]["requests"] >= 40 and counts[key]["instructions"] > 10_000, key
    assert counts["a"]["ratio"] == pytest.approx(
        counts["bare"]["instructions"] / counts["a"]["instructions"]
    )


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)
async def test_wrk_counts_answers_with_another_status_and_stops_after_a_fixed_number(
    aiohttp_server: Any,
) -> None:
    """A run expecting 201 from a server answering 200 counts every answer as unexpected, and
    a run told to stop after 25 answers ends with 25, long before its duration."""
    server = await aiohttp_server(yardstick_app())
    url = str(server.make_url("/"))
    script = lua_script("GET", {}, None, 201)
    timed = await asyncio.to_thread(run_wrk, url, script, 1, 2, 1)
    assert timed["requests"] > 0 and timed["unexpected_status"] == timed["requests"]
    counted = await asyncio.to_thread(run_wrk, url, script, 60, 2, 1, None, 25)
    assert (counted["requests"], counted["unexpected_status"]) == (25, 25)  # 60 s: thousands


@pytest.mark.parametrize("spin_seconds", [0.0, 0.00001])
async def test_yardstick_answers_the_same_body_with_or_without_work(
    aiohttp_client: Any, spin_seconds: float
) -> None:
    """The calibration yardstick (busy CPU before answering) answers like the plain one."""
    client = await aiohttp_client(yardstick_app(spin_seconds))
    response = await client.post("/any/path?x=1", data=b"ignored")
    assert response.status == 200
    assert await response.read() == BODY
    assert response.headers["Content-Type"] == "application/json"


def test_each_judged_scenario_is_measured_between_runs_of_its_yardstick() -> None:
    order = round_order()
    for key, yardstick in YARDSTICK_OF.items():
        index = order.index(key)
        assert yardstick in order[:index] and yardstick in order[index + 1 :], key
    assert all(order[order.index(key) + 1] == f"same-{key}" for key in MOCK_SCENARIOS)


def test_a_rounds_ratio_is_to_the_mean_of_the_nearest_yardstick_runs() -> None:
    one_round = [
        ("bare", {"rps": 900.0}),
        ("bare", {"rps": 1000.0}),
        ("a", {"rps": 700.0}),
        ("same-a", {"rps": 800.0}),
        ("bare", {"rps": 1100.0}),
        ("b", {"rps": 500.0}),
        ("bare", {"rps": 900.0}),
    ]
    assert ratio_to_neighbours(one_round, "a", "bare") == pytest.approx(700 / 1050)
    assert ratio_to_neighbours(one_round, "b", "bare") == pytest.approx(500 / 1000)
    assert ratio_to_neighbours(one_round, "a", "same-a") == pytest.approx(700 / 800)


@pytest.mark.parametrize("key", ["harness", "bare", "a", "b", "c", "b-100k", "d"])
async def test_in_process_harness_drives_each_scenario_to_its_expected_status(key: str) -> None:
    """bench/inprocess.py serves each scenario as production does and
    stops with an error when an answer has another status than the scenario expects; (d)
    forwards to a real upstream in a process of its own."""
    micros = await measure(key, requests=200, repeats=1, connections=5)
    assert micros > 0


async def test_in_process_harness_with_cold_caches_drives_a_scenario() -> None:
    """--cold sweeps memory before each request; the answers are the same."""
    assert await measure("b", requests=100, repeats=1, connections=5, cold_kib=64) > 0


async def test_in_process_harness_refuses_a_wrong_status(monkeypatch: pytest.MonkeyPatch) -> None:
    kind, raw, _status = SCENARIOS["a"]
    monkeypatch.setitem(SCENARIOS, "a", (kind, raw, 200))  # (a) answers its documented 404
    with pytest.raises(SystemExit, match="expected 200"):
        await measure("a", requests=20, repeats=1, connections=2)


async def test_the_line_yardstick_writes_the_request_line_mockproxy_writes(
    aiohttp_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The yardstick with ``--request-line`` answers as the bare one and writes, per request,
    a ``request.completed`` line with the fields of mockproxy's line for the same request."""
    _description, request, status = MOCK_SCENARIOS["a"]
    path, headers = request.path, request.headers
    settings = load_settings(CONFIG, environ={})
    proxy = await aiohttp_client(create_app(settings, build_catalog(settings)))
    bare = await aiohttp_client(yardstick_app(request_line=True))
    with logging_as_served():
        assert (await proxy.get(path, headers=headers)).status == status
        [own] = [line for line in read_lines(capsys) if line["event"] == "request.completed"]
        response = await bare.get(path, headers=headers)
        assert (response.status, await response.read()) == (200, BODY)
        [yardstick] = [line for line in read_lines(capsys) if line["event"] == "request.completed"]
    assert set(yardstick) == set(own)
    assert (yardstick["method"], yardstick["path"], yardstick["status"]) == ("GET", path, 200)
