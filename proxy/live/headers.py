"""Header rules for forwarding (RFC 9110 7.6): pure functions over raw (name, value) byte pairs.

Hop-by-hop fields (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) never cross the
proxy, and neither does the body's framing (Content-Length; the side that sends the body frames
it) nor Expect (the proxy answered it). Host is the upstream's; X-Forwarded-For/-Proto/-Host and
Via are appended to; X-Request-Id is the sender's, else mockproxy's, so that both sides' logs
carry the same id. Every other field passes unchanged, byte for byte and in order, repeated
ones (Set-Cookie) included.

Working on the pairs as they come off the wire avoids building and copying multidicts. The
request's fields come out as the bytes of its header block, the response's as the text pairs
aiohttp's response takes: a forwarded request is the hot path of live mode, so each function
makes one pass, and only fields it must look at (``_REQUEST_NOTED``, ``_RESPONSE_NOTED``) leave
the fast lane.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = [
    "HOP_BY_HOP",
    "VIA",
    "request_fields_for_upstream",
    "response_fields_for_client",
]

HOP_BY_HOP: Final = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authorization",
        b"proxy-authenticate",
    }
)
VIA: Final = b"1.1 mockproxy"
_CONNECTION: Final = b"connection"
_HOST: Final = b"host"
_VIA: Final = b"via"
_X_FORWARDED_FOR: Final = b"x-forwarded-for"
_X_FORWARDED_PROTO: Final = b"x-forwarded-proto"
_X_FORWARDED_HOST: Final = b"x-forwarded-host"
_X_REQUEST_ID: Final = b"x-request-id"
_CONTENT_LENGTH: Final = b"content-length"
_APPENDED: Final = frozenset({_VIA, _X_FORWARDED_FOR, _X_FORWARDED_PROTO, _X_FORWARDED_HOST})
_REQUEST_DROPPED: Final = HOP_BY_HOP | {b"content-length", b"expect"}
_REQUEST_NOTED: Final = _REQUEST_DROPPED | _APPENDED | {_HOST, _X_REQUEST_ID}
_REQUEST_SIMPLY_DROPPED: Final = _REQUEST_DROPPED - {_CONNECTION}  # nothing else to do
_RESPONSE_DROPPED: Final = HOP_BY_HOP | {b"content-length"}
_RESPONSE_NOTED: Final = _RESPONSE_DROPPED | {_VIA, _X_REQUEST_ID}
_USUAL_REQUEST_TAIL: Final = (
    b"Host: %b\r\nX-Forwarded-For: %b\r\nX-Forwarded-Proto: %b\r\nX-Forwarded-Host: %b\r\n"
    b"Via: " + VIA + b"\r\nX-Request-Id: %b\r\n"
)
_VIA_TEXT: Final = VIA.decode("ascii")
_HOST_ONLY: Final = frozenset({_HOST})


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
    lines: list[bytes] = []
    noted: list[tuple[bytes, bytes]] = []
    for pair in headers:
        lowered = pair[0].lower()
        if lowered not in _REQUEST_NOTED:
            lines.append(b"%b: %b\r\n" % pair)
        elif lowered not in _REQUEST_SIMPLY_DROPPED:  # such as a body's Content-Length
            noted.append(pair)
    if (
        len(noted) == 1
        and client is not None
        and request_id is not None
        and noted[0][0].lower() == _HOST
    ):  # the usual request: only Host to replace, nothing to append to
        lines.append(_USUAL_REQUEST_TAIL % (upstream_host, client, scheme, noted[0][1], request_id))
        return b"".join(lines)
    return _request_fields(lines, noted, upstream_host, client, scheme, request_id)


def _request_fields(
    lines: list[bytes],
    noted: list[tuple[bytes, bytes]],
    upstream_host: bytes,
    client: bytes | None,
    scheme: bytes,
    request_id: bytes | None,
) -> bytes:
    """``request_fields_for_upstream`` for any request: ``lines`` are the passing fields'
    lines, ``noted`` the fields the rules look at."""
    values = _values(noted, _REQUEST_DROPPED)
    if _CONNECTION in values:
        named = _named_by_connection(values, kept=_HOST_ONLY)  # Host is replaced, not dropped
        lines = [line for line in lines if line.partition(b":")[0].lower() not in named]
    hosts = values.get(_HOST)
    lines += (b"Host: ", upstream_host, b"\r\n")
    _append(lines, b"X-Forwarded-For: ", values.get(_X_FORWARDED_FOR), client)
    _append(lines, b"X-Forwarded-Proto: ", values.get(_X_FORWARDED_PROTO), scheme)
    client_host = hosts[-1] if hosts else None
    _append(lines, b"X-Forwarded-Host: ", values.get(_X_FORWARDED_HOST), client_host)
    _append(lines, b"Via: ", values.get(_VIA), VIA)
    for sent_id in values.get(_X_REQUEST_ID) or ([request_id] if request_id else []):
        lines += (b"X-Request-Id: ", sent_id, b"\r\n")
    return b"".join(lines)


def response_fields_for_client(
    headers: Iterable[tuple[bytes, bytes]], request_id: str | None = None
) -> list[tuple[str, str]]:
    """The upstream's fields as the client should see them, without framing: Via appended to,
    X-Request-Id the upstream's, else ``request_id``. The fields the rules touch come last."""
    fields: list[tuple[str, str]] = []
    noted: list[tuple[bytes, bytes]] | None = None
    for name, value in headers:
        lowered = name.lower()
        if lowered not in _RESPONSE_NOTED:
            fields.append((name.decode("latin-1"), value.decode("latin-1")))
        elif lowered != _CONTENT_LENGTH:  # the server frames the body
            if noted is None:
                noted = []
            noted.append((name, value))
    if noted is None and request_id is not None:  # the usual answer: nothing to look at
        fields += (("Via", _VIA_TEXT), ("X-Request-Id", request_id))
        return fields
    values = _values(noted or [], _RESPONSE_DROPPED)
    if _CONNECTION in values:
        named = _named_by_connection(values)
        fields = [field for field in fields if field[0].lower().encode("latin-1") not in named]
    vias = values.get(_VIA)
    fields.append(("Via", (b", ".join([*vias, VIA]) if vias else VIA).decode("latin-1")))
    sent_ids = values.get(_X_REQUEST_ID)
    if sent_ids:
        fields += (("X-Request-Id", sent_id.decode("latin-1")) for sent_id in sent_ids)
    elif request_id is not None:
        fields.append(("X-Request-Id", request_id))
    return fields


