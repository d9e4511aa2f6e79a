"""The benchmark harness runs end to end (a tiny duration; no timing is asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
        *("bare", "upstream", "a", "b", "c", "d"),
        *("same-a", "same-b", "same-c"),
    }
    for name, data in results["scenarios"].items():
        assert data["rps"] > 0, name
        assert data["unexpected_status"] == 0, name
    for key in ("a", "b", "c", "d"):
        assert isinstance(results["scenarios"][key]["ratio"], float)
    for key in ("a", "b", "c"):
        assert isinstance(results["scenarios"][key]["ratio_same_request"], float)
    for name, data in results["latency_one_connection"].items():
        assert data["requests"] > 0 and data["unexpected_status"] == 0, name
    assert isinstance(results["scenarios"]["d"]["added_p50_ms"], float)
    assert len(results["scenarios"]["a"]["ratio_per_round"]) == 2
    assert set(results["startup"]) == {"bundled", "large_2000_operations"}
    assert (tmp_path / "results.md").read_text().startswith("| scenario |")
