"""A 401 asked for with `Prefer: code=401` is the answer missing credentials get."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from tests.mock.test_prism_fidelity import serve

ROOT = Path(__file__).resolve().parent.parent.parent
REPORTS = "/_mock/fax/fax4a-api/9991/fax/reports"
AUTH = {"Authorization": "Basic dXNlcjpwYXNz"}
SEED_401 = {
    "code": 401,
    "message": "Not authenticated. Supported authentication types: httpBasicAuth.",
}


@pytest.mark.parametrize(
    ("query", "headers"),
    [("", {**AUTH, "Prefer": "code=401"}), ("?__code=401", AUTH), ("", {})],
    ids=["prefer", "query", "no-credentials"],
)
async def test_401_without_documented_example_is_the_seed_message(
    aiohttp_client: Any, query: str, headers: dict[str, str]
) -> None:
    """Forced or earned, a 401 whose response documents no example has the same body and
    challenge, never data generated from the error schema."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    for _ in range(2):  # the second answer may come from what the first assembled
        response = await client.get(REPORTS + query, headers=headers)
        assert (response.status, await response.json()) == (401, SEED_401)
        assert response.headers["WWW-Authenticate"] == 'Basic realm="mockproxy"'


SECURED_WITHOUT_401 = """\
openapi: 3.0.3
info: {title: t, version: '1'}
security: [{basicAuth: []}]
paths:
  /reports:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array}}}}
components:
  securitySchemes:
    basicAuth: {type: http, scheme: basic}
"""


async def test_401_asked_of_a_secured_operation_that_documents_none_is_the_earned_one(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """``Prefer: code=401`` on an operation whose security the mock enforces answers the 401
    missing credentials get there, not a 404 saying 401 is undocumented."""
    client = await serve(aiohttp_client, tmp_path, SECURED_WITHOUT_401)
    response = await client.get("/reports", headers={**AUTH, "Prefer": "code=401"})
    assert (response.status, await response.json()) == (
        401,
        {"code": 401, "message": "Not authenticated. Supported authentication types: basicAuth."},
    )
    assert response.headers["WWW-Authenticate"] == 'Basic realm="mockproxy"'
