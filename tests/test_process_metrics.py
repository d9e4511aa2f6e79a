"""Metrics across --workers: one scrape of any worker shows the whole process group."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import AUTH, FAX_SPEC, mockproxies

REPORTS = "/_mock/fax/9991/fax/reports"


def requests_total(exposition: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "mockproxy_requests_total"
    )


async def test_one_scrape_of_any_worker_counts_the_whole_group(tmp_path: Path) -> None:
    """Twenty requests on new connections, spread over two workers: a scrape of each worker
    (told apart by X-Mockproxy-Worker on the same connection) counts all twenty."""
    config = tmp_path / "mockproxy.yaml"
    config.write_text(f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: mock\n")
    async with mockproxies(config, 1, "--workers", "2") as (base,):
        served_by: set[str] = set()
        for _ in range(20):
            async with aiohttp.ClientSession() as session:  # a new connection each time
                async with session.get(base + REPORTS, headers=AUTH) as response:
                    assert response.status == 200
        scrapes: dict[str, float] = {}
        for _ in range(60):
            async with aiohttp.ClientSession() as session:  # one connection: one worker
                async with session.get(base + "/_mockproxy/health") as response:
                    worker = response.headers["X-Mockproxy-Worker"]
                async with session.get(base + "/_mockproxy/metrics") as response:
                    scrapes[worker] = requests_total(await response.text())
            served_by.add(worker)
            if len(scrapes) == 2:
                break
        assert scrapes == {worker: 20.0 for worker in served_by}
        assert len(scrapes) == 2


async def test_a_workers_empty_metrics_file_does_not_fail_the_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metrics file that is still empty (created by a worker an instant ago, or left by one
    killed then) is skipped: the scrape answers 200 with the requests counted."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_4194304.db").touch()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    config = tmp_path / "mockproxy.yaml"
    config.write_text(f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: mock\n")
    async with mockproxies(config, 1, "--workers", "2") as (base,):
        async with aiohttp.ClientSession() as session:
            async with session.get(base + REPORTS, headers=AUTH) as response:
                assert response.status == 200
            async with session.get(base + "/_mockproxy/metrics") as response:
                assert response.status == 200
                assert requests_total(await response.text()) == 1.0
