"""Shared test set-up: log as the CLI would (JSON, warnings and up) instead of to stdout."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs
from structlog.typing import EventDict

from proxy import cli
from proxy.observability import configure_logging


def log_as_tests_do(level: str = "warning") -> None:
    """JSON lines at ``level`` on the process's own stderr, never a test's capture stream
    (closed after its test)."""
    with contextlib.redirect_stderr(sys.__stderr__):
        configure_logging("json", level, cache_loggers=False)


log_as_tests_do()


@pytest.fixture(autouse=True)
def _logging_as_tests_expect(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``main()`` configures logging as served, loggers cached on first use and writing to
    the stderr of the moment; a cached logger, or a test's closed capture stream, would stay
    for the rest of the session. So ``main()`` never caches here, and each test ends with
    the session's set-up."""
    uncached = functools.partial(configure_logging, cache_loggers=False)
    monkeypatch.setattr(cli, "configure_logging", uncached)
    yield
    log_as_tests_do()


@pytest.fixture
def info_level() -> Iterator[None]:
    """Logging at info, mockproxy's default level, for one test."""
    log_as_tests_do("info")
    try:
        yield
    finally:
        log_as_tests_do()


@pytest.fixture
def debug_logs() -> Iterator[list[EventDict]]:
    """Every line logged, debug included, as dicts."""
    log_as_tests_do("debug")
    try:
        with capture_logs() as logs:
            yield logs
    finally:
        log_as_tests_do()


@pytest.fixture
def info_logs(info_level: None) -> Iterator[list[EventDict]]:
    """The lines logged at info and up, mockproxy's default level, as dicts."""
    with capture_logs() as logs:
        yield logs
