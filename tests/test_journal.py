"""The request journal against a running app: bounded when it records, redacted when read;
and secrets kept out of the log lines that quote what a client sent."""

from __future__ import annotations

import base64
import dataclasses
import gc
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from structlog.testing import capture_logs

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings, settings_for_spec
from proxy.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BASE = "/_mock/fax/fax4a-api/9991"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"user:pass").decode()}
REDACTED = "[redacted]"


def bundled(**changes: Any) -> Settings:
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    return dataclasses.replace(settings, **changes)


async def start(aiohttp_client: Any, settings: Settings) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


async def journal(client: TestClient[Any, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await (await client.get("/_mockproxy/requests")).json())[
        "requests"
    ]
    return entries


async def test_journal_keeps_only_the_first_bytes_of_a_body(aiohttp_client: Any) -> None:
    """Twenty 1 MB bodies leave under 4 MB of memory behind (the last request's buffers): the
    journal cuts each body when it records it, not when it is read."""
    client = await start(aiohttp_client, bundled(journal_max_body_bytes=64))
    body = b'{"recipients": [], "note": "' + b"x" * (1 << 20) + b'"}'
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(20):
            response = await client.post(
                BASE + "/fax",
                data=io.BytesIO(body),
                headers={**AUTH, "Content-Type": "application/json"},
            )
            await response.read()
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 4 << 20
    entries = await journal(client)
    assert len(entries) == 20
    assert entries[0]["body"] == body[:64].decode()
    assert (entries[0]["body_truncated"], entries[0]["body_size"]) == (True, len(body))


async def test_secrets_are_redacted_in_query_headers_and_json_body(aiohttp_client: Any) -> None:
    """API keys, tokens and passwords are redacted by name wherever they appear, at any
    depth of a JSON body, whatever their case; other values stay as sent."""
    client = await start(aiohttp_client, bundled())
    sent = {"user": {"name": "ann", "Password": "hunter2", "keys": [{"client_secret": "c"}]}}
    await client.post(
        BASE + "/fax?api_key=k1&access_token=t1&limit=5",
        json=sent,
        headers={**AUTH, "X-Api-Key": "k2", "X-Session-Id": "s1", "Accept": "*/*"},
    )
    [entry] = await journal(client)
    assert entry["query"] == "api_key=%5Bredacted%5D&access_token=%5Bredacted%5D&limit=5"
    headers = dict(entry["headers"])
    assert (headers["X-Api-Key"], headers["X-Session-Id"]) == (REDACTED, REDACTED)
    assert headers["Accept"] == "*/*"
    assert json.loads(entry["body"]) == {
        "user": {"name": "ann", "Password": REDACTED, "keys": [{"client_secret": REDACTED}]}
    }
    assert "hunter2" not in json.dumps(entry)


async def test_a_secret_in_a_body_cut_short_is_still_redacted(aiohttp_client: Any) -> None:
    """A JSON body longer than the journal keeps is redacted in the part it keeps."""
    client = await start(aiohttp_client, bundled(journal_max_body_bytes=40))
    body = '{"token": "abcdef", "padding": "' + "p" * 100 + '"}'
    await client.post(
        BASE + "/fax", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    [entry] = await journal(client)
    assert entry["body"] == '{"token": "[redacted]", "padding": "pppppppp'
    assert entry["body_size"] == len(body)


async def test_form_fields_are_redacted(aiohttp_client: Any) -> None:
    """A url-encoded form's secret fields are redacted, the rest kept byte for byte."""
    client = await start(aiohttp_client, bundled())
    await client.post(
        BASE + "/fax",
        data="user=ann&passwd=hunter2&note=a%20b",
        headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"},
    )
    [entry] = await journal(client)
    assert entry["body"] == "user=ann&passwd=%5Bredacted%5D&note=a%20b"


async def test_journal_redact_names_more_secrets(aiohttp_client: Any) -> None:
    """Names listed in journal.redact are redacted too, case-insensitively."""
    client = await start(aiohttp_client, bundled(journal_redact=("PIN", "X-Tenant")))
    await client.post(BASE + "/fax?pin=1234", json={"pin": 1234}, headers={**AUTH, "x-tenant": "t"})
    [entry] = await journal(client)
    assert entry["query"] == "pin=%5Bredacted%5D"
    assert dict(entry["headers"])["x-tenant"] == REDACTED
    assert json.loads(entry["body"]) == {"pin": REDACTED}


@pytest.mark.usefixtures("info_level")
async def test_validation_errors_about_secret_fields_are_redacted_in_the_log(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """An invalid password is reported by pointer in the log, its value never."""
    spec = tmp_path / "login.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: login, version: '1'}\npaths:\n  /login:\n    post:\n"
        "      requestBody:\n        content:\n          application/json:\n            schema:\n"
        "              type: object\n              properties:\n"
        "                password: {type: string, minLength: 10}\n"
        "      responses:\n        '204': {description: in}\n"
    )
    client = await start(aiohttp_client, settings_for_spec(spec))
    with capture_logs() as logs:
        response = await client.post("/login", json={"password": "hunter2"})
    assert response.status == 422
    [invalid] = [entry for entry in logs if entry["event"] == "request.invalid"]
    assert invalid["violations"] == [
        {"in": "request", "pointer": "/body/password", "detail": REDACTED}
    ]
    assert "hunter2" not in repr(logs)
