"""Header rules for forwarding (RFC 9110 7.6): pure functions over multidicts.

Hop-by-hop fields (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) never cross the
proxy. Host is the upstream's; X-Forwarded-For/-Proto/-Host and Via are appended to. Every
other field passes unchanged and in order, repeated ones (Set-Cookie) included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from aiohttp import hdrs
from multidict import CIMultiDict, istr

__all__ = [
    "HOP_BY_HOP",
    "VIA",
    "ForwardedFor",
    "request_headers_for_upstream",
    "response_headers_for_client",
]

HOP_BY_HOP: Final = frozenset(
    istr(name)
    for name in (
        hdrs.CONNECTION,
        hdrs.KEEP_ALIVE,
        "Proxy-Connection",
        hdrs.TE,
        hdrs.TRAILER,
        hdrs.TRANSFER_ENCODING,
        hdrs.UPGRADE,
        hdrs.PROXY_AUTHORIZATION,
        hdrs.PROXY_AUTHENTICATE,
    )
)
VIA: Final = "1.1 mockproxy"
X_FORWARDED_FOR: Final = istr("X-Forwarded-For")
X_FORWARDED_PROTO: Final = istr("X-Forwarded-Proto")
X_FORWARDED_HOST: Final = istr("X-Forwarded-Host")


class ForwardedFor:
    """Who asked: the client's address, the scheme and Host it used."""

    __slots__ = ("client", "host", "scheme")

    def __init__(self, client: str | None, scheme: str, host: str | None) -> None:
        self.client = client
        self.scheme = scheme
        self.host = host


def _connection_tokens(headers: CIMultiDict[str]) -> set[istr]:
    tokens: set[istr] = set()
    for value in headers.getall(hdrs.CONNECTION, []):
        tokens.update(istr(token.strip()) for token in value.split(",") if token.strip())
    return tokens


def _without_hop_by_hop(headers: Iterable[tuple[str, str]]) -> CIMultiDict[str]:
    copied: CIMultiDict[str] = CIMultiDict(headers)
    dropped = HOP_BY_HOP | _connection_tokens(copied)
    for name in {istr(key) for key in copied} & dropped:
        del copied[name]
    return copied


def _append(headers: CIMultiDict[str], name: istr, value: str) -> None:
    existing = headers.getall(name, [])
    if existing:
        del headers[name]
        headers[name] = ", ".join([*existing, value])
    else:
        headers[name] = value


def request_headers_for_upstream(
    headers: Iterable[tuple[str, str]], upstream_host: str, forwarded: ForwardedFor
) -> CIMultiDict[str]:
    """The client's headers as the upstream should see them."""
    result = _without_hop_by_hop(headers)
    result.pop(hdrs.HOST, None)
    result[hdrs.HOST] = upstream_host
    if forwarded.client:
        _append(result, X_FORWARDED_FOR, forwarded.client)
    _append(result, X_FORWARDED_PROTO, forwarded.scheme)
    if forwarded.host:
        _append(result, X_FORWARDED_HOST, forwarded.host)
    _append(result, istr(hdrs.VIA), VIA)
    return result


def response_headers_for_client(headers: Iterable[tuple[str, str]]) -> CIMultiDict[str]:
    """The upstream's headers as the client should see them (Via appended)."""
    result = _without_hop_by_hop(headers)
    result.pop(hdrs.CONTENT_LENGTH, None)
    _append(result, istr(hdrs.VIA), VIA)
    return result
