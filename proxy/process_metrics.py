"""Metrics of a process group (``--workers N``): prometheus-client's multiprocess mode.

Each worker's counters live in files under one directory, so a scrape of any worker reads
them all and shows the whole group. One process alone keeps its plain counters in memory
(``observability.Metrics``), which cost less per request.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from proxy.observability import LATENCY_BUCKETS, Metrics

__all__ = ["DIRECTORY_VARIABLE", "ProcessGroupMetrics", "metrics_shared_by_workers", "new_metrics"]

DIRECTORY_VARIABLE: Final = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's own variable: the directory of the group's metric files."""


@contextlib.contextmanager
def metrics_shared_by_workers() -> Iterator[None]:
    """Around starting the workers: metrics made from here on, in this process and the ones it
    forks, are kept in files in a fresh directory, removed afterwards. A directory the operator
    names in ``PROMETHEUS_MULTIPROC_DIR`` is used as it is (empty it between runs)."""
    if os.environ.get(DIRECTORY_VARIABLE):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="mockproxy-metrics-") as directory:
        os.environ[DIRECTORY_VARIABLE] = directory
        # prometheus-client reads the variable when it is imported, which the CLI has done by
        # now: ask it again, with its own function, before any metric is made
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]  # unannotated
        try:
            yield
        finally:
            del os.environ[DIRECTORY_VARIABLE]
            values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]  # unannotated


def new_metrics() -> Metrics:
    """An app's metrics: the group's when the process is one of several, else its own."""
    directory = os.environ.get(DIRECTORY_VARIABLE)
    return ProcessGroupMetrics(directory) if directory else Metrics()


class ProcessGroupMetrics(Metrics):
    """The same metrics, written to this process's files; rendered from every process's."""

    def __init__(self, directory: str) -> None:
        super().__init__()  # its labelled counters are file-backed too: made after the switch
        self._directory = directory
        # not registered: the files are what a scrape reads
        self._requests = Counter(
            "mockproxy_requests",
            "Requests answered, by API, operation, source and status.",
            ["api", "operation", "source", "status"],
            registry=None,
        )
        self._latency = Histogram(
            "mockproxy_request_duration_seconds",
            "Time from request to response headers, by API and source.",
            ["api", "source"],
            buckets=LATENCY_BUCKETS,
            registry=None,
        )
        self._series: dict[tuple[str, str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, api: str, operation: str, source: str, status: int, seconds: float) -> None:
        key = (api, operation, source, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self._requests.labels(api, operation, source, str(status)),
                self._latency.labels(api, source),
            )
        requests, latency = series
        requests.inc()
        latency.observe(seconds)

    def render(self) -> bytes:
        registry = CollectorRegistry()
        registry.register(_FilesWithData(self._directory))
        return generate_latest(registry)


class _FilesWithData(Collector):
    """prometheus-client's merge of the group's files, over those that hold data. A worker's
    new file is empty for a moment after it is created (and stays so if the worker was killed
    then); the library's own collector fails the whole scrape on it (client_python#1199)."""

    def __init__(self, directory: str) -> None:
        self._directory = Path(directory)

    def collect(self) -> Iterable[Metric]:
        files = []
        for file in self._directory.glob("*.db"):
            with contextlib.suppress(OSError):  # removed since the listing: nothing to read
                if file.stat().st_size > 0:
                    files.append(str(file))
        merged: Iterable[Metric] = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]  # unannotated
        return merged
