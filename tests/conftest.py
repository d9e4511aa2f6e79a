"""Shared test set-up: log as the CLI would (JSON, warnings and up) instead of to stdout."""

from __future__ import annotations

from proxy.observability import configure_logging

configure_logging("json", "warning", cache_loggers=False)
