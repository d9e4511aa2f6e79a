"""schemathesis, an independent property-based tester, against the bundled fax API's mock."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    )
)


@pytest.mark.skipif(shutil.which("schemathesis") is None, reason="schemathesis is not installed")
async def test_schemathesis_finds_nothing(aiohttp_server: Any) -> None:
    """No 5xx and every response conformant, with credentials sent and without."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    server = await aiohttp_server(create_app(settings, build_catalog(settings)))
    process = await asyncio.create_subprocess_exec(
        "schemathesis",
        "run",
        str(ROOT / "config" / "specs" / "fax.yaml"),
        "--url",
        str(server.make_url("/_mock/fax/fax4a-api")),
        "--checks",
        CHECKS,
        "--max-examples",
        "20",
        "--seed",
        "1",
        "-H",
        "Authorization: Basic dXNlcjpwYXNz",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-3000:]
    assert "No issues found" in text
