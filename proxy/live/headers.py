"""Header rules for forwarding (RFC 9110 7.6): pure functions over raw (name, value) byte pairs.

Hop-by-hop fields (Connection and every field it names, Keep-Alive, Proxy-Connection, TE,
Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate) never cross the
proxy. Host is the upstream's; X-Forwarded-For/-Proto/-Host and Via are appended to. Every
other field passes unchanged, byte for byte and in order, repeated ones (Set-Cookie) included.
Working on the pairs as they come off the wire avoids building and copying multidicts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Final

__all__ = [
    "HOP_BY_HOP",
    "VIA",
    "Fields",
    "request_headers_for_upstream",
    "response_headers_for_client",
]

Fields = list[tuple[bytes, bytes]]

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
_HOST: Final = b"host"
_VIA: Final = b"via"
_X_FORWARDED_FOR: Final = b"x-forwarded-for"
_X_FORWARDED_PROTO: Final = b"x-forwarded-proto"
_X_FORWARDED_HOST: Final = b"x-forwarded-host"
_APPENDED_OR_HOST: Final = frozenset(
    {_VIA, _X_FORWARDED_FOR, _X_FORWARDED_PROTO, _X_FORWARDED_HOST, _HOST}
)
_VIA_ONLY: Final = frozenset({_VIA})
_NOTHING: Final[frozenset[bytes]] = frozenset()
_RESPONSE_DROPPED: Final = HOP_BY_HOP | {b"content-length"}  # the server frames the body


@functools.lru_cache(maxsize=16)
def _dropping(extra: frozenset[bytes]) -> frozenset[bytes]:
    return HOP_BY_HOP | extra


def _tokens(values: list[bytes]) -> frozenset[bytes]:
    """The field names a Connection field lists (lowercase)."""
    return frozenset(
        token.strip().lower() for value in values for token in value.split(b",") if token.strip()
    )


def _merged(values: list[bytes] | None, own: bytes | None) -> bytes | None:
    if own is not None:
        values = [*values, own] if values else [own]
    return b", ".join(values) if values else None


def _one_pass(
    headers: Iterable[tuple[bytes, bytes]],
    dropped: frozenset[bytes],
    collected: frozenset[bytes],
    defaults: Iterable[tuple[bytes, bytes]],
) -> tuple[Fields, dict[bytes, list[bytes]], list[tuple[bytes, bytes]]]:
    """One pass over the fields: those that pass on (in order, minus what a Connection field
    names), the values of the ``collected`` names, and the ``defaults`` not sent."""
    pending = {name.lower(): (name, value) for name, value in defaults}
    result: Fields = []
    values: dict[bytes, list[bytes]] = {}
    connection: list[bytes] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in dropped:
            if lowered == b"connection":
                connection.append(value)
        elif lowered in collected:
            values.setdefault(lowered, []).append(value)
        else:
            if pending:
                pending.pop(lowered, None)
            result.append((name, value))
    if connection:
        named = _tokens(connection)
        hosts = values.pop(_HOST, None)  # Host is replaced, never dropped by name
        result = _without(result, named, values)
        if hosts is not None:
            values[_HOST] = hosts
    return result, values, list(pending.values())


def request_headers_for_upstream(
    headers: Iterable[tuple[bytes, bytes]],
    upstream_host: bytes,
    client: bytes | None,
    scheme: bytes,
    *,
    drop: frozenset[bytes] = _NOTHING,
    defaults: Iterable[tuple[bytes, bytes]] = (),
) -> Fields:
    """The client's fields as the upstream should see them.

    ``drop`` names (lowercase) further fields the caller replaces (body framing, Expect);
    ``defaults`` are added when the client did not send a field of that name.
    """
    dropped = _dropping(drop) if drop else HOP_BY_HOP
    result, values, missing = _one_pass(headers, dropped, _APPENDED_OR_HOST, defaults)
    hosts = values.get(_HOST)
    client_host = hosts[-1] if hosts else None
    result.append((b"Host", upstream_host))
    for name, lowered, own in (
        (b"X-Forwarded-For", _X_FORWARDED_FOR, client),
        (b"X-Forwarded-Proto", _X_FORWARDED_PROTO, scheme),
        (b"X-Forwarded-Host", _X_FORWARDED_HOST, client_host),
        (b"Via", _VIA, VIA),
    ):
        merged = _merged(values.get(lowered), own)
        if merged is not None:
            result.append((name, merged))
    result.extend(missing)
    return result


def response_headers_for_client(
    headers: Iterable[tuple[bytes, bytes]], defaults: Iterable[tuple[bytes, bytes]] = ()
) -> list[tuple[str, str]]:
    """The upstream's fields as the client should see them (Via appended; no framing)."""
    result, values, missing = _one_pass(headers, _RESPONSE_DROPPED, _VIA_ONLY, defaults)
    result.append((b"Via", _merged(values.get(_VIA), VIA) or VIA))
    result.extend(missing)
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in result]


def _without(fields: Fields, named: frozenset[bytes], appended: dict[bytes, list[bytes]]) -> Fields:
    """Drop what a Connection field named (rare: a second pass only then)."""
    for lowered in named & appended.keys():
        del appended[lowered]
    return [(name, value) for name, value in fields if name.lower() not in named]
