"""The start-up banner: for each API where to reach it and how it answers, as Prism lists routes.

One log line per API (``api.ready``: mount, effective mode and the setting that decided it,
the URL that follows the mode, the mock URL, the live base URL, the number of operations),
then the explorer's URL (``explorer.ready``). Console output shows them as the first thing a
user reads; in JSON logs they are the same fields.
"""

from __future__ import annotations

from typing import Any, Final

import structlog

from proxy.catalog import Catalog, MountedApi
from proxy.settings import RESERVED_PREFIX, Settings

__all__ = ["banner_lines", "log_banner", "server_url"]

log = structlog.get_logger(__name__)

_ANY_ADDRESS: Final = frozenset({"", "0.0.0.0", "::"})


def server_url(host: str, port: int) -> str:
    """The URL a local client uses: a wildcard address is reached on loopback."""
    shown = "127.0.0.1" if host in _ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _api_line(api: MountedApi, base: str, mock_prefix: str) -> dict[str, Any]:
    mount = api.settings.mount
    fields: dict[str, Any] = {
        "api": api.name,
        "mount": mount or "/",
        "mode": api.mode.value,
        "mode_source": api.mode_source,
        "url": f"{base}{mount}/",
        "mock_url": f"{base}{mock_prefix}{mount}/",
        "live_url": api.settings.upstream,
        "operations": len(api.operations),
    }
    differing = {
        key: prepared.mode.value
        for key, prepared in api.operations.items()
        if prepared.mode is not api.mode
    }
    if differing:
        fields["operation_modes"] = differing
    return fields


BannerLine = tuple[str, dict[str, Any]]


def banner_lines(settings: Settings, catalog: Catalog, port: int) -> list[BannerLine]:
    """The banner as (event, fields) pairs; ``port`` is the one bound (``--port 0`` picks one)."""
    base = server_url(settings.host, port)
    lines: list[BannerLine] = [
        ("api.ready", _api_line(api, base, settings.mock_prefix)) for api in catalog.apis
    ]
    lines.append(("explorer.ready", {"url": f"{base}{RESERVED_PREFIX}/explorer/"}))
    return lines


def log_banner(settings: Settings, catalog: Catalog, port: int) -> None:
    """Log the banner at info level."""
    for event, fields in banner_lines(settings, catalog, port):
        log.info(event, **fields)
