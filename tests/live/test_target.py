"""Upstream request targets, pure: the base path plus the raw path and query, never beyond."""

from __future__ import annotations

import pytest

from proxy.live.target import location_for_client, request_target, upstream_base
from proxy.problems import ProblemError

BASE = upstream_base("http://fax.example.com/fax/v1/")


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/9991/fax", "", b"/fax/v1/9991/fax"),
        ("", "", b"/fax/v1"),
        ("/reports", "limit=5&x=%20", b"/fax/v1/reports?limit=5&x=%20"),
        ("/caf\u00e9", "", b"/fax/v1/caf\xc3\xa9"),  # as aiohttp decoded it from UTF-8
        ("/a\udcffb", "", b"/fax/v1/a\xffb"),  # a byte that was not UTF-8 goes back as it came
        ("/v1.2/file.txt", "", b"/fax/v1/v1.2/file.txt"),
    ],
)
def test_target_is_base_path_raw_path_and_query(path: str, query: str, expected: bytes) -> None:
    """The target keeps the path and query byte for byte below the base path."""
    assert request_target(BASE, path, query) == expected


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/a b", ""),
        ("/a\tb", ""),
        ("/a\x7fb", ""),
        ("/a\x00b", ""),
        ("/a", "x=1 HTTP/1.1\r\nHost: evil"),
        ("/a", "x=\x01"),
        ("/..", ""),
        ("/%2e%2E/admin", ""),
        ("/..;/admin", ""),
        ("no-slash", ""),
    ],
)
def test_what_would_break_the_request_line_or_leave_the_base_is_refused(
    path: str, query: str
) -> None:
    """Spaces, control bytes and DEL, and dot segments, are a 400 problem, never forwarded."""
    with pytest.raises(ProblemError) as refused:
        request_target(BASE, path, query)
    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            "https://fax.example.com/fax/v1/9991/fax/J1",
            "http://proxy:8080/fax/fax4a-api/9991/fax/J1",
        ),
        ("HTTPS://Fax.Example.com/fax/v1?page=2", "http://proxy:8080/fax/fax4a-api?page=2"),
        ("https://fax.example.com/fax/v1", "http://proxy:8080/fax/fax4a-api"),
        ("/fax/v1/9991/fax/J1#top", "/fax/fax4a-api/9991/fax/J1#top"),
        ("/fax/v10/other", "/fax/v10/other"),
        ("/elsewhere", "/elsewhere"),
        ("https://login.example.com/fax/v1/x", "https://login.example.com/fax/v1/x"),
        ("//fax.example.com/fax/v1/x", "//fax.example.com/fax/v1/x"),
        ("J1", "J1"),
    ],
)
def test_a_location_below_the_upstream_base_points_at_the_proxy(
    location: str, expected: str
) -> None:
    """Locations below the base URL, absolute or path-absolute, move below the mount; a
    sibling path, another host and relative references stay as sent."""
    base = upstream_base("https://fax.example.com/fax/v1")
    assert location_for_client(location, base, "http://proxy:8080", "/fax/fax4a-api") == expected


def test_a_location_of_an_upstream_at_its_root_moves_below_the_mount() -> None:
    """With the upstream's base at its root, every path of it is below the mount."""
    base = upstream_base("http://127.0.0.1:9000")
    assert location_for_client("/a/b", base, "http://p", "/api") == "/api/a/b"
    assert location_for_client("http://127.0.0.1:9000/", base, "http://p", "") == "http://p/"
