"""Header rules for forwarding (RFC 9110 7.6): pure functions over raw (name, value) byte pairs.

Hop-by-hop fields (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) never cross the
proxy, and neither does the body's framing (Content-Length; the side that sends the body frames
it) nor Expect (the proxy answered it). Host is the upstream's; X-Forwarded-For/-Proto/-Host and
Via are appended to; X-Request-Id is the sender's, else mockproxy's, so that both sides' logs
carry the same id. Every other field passes unchanged, byte for byte and in order, repeated
ones (Set-Cookie) included; the fields the rules touch follow them.

The pairs are read as they come off the wire, without building multidicts: the request's
fields come out as the bytes of its header block, the response's as the text pairs aiohttp's
response takes. Names are aiohttp's ``hdrs`` constants, compared lowercase.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from aiohttp import hdrs

from proxy.fields import REQUEST_ID_HEADER

__all__ = [
    "HOP_BY_HOP",
    "VIA",
    "request_fields_for_upstream",
    "response_fields_for_client",
]


def _lowered(name: str) -> bytes:
    """A field name as the rules compare it: lowercase bytes."""
    return name.lower().encode("ascii")


VIA: Final = b"1.1 mockproxy"
_CONNECTION: Final = _lowered(hdrs.CONNECTION)
_HOST: Final = _lowered(hdrs.HOST)
_VIA: Final = _lowered(hdrs.VIA)
_X_FORWARDED_FOR: Final = _lowered(hdrs.X_FORWARDED_FOR)
_X_FORWARDED_PROTO: Final = _lowered(hdrs.X_FORWARDED_PROTO)
_X_FORWARDED_HOST: Final = _lowered(hdrs.X_FORWARDED_HOST)
_X_REQUEST_ID: Final = _lowered(REQUEST_ID_HEADER)
HOP_BY_HOP: Final = frozenset(
    _lowered(name)
    for name in (
        hdrs.CONNECTION,
        hdrs.KEEP_ALIVE,
        "Proxy-Connection",  # not in RFC 9110, but sent by old clients; never forwarded
        hdrs.TE,
        hdrs.TRAILER,
        hdrs.TRANSFER_ENCODING,
        hdrs.UPGRADE,
        hdrs.PROXY_AUTHORIZATION,
        hdrs.PROXY_AUTHENTICATE,
    )
)
_FRAMING: Final = frozenset({_lowered(hdrs.CONTENT_LENGTH)})
_REQUEST_DROPPED: Final = HOP_BY_HOP | _FRAMING | {_lowered(hdrs.EXPECT)}
_REQUEST_TOUCHED: Final = frozenset(
    {_HOST, _X_FORWARDED_FOR, _X_FORWARDED_PROTO, _X_FORWARDED_HOST, _VIA, _X_REQUEST_ID}
)
_RESPONSE_DROPPED: Final = HOP_BY_HOP | _FRAMING
_RESPONSE_TOUCHED: Final = frozenset({_VIA, _X_REQUEST_ID})
_KEPT_WHEN_NAMED: Final = frozenset({_HOST})  # replaced, not dropped: X-Forwarded-Host reads it


def request_fields_for_upstream(
    headers: Iterable[tuple[bytes, bytes]],
    upstream_host: bytes,
    client: bytes | None,
    scheme: bytes,
    request_id: bytes | None = None,
) -> bytes:
    """The client's fields as the upstream should see them: the header block's bytes, one
    ``Name: value`` line each, without the body's framing (the sender adds it). The fields the
    rules touch follow the others: Host, X-Forwarded-For, -Proto, -Host, Via, X-Request-Id."""
    passing, touched = _sort(headers, _REQUEST_DROPPED, _REQUEST_TOUCHED, _KEPT_WHEN_NAMED)
    lines = [b"%b: %b\r\n" % pair for pair in passing]
    hosts = touched.get(_HOST)
    _add(lines, hdrs.HOST, None, upstream_host)
    _add(lines, hdrs.X_FORWARDED_FOR, touched.get(_X_FORWARDED_FOR), client)
    _add(lines, hdrs.X_FORWARDED_PROTO, touched.get(_X_FORWARDED_PROTO), scheme)
    _add(lines, hdrs.X_FORWARDED_HOST, touched.get(_X_FORWARDED_HOST), hosts[-1] if hosts else None)
    _add(lines, hdrs.VIA, touched.get(_VIA), VIA)
    for sent_id in touched.get(_X_REQUEST_ID) or ([request_id] if request_id else []):
        _add(lines, REQUEST_ID_HEADER, None, sent_id)
    return b"".join(lines)


def response_fields_for_client(
    headers: Iterable[tuple[bytes, bytes]], request_id: str | None = None
) -> list[tuple[str, str]]:
    """The upstream's fields as the client should see them, without framing: Via appended to,
    X-Request-Id the upstream's, else ``request_id``. The fields the rules touch come last."""
    passing, touched = _sort(headers, _RESPONSE_DROPPED, _RESPONSE_TOUCHED)
    fields = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in passing]
    vias = touched.get(_VIA)
    fields.append((hdrs.VIA, (b", ".join([*vias, VIA]) if vias else VIA).decode("latin-1")))
    sent_ids = touched.get(_X_REQUEST_ID)
    if sent_ids:
        fields += ((REQUEST_ID_HEADER, sent_id.decode("latin-1")) for sent_id in sent_ids)
    elif request_id is not None:
        fields.append((REQUEST_ID_HEADER, request_id))
    return fields


def _sort(
    headers: Iterable[tuple[bytes, bytes]],
    dropped: frozenset[bytes],
    touched: frozenset[bytes],
    kept_when_named: frozenset[bytes] = frozenset(),
) -> tuple[list[tuple[bytes, bytes]], dict[bytes, list[bytes]]]:
    """The fields that pass unchanged, in order, and the values of those the rules touch by
    lowercase name; ``dropped`` fields and those the Connection field names (but for
    ``kept_when_named``) are in neither."""
    passing: list[tuple[bytes, bytes]] = []
    values: dict[bytes, list[bytes]] = {}
    connection: list[bytes] = []
    for pair in headers:
        lowered = pair[0].lower()
        if lowered in touched:
            values.setdefault(lowered, []).append(pair[1])
        elif lowered == _CONNECTION:
            connection.append(pair[1])
        elif lowered not in dropped:
            passing.append(pair)
    if connection:
        named = _tokens(connection)
        passing = [pair for pair in passing if pair[0].lower() not in named]
        for lowered in named - kept_when_named:
            values.pop(lowered, None)
    return passing, values


def _tokens(values: list[bytes]) -> frozenset[bytes]:
    """The field names a Connection field lists (lowercase)."""
    return frozenset(
        token.strip().lower() for value in values for token in value.split(b",") if token.strip()
    )


def _add(lines: list[bytes], name: str, values: list[bytes] | None, own: bytes | None) -> None:
    """A ``name`` line with what came in and ``own`` appended, if either has a value."""
    if own is not None:
        values = [*values, own] if values else [own]
    if values:
        lines.append(b"%b: %b\r\n" % (name.encode("ascii"), b", ".join(values)))
