"""Raw-socket helpers shared by the tests of connection handling."""

from __future__ import annotations

import asyncio


async def closed_by_server(reader: asyncio.StreamReader, within: float) -> bool:
    """Whether the server closes the connection within `within` seconds (EOF or reset).

    `within` is a hang guard, not a measurement: the wait fails with TimeoutError."""
    try:
        return await asyncio.wait_for(reader.read(), within) == b""
    except ConnectionResetError:
        return True
