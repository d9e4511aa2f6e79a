"""Header rules, pure: what crosses the proxy each way, byte for byte."""

from __future__ import annotations

from proxy.live.headers import request_fields_for_upstream, response_fields_for_client


def _lines(block: bytes) -> list[tuple[bytes, bytes]]:
    """A header block's fields, each line split once at ': '."""
    assert block.endswith(b"\r\n")
    pairs = [line.split(b": ", 1) for line in block.split(b"\r\n")[:-1]]
    return [(name, value) for name, value in pairs]


def test_request_fields_in_order_with_forwarding_fields_last() -> None:
    """Passing fields keep their order; Host is the upstream's; X-Forwarded-* and Via follow;
    hop-by-hop fields, what Connection names, the body's framing and Expect stay behind."""
    block = request_fields_for_upstream(
        [
            (b"Host", b"proxy.local:8080"),
            (b"X-A", b"1"),
            (b"X-Forwarded-For", b"10.0.0.1"),
            (b"Connection", b"keep-alive, X-Hop"),
            (b"X-Hop", b"secret"),
            (b"Content-Length", b"12"),
            (b"Expect", b"100-continue"),
            (b"Keep-Alive", b"timeout=5"),
            (b"X-B", b"2"),
        ],
        b"fax.example.com",
        b"127.0.0.1",
        b"http",
        b"id-1",
    )
    assert _lines(block) == [
        (b"X-A", b"1"),
        (b"X-B", b"2"),
        (b"Host", b"fax.example.com"),
        (b"X-Forwarded-For", b"10.0.0.1, 127.0.0.1"),
        (b"X-Forwarded-Proto", b"http"),
        (b"X-Forwarded-Host", b"proxy.local:8080"),
        (b"Via", b"1.1 mockproxy"),
        (b"X-Request-Id", b"id-1"),
    ]


def test_request_fields_keep_the_clients_request_id() -> None:
    """A client's X-Request-Id passes (after the other fields), and no second one is added."""
    block = request_fields_for_upstream(
        [(b"x-request-id", b"client-7"), (b"Via", b"1.0 edge"), (b"X-A", b"1")],
        b"up",
        None,
        b"https",
        b"ours",
    )
    assert _lines(block) == [
        (b"X-A", b"1"),
        (b"Host", b"up"),
        (b"X-Forwarded-Proto", b"https"),
        (b"Via", b"1.0 edge, 1.1 mockproxy"),
        (b"X-Request-Id", b"client-7"),
    ]


def test_request_fields_add_only_what_is_known() -> None:
    """Without a client Host, a client address or a request id, no empty field is made up;
    TE and Expect stay behind."""
    block = request_fields_for_upstream(
        [(b"TE", b"trailers"), (b"Expect", b"100-continue"), (b"Accept", b"*/*")],
        b"up:80",
        None,
        b"http",
    )
    assert _lines(block) == [
        (b"Accept", b"*/*"),
        (b"Host", b"up:80"),
        (b"X-Forwarded-Proto", b"http"),
        (b"Via", b"1.1 mockproxy"),
    ]


def test_request_fields_append_to_every_forwarding_field_sent() -> None:
    """Each X-Forwarded-* and Via the client sent gets the proxy's own value appended, in
    the fixed order after Host, whatever order they came in."""
    block = request_fields_for_upstream(
        [
            (b"Via", b"1.0 edge"),
            (b"X-Forwarded-Host", b"shop.example"),
            (b"x-forwarded-proto", b"https"),
            (b"Host", b"proxy.local"),
            (b"X-Forwarded-For", b"10.0.0.1"),
            (b"X-Forwarded-For", b"10.0.0.2"),
        ],
        b"up",
        b"127.0.0.1",
        b"http",
        b"id-3",
    )
    assert _lines(block) == [
        (b"Host", b"up"),
        (b"X-Forwarded-For", b"10.0.0.1, 10.0.0.2, 127.0.0.1"),
        (b"X-Forwarded-Proto", b"https, http"),
        (b"X-Forwarded-Host", b"shop.example, proxy.local"),
        (b"Via", b"1.0 edge, 1.1 mockproxy"),
        (b"X-Request-Id", b"id-3"),
    ]


def test_connection_naming_host_still_reports_the_client_host() -> None:
    """Host is replaced, not dropped by a Connection field: X-Forwarded-Host keeps it."""
    fields = _lines(
        request_fields_for_upstream(
            [
                (b"Host", b"proxy.local"),
                (b"Connection", b"Host, X-Forwarded-For, X-Request-Id"),
                (b"X-Forwarded-For", b"10.0.0.1"),
                (b"X-Request-Id", b"hop"),
            ],
            b"fax.example.com",
            b"127.0.0.1",
            b"https",
            b"ours",
        )
    )
    assert (b"X-Forwarded-Host", b"proxy.local") in fields
    assert (b"X-Forwarded-For", b"127.0.0.1") in fields
    assert (b"X-Request-Id", b"ours") in fields
    assert (b"X-Request-Id", b"hop") not in fields


def test_response_fields_without_hop_by_hop_and_framing() -> None:
    """Connection, what it names and Content-Length go; Via is appended; Set-Cookie repeats."""
    fields = response_fields_for_client(
        [
            (b"Content-Length", b"5"),
            (b"Set-Cookie", b"a=1"),
            (b"Connection", b"X-Secret"),
            (b"X-Secret", b"s"),
            (b"Via", b"1.0 upstream-cache"),
            (b"Set-Cookie", b"b=2"),
            (b"Transfer-Encoding", b"chunked"),
        ],
        "id-2",
    )
    assert fields == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Via", "1.0 upstream-cache, 1.1 mockproxy"),
        ("X-Request-Id", "id-2"),
    ]


def test_response_fields_keep_the_upstreams_request_id() -> None:
    """The upstream's own X-Request-Id passes; none of mockproxy's is added."""
    fields = response_fields_for_client([(b"X-Request-Id", b"up-9"), (b"Date", b"d")], "ours")
    assert fields == [("Date", "d"), ("Via", "1.1 mockproxy"), ("X-Request-Id", "up-9")]


def test_response_fields_of_a_plain_answer_get_via_and_the_id_if_any() -> None:
    """An answer with nothing for the rules to look at gets Via, and mockproxy's id if given."""
    usual = [(b"Content-Type", b"application/json"), (b"content-length", b"2"), (b"Date", b"d")]
    assert response_fields_for_client(usual, "id-4") == [
        ("Content-Type", "application/json"),
        ("Date", "d"),
        ("Via", "1.1 mockproxy"),
        ("X-Request-Id", "id-4"),
    ]
    assert response_fields_for_client(usual) == [
        ("Content-Type", "application/json"),
        ("Date", "d"),
        ("Via", "1.1 mockproxy"),
    ]
