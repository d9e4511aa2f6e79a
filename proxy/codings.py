"""Content codings undone wherever a body's content is read: the upstream's answers in verify
and record mode (the client still gets the bytes as sent), and request bodies for the mock,
the checks and the journal (the upstream still gets them as sent).

Real APIs gzip their answers to any client that accepts it (browsers, requests, curl
--compressed), so a check of the bytes themselves would call every such JSON body invalid,
and a recording of them would replay gzip bytes without the field that says so. gzip and
deflate (zlib's standard library) are undone, last applied first, and never past a limit, so
a small compressed body cannot expand without bound; any other coding leaves the body unread,
and the finding names it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["TOO_LARGE", "Unread", "content_of"]


@dataclass(frozen=True, slots=True)
class Unread:
    """A body the checks could not read whole, and why: what follows "the body is"."""

    why: str


TOO_LARGE: Final = Unread("too large to read whole")

_GZIP: Final = zlib.MAX_WBITS | 16
_ZLIB: Final = zlib.MAX_WBITS
_RAW_DEFLATE: Final = -zlib.MAX_WBITS  # what some servers send as "deflate"
_WINDOWS: Final = {"gzip": (_GZIP,), "x-gzip": (_GZIP,), "deflate": (_ZLIB, _RAW_DEFLATE)}
_DECODED: Final = "gzip, deflate"


def content_of(codings: Iterable[str], body: bytes | None, limit: int) -> bytes | Unread:
    """``body`` with the content codings listed in ``codings`` (the Content-Encoding field
    values, in order) undone; ``Unread`` when it is over ``limit`` bytes, before or after,
    or cannot be decoded."""
    if body is None:
        return TOO_LARGE
    names = [name.strip().lower() for value in codings for name in value.split(",")]
    content = body
    for name in reversed(names):
        if name in ("", "identity"):
            continue
        windows = _WINDOWS.get(name)
        if windows is None:
            return Unread(
                f"in Content-Encoding {name!r}, which mockproxy does not decode ({_DECODED} only)"
            )
        decoded = _inflate(content, windows, limit)
        if decoded is None:
            return Unread(f"not valid {name} content")
        if len(decoded) > limit:
            return TOO_LARGE
        content = decoded
    return content


def _inflate(data: bytes, windows: tuple[int, ...], limit: int) -> bytes | None:
    """``data`` inflated to at most ``limit + 1`` bytes with the first window format that
    reads it to its end; None if none does."""
    for window in windows:
        inflater = zlib.decompressobj(window)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit or inflater.eof:
            return out
    return None
