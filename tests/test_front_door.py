"""The front door: API paths go past the router to their handler, and nothing else changes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.front_door import FrontDoor, install_front_door
from proxy.keys import API_TRAFFIC, ApiTraffic

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "mockproxy.yaml"
BASE = "/_mock/fax/fax4a-api/9991"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"user:pass").decode()}
REPORT = BASE + "/fax/reports/FJKQQUVF1J0IADYARQEXKC"
JOB = json.dumps({"recipients": [{"number": "+498900000000"}]})
JSON = {"Content-Type": "application/json"}


def which_path_app() -> web.Application:
    """An app whose router and whose API handler each answer with their own name."""

    async def by_router(request: web.Request) -> web.Response:
        return web.Response(text=f"router {request.match_info['tail']}")

    async def past_router(request: web.Request) -> web.Response:
        return web.Response(text=f"front door {await request.text()}")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", by_router)
    app[API_TRAFFIC] = ApiTraffic(past_router, ("/api/", "/_mock/api/"))
    return app


@pytest.mark.parametrize(
    ("path", "headers", "served_by"),
    [
        ("/api/jobs/1?x=%2F", {}, "front door"),
        ("/_mock/api/jobs", {}, "front door"),
        ("/api", {}, "router"),  # the mount alone: the router's '/' catch-all
        ("/apis/jobs", {}, "router"),
        ("/_mockproxy/health", {}, "router"),
        ("/x/api/jobs", {}, "router"),
        ("/api/jobs", {"Expect": "100-continue"}, "router"),  # aiohttp answers 100 Continue
    ],
    ids=[
        "below-mount",
        "below-mock-mount",
        "mount-alone",
        "longer-segment",
        "reserved",
        "not-prefix",
        "expect",
    ],
)
async def test_only_paths_below_a_mount_go_past_the_router(
    aiohttp_client: Any, path: str, headers: dict[str, str], served_by: str
) -> None:
    client = await aiohttp_client(which_path_app())
    response = await client.post(path, data="body", headers=headers)
    assert response.status == 200
    assert (await response.text()).startswith(served_by)


async def test_test_clients_serve_mockproxy_behind_the_front_door(aiohttp_client: Any) -> None:
    """The suite's aiohttp_client installs it, so every test takes production's path."""
    settings = load_settings(CONFIG, environ={})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    server = client.server.runner.server
    assert isinstance(server.request_handler, FrontDoor)
    install_front_door(client.server.runner)  # a second install changes nothing
    assert isinstance(server.request_handler, FrontDoor)


async def test_install_refuses_an_app_with_middlewares_it_would_skip() -> None:
    app = which_path_app()

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        response.headers["X-Prepared"] = "1"

    app.on_response_prepare.append(on_prepare)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        with pytest.raises(RuntimeError, match="on_response_prepare"):
            install_front_door(runner)
    finally:
        await runner.cleanup()


def test_install_needs_a_set_up_app_runner() -> None:
    settings = load_settings(CONFIG, environ={})
    runner = web.AppRunner(create_app(settings, build_catalog(settings)))
    with pytest.raises(RuntimeError, match="after setup"):
        install_front_door(runner)


REQUESTS = [
    ("GET", REPORT, AUTH, None),
    ("GET", REPORT, {}, None),
    ("GET", REPORT + "?__example=unknownJob", AUTH, None),
    ("HEAD", REPORT, AUTH, None),
    ("GET", REPORT + "?__code=404", {**AUTH, "Accept": "application/json"}, None),
    ("GET", REPORT, {**AUTH, "Prefer": "code=999"}, None),
    ("POST", BASE + "/fax", {**AUTH, **JSON}, JOB),
    ("POST", BASE + "/fax", {**AUTH, **JSON, "Expect": "100-continue"}, JOB),
    ("POST", BASE + "/fax", {**AUTH, **JSON}, "{not json"),
    ("PUT", REPORT, AUTH, None),
    ("OPTIONS", REPORT, {"Origin": "http://app.test"}, None),
    ("GET", BASE + "/nothing/here", AUTH, None),
    ("GET", "/_mock/fax/fax4a-api", AUTH, None),
    ("GET", BASE + "/fax/../fax/reports/FJKQQUVF1J0IADYARQEXKC", AUTH, None),
    ("GET", "/_mockproxy/health", {}, None),
    ("GET", "/%5Fmockproxy/health", {}, None),
    ("POST", "/_mockproxy/health", {}, None),
    ("GET", "/elsewhere", {}, None),
]
PER_REQUEST_HEADERS = {"date", "x-request-id", "content-length"}


async def answer(session: aiohttp.ClientSession, url: str, request: tuple[Any, ...]) -> Any:
    method, path, headers, body = request
    async with session.request(
        method, url + path, headers=headers, data=body, skip_auto_headers=["User-Agent"]
    ) as response:
        text = await response.text()
        if response.content_type == "application/problem+json":
            problem = json.loads(text)
            problem.pop("request_id", None)
            text = json.dumps(problem, sort_keys=True)
        kept = sorted(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in PER_REQUEST_HEADERS
        )
        return response.status, kept, text


async def test_answers_are_the_same_with_and_without_the_front_door(
    aiohttp_client: Any, aiohttp_server: Any
) -> None:
    """The bundled config's good, bad and odd requests, each sent to a server behind the
    front door and to one without it: status, headers and body agree."""
    settings = load_settings(CONFIG, environ={})
    behind = await aiohttp_client(create_app(settings, build_catalog(settings)))
    without = await aiohttp_server(create_app(settings, build_catalog(settings)))
    assert isinstance(behind.server.runner.server.request_handler, FrontDoor)
    assert not isinstance(without.runner.server.request_handler, FrontDoor)
    async with aiohttp.ClientSession() as session:
        for request in REQUESTS:
            front = await answer(session, str(behind.make_url("")), request)
            plain = await answer(session, str(without.make_url("")), request)
            assert front == plain, request
