"""Content codings undone for verify and record mode, within a limit."""

from __future__ import annotations

import gzip
import zlib

import pytest

from proxy.codings import TOO_LARGE, Unread, content_of

CONTENT = b'{"jobId": "FJKQQUVF1J0IADYARQEXKC"}'


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("codings", "body", "expected"),
    [
        ((), CONTENT, CONTENT),
        (("identity",), CONTENT, CONTENT),
        (("gzip",), gzip.compress(CONTENT), CONTENT),
        (("X-Gzip",), gzip.compress(CONTENT), CONTENT),
        (("deflate",), zlib.compress(CONTENT), CONTENT),
        (("deflate",), _raw_deflate(CONTENT), CONTENT),
        (("deflate, gzip",), gzip.compress(zlib.compress(CONTENT)), CONTENT),
        (("deflate", "gzip"), gzip.compress(zlib.compress(CONTENT)), CONTENT),
        (("gzip",), gzip.compress(b"x" * 2000), TOO_LARGE),
        (("gzip",), None, TOO_LARGE),
        (
            ("gzip",),
            gzip.compress(CONTENT)[:-12],
            Unread("not valid gzip content"),
        ),
        (
            ("br",),
            CONTENT,
            Unread(
                "in Content-Encoding 'br', which mockproxy does not decode (gzip, deflate only)"
            ),
        ),
    ],
    ids=[
        "none",
        "identity",
        "gzip",
        "x-gzip-any-case",
        "zlib-deflate",
        "raw-deflate",
        "two-in-one-field",
        "two-fields",
        "expands-past-the-limit",
        "too-large-before",
        "cut-short",
        "unknown-coding",
    ],
)
def test_codings_are_undone_last_first(
    codings: tuple[str, ...], body: bytes | None, expected: bytes | Unread
) -> None:
    """Each coding is undone, last applied first; bodies past 1,000 bytes or unreadable are Unread."""
    assert content_of(codings, body, 1000) == expected
