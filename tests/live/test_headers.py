"""Header rules, pure: what crosses the proxy each way, byte for byte."""

from __future__ import annotations

from proxy.live.headers import request_headers_for_upstream, response_headers_for_client


def test_request_fields_in_order_with_forwarding_fields_last() -> None:
    """Passing fields keep their order; Host is the upstream's; X-Forwarded-* and Via follow."""
    fields = request_headers_for_upstream(
        [
            (b"Host", b"proxy.local:8080"),
            (b"X-A", b"1"),
            (b"X-Forwarded-For", b"10.0.0.1"),
            (b"Connection", b"keep-alive, X-Hop"),
            (b"X-Hop", b"secret"),
            (b"X-B", b"2"),
        ],
        b"fax.example.com",
        b"127.0.0.1",
        b"http",
        defaults=[(b"X-Request-Id", b"id-1"), (b"X-A", b"never")],
    )
    assert fields == [
        (b"X-A", b"1"),
        (b"X-B", b"2"),
        (b"Host", b"fax.example.com"),
        (b"X-Forwarded-For", b"10.0.0.1, 127.0.0.1"),
        (b"X-Forwarded-Proto", b"http"),
        (b"X-Forwarded-Host", b"proxy.local:8080"),
        (b"Via", b"1.1 mockproxy"),
        (b"X-Request-Id", b"id-1"),
    ]


def test_connection_naming_host_still_reports_the_client_host() -> None:
    """Host is replaced, not dropped by a Connection field: X-Forwarded-Host keeps it."""
    fields = request_headers_for_upstream(
        [
            (b"Host", b"proxy.local"),
            (b"Connection", b"Host, X-Forwarded-For"),
            (b"X-Forwarded-For", b"10.0.0.1"),
        ],
        b"fax.example.com",
        b"127.0.0.1",
        b"https",
    )
    assert (b"X-Forwarded-Host", b"proxy.local") in fields
    assert (b"X-Forwarded-For", b"127.0.0.1") in fields


def test_response_fields_without_hop_by_hop_and_framing() -> None:
    """Connection, what it names and Content-Length go; Via is appended; Set-Cookie repeats."""
    fields = response_headers_for_client(
        [
            (b"Content-Length", b"5"),
            (b"Set-Cookie", b"a=1"),
            (b"Connection", b"X-Secret"),
            (b"X-Secret", b"s"),
            (b"Via", b"1.0 upstream-cache"),
            (b"Set-Cookie", b"b=2"),
        ],
        [(b"X-Request-Id", b"id-2")],
    )
    assert fields == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Via", "1.0 upstream-cache, 1.1 mockproxy"),
        ("X-Request-Id", "id-2"),
    ]
