"""The API Explorer's routes: the page, its static files (package data), and its catalog JSON."""

from __future__ import annotations

import json
from importlib import resources
from typing import Final

from aiohttp import web

from proxy.admin import ADMIN_PREFIX
from proxy.explorer.catalog_json import explorer_catalog
from proxy.explorer.operation_json import operation_view
from proxy.keys import EXPLORER_CATALOG, RUNTIME, snapshot
from proxy.problems import ProblemError

__all__ = ["EXPLORER_PREFIX", "setup_explorer"]

EXPLORER_PREFIX: Final = f"{ADMIN_PREFIX}/explorer"
_TYPES: Final = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
}


def _static_bytes(name: str, folder: str = "static") -> bytes:
    entry = resources.files("proxy.explorer").joinpath(folder).joinpath(name)
    if "/" in name or name.startswith(".") or not entry.is_file():
        raise ProblemError(404, "no-such-file", f"the explorer has no file {name!r}")
    return entry.read_bytes()


async def index_view(request: web.Request) -> web.Response:
    """The page."""
    return web.Response(body=_static_bytes("index.html"), content_type="text/html", charset="utf-8")


async def redirect_view(request: web.Request) -> web.Response:
    """`/_mockproxy/explorer` -> `/_mockproxy/explorer/`."""
    raise web.HTTPPermanentRedirect(EXPLORER_PREFIX + "/")


async def static_view(request: web.Request) -> web.Response:
    """A file of the page, served from the package (no CDN, no build step); `vendor/` holds
    the third-party renderer and sanitizer with their licences."""
    name = request.match_info["name"]
    folder = "static/vendor" if request.match_info.get("vendor") else "static"
    suffix = name[name.rfind(".") :] if "." in name else ""
    response = web.Response(
        body=_static_bytes(name, folder),
        content_type=_TYPES.get(suffix, "application/octet-stream"),
        charset="utf-8" if suffix in _TYPES and suffix != ".svg" else None,
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


async def catalog_view(request: web.Request) -> web.Response:
    """The operations of every API, built once per loaded configuration."""
    cache = request.app[EXPLORER_CATALOG]
    generation = request.app[RUNTIME].generation
    body = cache.get(generation)
    if body is None:
        current = snapshot(request)
        body = json.dumps(explorer_catalog(current.catalog, current.settings.mock_prefix)).encode()
        cache.clear()
        cache[generation] = body
    return web.Response(body=body, content_type="application/json")


async def operation_reference_view(request: web.Request) -> web.Response:
    """One operation's reference, `?api=<name>&key=<operation key>`."""
    api_name, key = request.query.get("api"), request.query.get("key")
    if not api_name or not key:
        raise ProblemError(400, "missing-parameter", "name the operation with ?api=<api>&key=<key>")
    api = next((a for a in snapshot(request).catalog.apis if a.name == api_name), None)
    prepared = api.operations.get(key) if api is not None else None
    if api is None or prepared is None:
        raise ProblemError(404, "no-such-operation", f"no operation {key!r} in API {api_name!r}")
    return web.json_response(operation_view(api, prepared))


def setup_explorer(app: web.Application) -> list[web.RouteDef]:
    """The explorer's state on the app, and its routes (register before the reserved
    prefix's catch-all)."""
    app[EXPLORER_CATALOG] = {}
    return [
        web.get(EXPLORER_PREFIX, redirect_view),
        web.get(EXPLORER_PREFIX + "/", index_view),
        web.get(EXPLORER_PREFIX + "/static/{name}", static_view),
        web.get(EXPLORER_PREFIX + "/static/{vendor:vendor}/{name}", static_view),
        web.get(EXPLORER_PREFIX + "/api/catalog", catalog_view),
        web.get(EXPLORER_PREFIX + "/api/operation", operation_reference_view),
    ]
