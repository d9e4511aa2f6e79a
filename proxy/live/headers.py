"""Header rules for forwarding (RFC 9110 7.6): pure functions over raw (name, value) byte pairs.

Hop-by-hop fields (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) never cross the
proxy, and neither does the body's framing (Content-Length; the side that sends the body frames
it) nor Expect (the proxy answered it). Host is the upstream's; X-Forwarded-For/-Proto/-Host and
Via are appended to; X-Request-Id is the sender's, else mockproxy's, so that both sides' logs
carry the same id; an answer's Location is rewritten as the caller says (to point at the
proxy). Every other field passes unchanged, byte for byte and in order, repeated ones
(Set-Cookie) included; the fields the rules touch follow them.

The pairs are read as they come off the wire, without building multidicts: the request's
fields come out as the bytes of its header block, the response's as the text pairs aiohttp's
response takes (read as UTF-8, which aiohttp writes back as the same bytes). The rules are
compiled once, at import, from aiohttp's ``hdrs`` constants: lowercase names to compare
with, and the ``Name: `` labels of the lines the proxy writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


def _label(name: str) -> bytes:
    """The start of a line the proxy writes for a field: ``Name: ``."""
    return name.encode("ascii") + b": "


@dataclass(frozen=True, slots=True)
class _Rules:
    """One direction's rules by lowercase name: ``noted`` names leave the fast lane; of
    those, ``touched`` ones are collected for the rules to rewrite, Connection's to drop
    what it names (but for ``kept_when_named``), and the rest are dropped."""

    noted: frozenset[bytes]
    touched: frozenset[bytes]
    kept_when_named: frozenset[bytes] = frozenset()


VIA: Final = b"1.1 mockproxy"
_CRLF: Final = b"\r\n"
_CONNECTION: Final = _lowered(hdrs.CONNECTION)
_HOST: Final = _lowered(hdrs.HOST)
_VIA: Final = _lowered(hdrs.VIA)
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
_APPENDED_TO: Final = tuple(
    (_lowered(name), _label(name))
    for name in (hdrs.X_FORWARDED_FOR, hdrs.X_FORWARDED_PROTO, hdrs.X_FORWARDED_HOST, hdrs.VIA)
)
"""The request fields the proxy appends to, in the order it sends them (after Host)."""
_HOST_LABEL: Final = _label(hdrs.HOST)
_X_REQUEST_ID_LABEL: Final = _label(REQUEST_ID_HEADER)
_REQUEST_TOUCHED: Final = frozenset({_HOST, _X_REQUEST_ID, *(name for name, _ in _APPENDED_TO)})
_REQUEST: Final = _Rules(
    noted=HOP_BY_HOP | _FRAMING | {_lowered(hdrs.EXPECT)} | _REQUEST_TOUCHED,
    touched=_REQUEST_TOUCHED,
    kept_when_named=frozenset({_HOST}),  # replaced, not dropped: X-Forwarded-Host reads it
)
_LOCATION: Final = _lowered(hdrs.LOCATION)
_RESPONSE_TOUCHED: Final = frozenset({_VIA, _X_REQUEST_ID, _LOCATION})
_RESPONSE: Final = _Rules(
    noted=HOP_BY_HOP | _FRAMING | _RESPONSE_TOUCHED, touched=_RESPONSE_TOUCHED
)
_VIA_TEXT: Final = VIA.decode("ascii")


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
    passing, touched = _sort(headers, _REQUEST)
    lines = [b": ".join(pair) for pair in passing]
    lines.append(_HOST_LABEL + upstream_host)
    hosts = touched.get(_HOST)
    own_values = (client, scheme, hosts[-1] if hosts else None, VIA)
    for (lowered, label), own in zip(_APPENDED_TO, own_values, strict=True):
        values = touched.get(lowered)
        if values:
            if own is not None:
                values.append(own)
            lines.append(label + b", ".join(values))
        elif own is not None:
            lines.append(label + own)
    for sent_id in touched.get(_X_REQUEST_ID) or ((request_id,) if request_id else ()):
        lines.append(_X_REQUEST_ID_LABEL + sent_id)
    lines.append(b"")  # the block ends with a line break too
    return _CRLF.join(lines)


def response_fields_for_client(
    headers: Iterable[tuple[bytes, bytes]],
    request_id: str | None = None,
    relocate: Callable[[str], str] | None = None,
) -> list[tuple[str, str]]:
    """The upstream's fields as the client should see them, without framing: Location as
    ``relocate`` rewrites it, Via appended to, X-Request-Id the upstream's, else
    ``request_id``. The fields the rules touch come last."""
    passing, touched = _sort(headers, _RESPONSE)
    fields = [(name.decode("latin-1"), _field_text(value)) for name, value in passing]
    for location in touched.get(_LOCATION, ()):
        text = _field_text(location)
        fields.append((hdrs.LOCATION, relocate(text) if relocate is not None else text))
    vias = touched.get(_VIA)
    fields.append((hdrs.VIA, b", ".join([*vias, VIA]).decode("latin-1") if vias else _VIA_TEXT))
    sent_ids = touched.get(_X_REQUEST_ID)
    if sent_ids:
        fields += ((REQUEST_ID_HEADER, sent_id.decode("latin-1")) for sent_id in sent_ids)
    elif request_id is not None:
        fields.append((REQUEST_ID_HEADER, request_id))
    return fields


def _field_text(value: bytes) -> str:
    """A response field value as text aiohttp writes back as the same bytes: it writes header
    text as UTF-8, so UTF-8 values (a file name in Content-Disposition) are read as UTF-8;
    other bytes as Latin-1, the text they most likely meant."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _sort(
    headers: Iterable[tuple[bytes, bytes]], rules: _Rules
) -> tuple[list[tuple[bytes, bytes]], dict[bytes, list[bytes]]]:
    """The fields that pass unchanged, in order, and the values of those the rules touch by
    lowercase name; dropped fields and those the Connection field names (but for
    ``rules.kept_when_named``) are in neither."""
    passing: list[tuple[bytes, bytes]] = []
    values: dict[bytes, list[bytes]] = {}
    connection: list[bytes] = []
    noted, touched = rules.noted, rules.touched
    for pair in headers:
        lowered = pair[0].lower()
        if lowered not in noted:
            passing.append(pair)
        elif lowered in touched:
            if lowered in values:
                values[lowered].append(pair[1])
            else:
                values[lowered] = [pair[1]]
        elif lowered == _CONNECTION:
            connection.append(pair[1])
    if connection:
        named = _tokens(connection)
        passing = [pair for pair in passing if pair[0].lower() not in named]
        for lowered in named - rules.kept_when_named:
            values.pop(lowered, None)
    return passing, values


def _tokens(values: list[bytes]) -> frozenset[bytes]:
    """The field names a Connection field lists (lowercase)."""
    return frozenset(
        token.strip().lower() for value in values for token in value.split(b",") if token.strip()
    )
