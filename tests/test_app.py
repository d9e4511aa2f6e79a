"""The app's wiring: public aiohttp only, so API requests are ordinary aiohttp requests."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "mockproxy.yaml"
REPORT = "/_mock/fax/fax4a-api/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"user:pass").decode()}


async def test_api_requests_pass_through_an_added_middleware(aiohttp_client: Any) -> None:
    """A middleware added to the app sees API traffic, with the app as ``request.app``."""
    settings = load_settings(CONFIG, environ={})
    app = create_app(settings, build_catalog(settings))
    seen: list[tuple[str, bool]] = []

    @web.middleware
    async def note(request: web.Request, handler: Handler) -> web.StreamResponse:
        seen.append((request.path, request.app is app))
        return await handler(request)

    app.middlewares.append(note)
    client = await aiohttp_client(app)
    response = await client.get(REPORT, headers=AUTH)
    assert response.status == 200
    assert response.headers["X-Mockproxy-Source"] == "mock"
    assert seen == [(REPORT, True)]