def _values(
    noted: list[tuple[bytes, bytes]], dropped: frozenset[bytes]
) -> dict[bytes, list[bytes]]:
    """The noted fields' values by lowercase name: Connection's kept (to drop what it names),
    the other ``dropped`` names left out."""
    values: dict[bytes, list[bytes]] = {}
    for name, value in noted:
        lowered = name.lower()
        if lowered == _CONNECTION or lowered not in dropped:
            values.setdefault(lowered, []).append(value)
    return values


def _named_by_connection(
    values: dict[bytes, list[bytes]], kept: frozenset[bytes] = frozenset()
) -> frozenset[bytes]:
    """The field names the Connection field lists (lowercase), taken out of ``values`` with
    the values of the fields it names, but for those ``kept``."""
    named = _tokens(values.pop(_CONNECTION))
    for lowered in named - kept:
        values.pop(lowered, None)
    return named


def _tokens(values: list[bytes]) -> frozenset[bytes]:
    """The field names a Connection field lists (lowercase)."""
    return frozenset(
        token.strip().lower() for value in values for token in value.split(b",") if token.strip()
    )


def _append(
    lines: list[bytes], label: bytes, values: list[bytes] | None, own: bytes | None
) -> None:
    """``label`` with what came in and ``own`` appended, if either has a value."""
    if own is not None:
        values = [*values, own] if values else [own]
    if values:
        lines += (label, b", ".join(values), b"\r\n")
