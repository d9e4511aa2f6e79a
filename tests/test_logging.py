"""Log lines as an operator reads them: one JSON object per line, tracebacks as text."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.observability import configure_logging

CONFIG = Path(__file__).resolve().parent.parent / "config" / "mockproxy.yaml"


@contextlib.contextmanager
def logging_as_served(level: str = "info") -> Iterator[None]:
    """Logging configured as `mockproxy serve` does (JSON, info), into the stderr of the
    moment: called inside a test, that is capsys' stream, closed after the test; so the
    set-up of tests/conftest.py comes back on the process's own stderr."""
    configure_logging("json", level, cache_loggers=False)
    try:
        yield
    finally:
        with contextlib.redirect_stderr(sys.__stderr__):
            configure_logging("json", "warning", cache_loggers=False)


def read_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


def test_a_library_records_traceback_is_rendered_as_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A stdlib record with exc_info (aiohttp's, asyncio's) carries its traceback as a string,
    not as the repr of a traceback object."""
    with logging_as_served():
        try:
            raise ValueError("broken on purpose")
        except ValueError:
            logging.getLogger("some.library").exception("library.failed")
    [line] = read_lines(capsys)
    assert line["event"] == "library.failed"
    assert line["level"] == "error"
    assert "exc_info" not in line
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].rstrip().endswith("ValueError: broken on purpose")


async def test_an_unreadable_request_is_a_warning_naming_the_mistake(
    aiohttp_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A request aiohttp cannot parse gets its 400 and one warning line with the parser's
    message and the client, not an error with a traceback."""
    settings = load_settings(CONFIG, environ={})
    server = await aiohttp_server(create_app(settings, build_catalog(settings)))
    with logging_as_served():
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(b"GET /fax/fax4a-api/9991/fax HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
        answer = await reader.read()
        writer.close()
    assert answer.startswith(b"HTTP/1.0 400 Bad Request")
    [line] = [line for line in read_lines(capsys) if line["event"] == "request.unreadable"]
    assert line["level"] == "warning"
    assert line["detail"].startswith("Invalid header token")
    assert line["client"] == "127.0.0.1"
    assert "exception" not in line and "exc_info" not in line


async def test_each_request_is_one_json_line_at_info(
    aiohttp_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """At the default level a request writes one request.completed JSON object on stderr."""
    settings = load_settings(CONFIG, environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    with logging_as_served():
        response = await client.get("/_mockproxy/health", headers={"X-Request-Id": "r-9"})
    assert response.status == 200
    [line] = [line for line in read_lines(capsys) if line["event"] == "request.completed"]
    assert (line["level"], line["request_id"], line["status"]) == ("info", "r-9", 200)
    assert (line["method"], line["path"]) == ("GET", "/_mockproxy/health")
    assert line["timestamp"].endswith("Z")


async def test_no_request_line_below_info(
    aiohttp_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """At warning a request writes nothing: the info call does no work."""
    settings = load_settings(CONFIG, environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    with logging_as_served("warning"):
        response = await client.get("/_mockproxy/health")
    assert response.status == 200
    assert read_lines(capsys) == []
