"""Shared test set-up: log as the CLI would (JSON, warnings and up) instead of to stdout, and
serve mockproxy apps as the CLI does, behind the front door."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import BaseTestServer, TestClient
from pytest_aiohttp import AiohttpClient

from proxy.front_door import install_front_door
from proxy.keys import API_TRAFFIC
from proxy.observability import configure_logging

configure_logging("json", "warning", cache_loggers=False)


@pytest.fixture
def aiohttp_client(aiohttp_client: AiohttpClient) -> AiohttpClient:
    """pytest-aiohttp's client factory; a mockproxy app's server gets the front door that
    ``mockproxy serve`` installs, so tests take the same path as production traffic."""

    async def client(
        app_or_server: web.Application | BaseTestServer, *args: Any, **kwargs: Any
    ) -> TestClient[Any, Any]:
        made: TestClient[Any, Any] = await aiohttp_client(app_or_server, *args, **kwargs)
        runner = made.server.runner
        app = app_or_server if isinstance(app_or_server, web.Application) else None
        if runner is not None and app is not None and API_TRAFFIC in app:
            install_front_door(runner)
        return made

    return client  # type: ignore[return-value]  # AiohttpClient is an overloaded Protocol
