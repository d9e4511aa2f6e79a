"""The upstream HTTP client: keep-alive connections per origin (``pool``), each an asyncio
Protocol fed to httptools (``connection``), carrying one answer at a time (``response``).

Imports point one way: pool -> connection -> response.
"""

from proxy.live.client.pool import Endpoint, RequestBody, StreamedBody, UpstreamPool
from proxy.live.client.response import (
    UpstreamError,
    UpstreamMalformed,
    UpstreamReset,
    UpstreamResponse,
    UpstreamTimeout,
    UpstreamUnreachable,
)

__all__ = [
    "Endpoint",
    "RequestBody",
    "StreamedBody",
    "UpstreamError",
    "UpstreamMalformed",
    "UpstreamPool",
    "UpstreamReset",
    "UpstreamResponse",
    "UpstreamTimeout",
    "UpstreamUnreachable",
]
