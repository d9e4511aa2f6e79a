"""Shared test set-up: log as the CLI would (JSON, warnings and up) instead of to stdout."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs
from structlog.typing import EventDict

from proxy.observability import configure_logging

configure_logging("json", "warning", cache_loggers=False)


@pytest.fixture
def info_logs() -> Iterator[list[EventDict]]:
    """The lines logged at info and up, mockproxy's default level, as dicts."""
    configure_logging("json", "info", cache_loggers=False)
    try:
        with capture_logs() as logs:
            yield logs
    finally:
        configure_logging("json", "warning", cache_loggers=False)
