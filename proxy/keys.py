"""Every piece of application state, as a typed ``web.AppKey``."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from proxy.catalog import Catalog
from proxy.config import Settings
from proxy.mock.responder import BodyCache

__all__ = ["BODY_CACHE", "CATALOG", "SETTINGS"]

SETTINGS: Final = web.AppKey("settings", Settings)
CATALOG: Final = web.AppKey("catalog", Catalog)
BODY_CACHE: Final = web.AppKey("body_cache", BodyCache)
