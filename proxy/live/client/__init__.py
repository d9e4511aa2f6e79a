"""The upstream HTTP client: keep-alive connections per origin (``pool``), each an asyncio
Protocol fed to httptools (``connection``), carrying one answer at a time (``response``).

Imports point one way: pool -> connection -> response.
"""

from proxy.live.client.pool import RequestBody, StreamedBody, UpstreamPool
from proxy.live.client.response import (
    UpstreamError,
    UpstreamReset,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)

__all__ = [
    "RequestBody",
    "StreamedBody",
    "UpstreamError",
    "UpstreamPool",
    "UpstreamReset",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnreachable",
]
