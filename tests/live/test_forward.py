"""Forwarding to a real upstream on loopback: what it sees, what comes back, failures, limits."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from structlog.testing import capture_logs
from yarl import URL

from proxy.settings import Mode, Timeouts
from tests.live.conftest import AUTH, Pair, raw_upstream

MakePair = Callable[..., Awaitable[Pair]]
REPORTS = "/fax/9991/fax/reports"


async def raw_request(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), timeout=5)
    writer.close()
    return data


@pytest.mark.parametrize(
    ("target", "forwarded"),
    [
        (f"{REPORTS}?limit=5#frag", "/fax/v1/9991/fax/reports?limit=5"),
        (f"{REPORTS}#frag?limit=5", "/fax/v1/9991/fax/reports"),
    ],
)
async def test_a_fragment_in_the_target_goes_no_further(
    make_pair: MakePair, target: str, forwarded: str
) -> None:
    """A fragment (which clients should not send) is neither routed nor forwarded."""
    pair = await make_pair()
    assert pair.client.port is not None
    answer = await raw_request(
        pair.client.port,
        f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 200")
    assert [seen.raw_path for seen in pair.seen] == [forwarded]


async def test_upstream_sees_method_path_query_and_body(make_pair: MakePair) -> None:
    """Method, raw path, raw query (repeats, odd encodings) and body arrive byte for byte."""
    pair = await make_pair()
    assert pair.client.port is not None
    query = "tag=a&tag=b&x=%2F%20+y&empty=&raw=a%2Bb&u=%C3%BC"
    answer = await raw_request(
        pair.client.port,
        f"POST {REPORTS}/J%20K?{query} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n"
        "Content-Length: 7\r\nConnection: close\r\n\r\npayload".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 200")
    [seen] = pair.seen
    assert (seen.method, seen.raw_path, seen.body) == (
        "POST",
        f"/fax/v1/9991/fax/reports/J%20K?{query}",
        b"payload",
    )


async def test_hop_by_hop_headers_are_dropped_and_forwarding_headers_added(
    make_pair: MakePair,
) -> None:
    """Connection and what it names never reach the upstream; X-Forwarded-* and Via are added."""
    pair = await make_pair()
    await pair.client.get(
        REPORTS,
        headers={
            **AUTH,
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Proxy-Authorization": "Basic eA==",
            "X-Forwarded-For": "10.0.0.1",
            "Via": "1.1 corporate-proxy",
            "X-Kept": "one",
        },
    )
    headers = dict(pair.seen[0].headers)
    lowered = {name.lower() for name in headers}
    assert not lowered & {"x-hop", "keep-alive", "te", "proxy-authorization"}
    assert headers["X-Forwarded-For"] == "10.0.0.1, 127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["Via"] == "1.1 corporate-proxy, 1.1 mockproxy"
    assert headers["X-Kept"] == "one"
    assert headers["Authorization"] == AUTH["Authorization"]
    assert headers["Host"] == f"127.0.0.1:{pair.upstream.port}"


async def test_repeated_set_cookie_and_connection_named_fields(make_pair: MakePair) -> None:
    """Both Set-Cookie fields come back; a field the upstream's Connection names does not."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + "?behave=cookies", headers=AUTH)
    assert response.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert "X-Secret-Hop" not in response.headers
    assert response.headers["X-Mockproxy-Source"] == "live"


async def test_gzip_passes_through_compressed(make_pair: MakePair) -> None:
    """Content-Encoding stays, and the bytes are the upstream's compressed bytes."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + "?behave=gzip", headers=AUTH, auto_decompress=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await response.read()) == b'{"compressed": true}'


async def test_redirect_is_passed_back(make_pair: MakePair) -> None:
    """A 302 reaches the client untouched, not followed."""
    pair = await make_pair()
    response = await pair.client.get(
        REPORTS + "?behave=redirect", headers=AUTH, allow_redirects=False
    )
    assert (response.status, response.headers["Location"]) == (302, "/elsewhere")
    assert len(pair.seen) == 1


async def test_a_redirect_below_the_upstream_base_keeps_the_client_on_the_proxy(
    make_pair: MakePair,
) -> None:
    """A Location naming the upstream's own URL comes back naming the proxy's mount, so a
    client that follows it is answered through the proxy again."""
    pair = await make_pair()
    response = await pair.client.get(
        REPORTS + "?behave=redirect-below-base", headers=AUTH, allow_redirects=False
    )
    origin = f"http://{pair.client.host}:{pair.client.port}"
    assert (response.status, response.headers["Location"]) == (
        303,
        f"{origin}/fax/9991/fax/reports/J2",
    )
    followed = await pair.client.get(URL(response.headers["Location"]).raw_path, headers=AUTH)
    assert followed.status == 200
    assert [seen.raw_path for seen in pair.seen] == [
        "/fax/v1/9991/fax/reports?behave=redirect-below-base",
        "/fax/v1/9991/fax/reports/J2",
    ]


async def test_upstream_error_passes_through_untouched(make_pair: MakePair) -> None:
    """An upstream 500 is the upstream's body and headers, not a problem of ours."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + "?behave=error", headers=AUTH)
    assert response.status == 500
    assert await response.text() == "upstream broke"
    assert response.headers["X-Upstream"] == "yes"


async def test_refused_upstream_is_502_problem(aiohttp_client: Any, unused_tcp_port: int) -> None:
    """A closed port answers 502 problem+json naming the upstream."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import proxy_settings

    settings = proxy_settings(f"http://127.0.0.1:{unused_tcp_port}/fax/v1")
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get(REPORTS, headers=AUTH)
    assert response.status == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    body = await response.json()
    assert body["upstream"] == f"http://127.0.0.1:{unused_tcp_port}"


async def test_slow_upstream_is_504_within_the_timeout(make_pair: MakePair) -> None:
    """A read timeout of 0.5 s answers 504 after 0.5 s, before the upstream's answer at 10 s."""
    pair = await make_pair(timeouts=Timeouts(connect=1, read=0.5, total=5))
    started = time.monotonic()
    response = await pair.client.get(REPORTS + "?behave=slow", headers=AUTH)
    elapsed = time.monotonic() - started
    assert response.status == 504
    assert (await response.json())["type"].endswith("/upstream-timeout")
    assert elapsed >= 0.5


@pytest.mark.parametrize(
    "path",
    [
        "/fax/..%2f..%2fadmin",
        "/fax/%2e%2e/%2e%2e/admin",
        "/fax/%2E%2e/secret",
        "/fax/a%2Fb",
        "/fax/a%5c..%5cb",
        "/fax/%252e%252e/x",
        "/fax/..;/admin",
        "/fax/.;jsessionid=1/..;x=y/admin",
        "/fax/%2e%2e;/admin",
    ],
    ids=[
        "encoded-slash-dots",
        "encoded-dots",
        "mixed-case",
        "encoded-slash",
        "backslash",
        "double-encoded",
        "dot-dot-semicolon",
        "dot-segments-with-parameters",
        "encoded-dot-dot-semicolon",
    ],
)
async def test_traversal_is_refused(make_pair: MakePair, path: str) -> None:
    """Nothing that could climb out of the upstream base path is forwarded (sent byte-exact)."""
    pair = await make_pair()
    assert pair.client.port is not None
    answer = await raw_request(
        pair.client.port,
        f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"/path-traversal" in answer
    assert pair.seen == []


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET http://evil.example/fax/9991/fax/reports HTTP/1.1\r\nHost: evil.example\r\n"
        b"Connection: close\r\n\r\n",
        b"GET //evil.example/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        b"GET /elsewhere HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    ],
    ids=["absolute-form", "scheme-relative", "foreign-host"],
)
async def test_never_an_open_proxy(make_pair: MakePair, request_bytes: bytes) -> None:
    """Absolute-form targets and Host tricks never reach another host or the upstream."""
    pair = await make_pair()
    assert pair.client.port is not None
    answer = await raw_request(pair.client.port, request_bytes)
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"400", b"404")
    assert pair.seen == []


async def test_absolute_form_to_own_host_is_routed_locally(make_pair: MakePair) -> None:
    """An absolute-form target still only reaches this API's configured upstream."""
    pair = await make_pair()
    assert pair.client.port is not None
    answer = await raw_request(
        pair.client.port,
        b"GET http://evil.example/fax/9991/fax/reports HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Basic dXNlcjpwYXNz\r\nConnection: close\r\n\r\n",
    )
    for seen in pair.seen:
        assert seen.raw_path.startswith("/fax/v1/")
    assert b"evil.example" not in b"".join(s.raw_path.encode() for s in pair.seen)
    assert answer.startswith(b"HTTP/1.1")


def rss_mb() -> float:
    """This process's resident memory now (not the lifetime peak, which earlier tests set)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class RssWatch:
    """Samples resident memory every 5 ms while a transfer runs; reports the growth."""

    def __init__(self) -> None:
        self.baseline = rss_mb()
        self.highest = self.baseline
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.highest = max(self.highest, rss_mb())
            await asyncio.sleep(0.005)

    async def __aenter__(self) -> RssWatch:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    @property
    def growth_mb(self) -> float:
        return self.highest - self.baseline


async def test_large_upload_streams_with_bounded_memory(make_pair: MakePair) -> None:
    """100 MB sent chunked pass to the upstream without being held in memory."""
    pair = await make_pair()

    async def body() -> AsyncIterator[bytes]:
        chunk = b"y" * (1 << 20)
        for _ in range(100):
            yield chunk

    async with RssWatch() as watch:
        response = await pair.client.post(REPORTS + "?behave=big-upload", data=body(), headers=AUTH)
        assert await response.text() == str(100 * (1 << 20))
    assert watch.growth_mb < 40


async def test_large_download_streams_with_bounded_memory(make_pair: MakePair) -> None:
    """100 MB from the upstream reach the client without being held in memory."""
    pair = await make_pair()
    async with RssWatch() as watch:
        response = await pair.client.get(REPORTS + "?behave=big-download", headers=AUTH)
        size = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            size += len(chunk)
    assert size == 100 * (1 << 20)
    assert watch.growth_mb < 40


async def test_content_length_upload_and_expect_continue(make_pair: MakePair) -> None:
    """A Content-Length body with Expect: 100-continue arrives whole."""
    pair = await make_pair()
    response = await pair.client.post(REPORTS, data=b"z" * 5000, headers=AUTH, expect100=True)
    assert response.status == 200
    assert pair.seen[0].body == b"z" * 5000


async def test_client_disconnect_cancels_the_upstream_request(make_pair: MakePair) -> None:
    """When the client goes away, the upstream request is cancelled too."""
    pair = await make_pair()
    task = asyncio.create_task(pair.client.get(REPORTS + "?behave=slow", headers=AUTH))
    for _ in range(50):
        if pair.seen:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.wait_for(pair.recorder.cancelled.wait(), timeout=5)


@pytest.mark.usefixtures("info_level")
async def test_a_client_that_goes_away_is_logged_and_counted_as_499(make_pair: MakePair) -> None:
    """A client that disconnects while its answer is awaited is a 499 in the request line,
    the metrics and the journal, never a 500."""
    pair = await make_pair()
    with capture_logs() as logs:
        task = asyncio.create_task(pair.client.get(REPORTS + "?behave=slow", headers=AUTH))
        for _ in range(50):
            if pair.seen:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.wait_for(pair.recorder.cancelled.wait(), timeout=5)
        await asyncio.sleep(0.1)
    [line] = [entry for entry in logs if entry["event"] == "request.completed"]
    assert line["status"] == 499
    assert not [entry for entry in logs if entry["event"] == "request.failed"]
    metrics = await (await pair.client.get("/_mockproxy/metrics")).text()
    assert 'status="499"' in metrics
    assert 'status="500"' not in metrics
    journal = await (await pair.client.get("/_mockproxy/requests")).json()
    assert [entry["status"] for entry in journal["requests"]] == [499]


@pytest.mark.usefixtures("info_level")
async def test_a_client_gone_mid_stream_is_a_499_with_the_bytes_relayed(
    make_pair: MakePair,
) -> None:
    """A client that stops reading a streamed download and leaves is logged as a truncated
    answer (bytes relayed, cause client-gone) and a 499."""
    pair = await make_pair()
    with capture_logs() as logs:
        response = await pair.client.get(REPORTS + "?behave=big-download", headers=AUTH)
        await response.content.readexactly(1 << 20)
        response.close()
        for _ in range(100):
            if any(entry["event"] == "request.completed" for entry in logs):
                break
            await asyncio.sleep(0.05)
    [line] = [entry for entry in logs if entry["event"] == "request.completed"]
    assert line["status"] == 499
    [truncated] = [entry for entry in logs if entry["event"] == "response.truncated"]
    assert truncated["cause"] == "client-gone"
    assert truncated["bytes"] >= 1 << 20


async def test_reset_mid_body_closes_the_client_connection(make_pair: MakePair) -> None:
    """A reset after headers closes the client's connection and is logged with the bytes
    relayed and the cause."""
    pair = await make_pair()
    with capture_logs() as logs:
        response = await pair.client.get(REPORTS + "?behave=reset", headers=AUTH)
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
        await asyncio.sleep(0.1)
    [truncated] = [entry for entry in logs if entry["event"] == "response.truncated"]
    assert (truncated["bytes"], truncated["cause"]) == (len(b"partial"), "upstream-reset")


async def test_reset_of_a_small_answer_is_a_502(make_pair: MakePair) -> None:
    """A small answer is read whole before replying, so a reset there is still a clean 502."""
    pair = await make_pair()
    with capture_logs() as logs:
        response = await pair.client.get(REPORTS + "?behave=reset&length=1000", headers=AUTH)
    assert response.status == 502
    assert (await response.json())["type"].endswith("/upstream-reset")
    assert [entry["kind"] for entry in logs if entry["event"] == "upstream.failed"] == [
        "upstream-reset"
    ]


async def test_no_upstream_configured_is_502(aiohttp_client: Any) -> None:
    """Live mode without an upstream says so in a problem."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import proxy_settings

    settings = proxy_settings(None, mode=Mode.LIVE)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get(REPORTS, headers=AUTH)
    assert response.status == 502
    assert (await response.json())["type"].endswith("/no-upstream")


async def test_request_id_is_forwarded_upstream(make_pair: MakePair) -> None:
    """The id the proxy logs under reaches the upstream, and comes back to the client."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS, headers=AUTH)
    sent = dict(pair.seen[0].headers)["X-Request-Id"]
    assert response.headers["X-Request-Id"] == sent


@pytest.mark.parametrize(
    ("behave", "expected"), [("own-id", "upstream-1"), ("own-id-chunked", "upstream-2")]
)
async def test_upstreams_own_request_id_comes_back(
    make_pair: MakePair, behave: str, expected: str
) -> None:
    """An upstream that answers with an X-Request-Id of its own keeps it, whether its answer
    is relayed whole or streamed: only answers without one get mockproxy's."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + f"?behave={behave}", headers=AUTH)
    assert response.status == 200
    assert response.headers.getall("X-Request-Id") == [expected]
    assert dict(pair.seen[0].headers)["X-Request-Id"] != expected


async def test_head_answer_has_headers_only(make_pair: MakePair) -> None:
    """HEAD is forwarded as HEAD; the answer's headers come back and no body."""
    pair = await make_pair()
    response = await pair.client.head(REPORTS, headers=AUTH)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert await response.read() == b""
    assert pair.seen[0].method == "HEAD"


@pytest.mark.parametrize(
    ("behave", "status", "header", "value"),
    [("no-content", 204, "X-Upstream", "yes"), ("not-modified", 304, "ETag", '"v1"')],
    ids=["204", "304"],
)
async def test_bodiless_answers_pass_through(
    make_pair: MakePair, behave: str, status: int, header: str, value: str
) -> None:
    """204 and 304 come back with their headers and without a body."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + f"?behave={behave}", headers=AUTH)
    assert (response.status, response.headers[header]) == (status, value)
    assert await response.read() == b""


async def test_chunked_answer_is_relayed(make_pair: MakePair) -> None:
    """A chunked answer of unknown length streams through whole."""
    pair = await make_pair()
    response = await pair.client.get(REPORTS + "?behave=chunked", headers=AUTH)
    assert await response.text() == "one two three"
    assert response.headers["Via"] == "1.1 mockproxy"


async def test_answer_read_until_close_is_relayed(aiohttp_client: Any) -> None:
    """An HTTP/1.0-style answer delimited by the end of the connection arrives whole."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import proxy_settings

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ")
        await writer.drain()
        writer.write(b"the end")

    async with raw_upstream(serve) as port:
        settings = proxy_settings(f"http://127.0.0.1:{port}/fax/v1")
        client = await aiohttp_client(create_app(settings, build_catalog(settings)))
        response = await client.get(REPORTS, headers=AUTH)
        assert await response.text() == "until the end"
        await client.close()


async def test_upstream_closing_a_pooled_connection_is_not_a_502(aiohttp_client: Any) -> None:
    """An upstream that drops its keep-alive connection as the next request arrives is retried."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import proxy_settings

    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await reader.readuntil(b"\r\n\r\n")  # the next request: dropped unanswered

    async with raw_upstream(serve) as port:
        settings = proxy_settings(f"http://127.0.0.1:{port}/fax/v1")
        client = await aiohttp_client(create_app(settings, build_catalog(settings)))
        for _ in range(3):
            response = await client.get(REPORTS, headers=AUTH)
            assert (response.status, await response.text()) == (200, "ok")
        assert connections == 3
        await client.close()


async def proxied(
    aiohttp_client: Any, port: int, timeouts: Timeouts | None = None, mode: Mode = Mode.LIVE
) -> aiohttp.test_utils.TestClient[Any, Any]:
    """A proxy whose fax API forwards to a raw upstream on ``port``."""
    from proxy.app import create_app
    from proxy.catalog import build_catalog
    from tests.live.conftest import TEST_TIMEOUTS, proxy_settings

    settings = proxy_settings(
        f"http://127.0.0.1:{port}/fax/v1", mode=mode, timeouts=timeouts or TEST_TIMEOUTS
    )
    client: aiohttp.test_utils.TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


@pytest.mark.parametrize(
    ("version", "answer_line"),
    [("HTTP/1.1", b"HTTP/1.0 400 Bad Request"), ("HTTP/1.0", b"HTTP/1.0 200 OK")],
    ids=["http-1.1-without-host", "http-1.0-without-host"],
)
async def test_an_http_1_1_request_without_host_is_a_400(
    make_pair: MakePair, version: str, answer_line: bytes
) -> None:
    """HTTP/1.1 requires Host (RFC 9112 3.2): aiohttp's parser refuses a request without it
    with a 400 naming the field, and nothing is forwarded; HTTP/1.0 may go without."""
    pair = await make_pair()
    assert pair.client.port is not None
    answer = await raw_request(
        pair.client.port,
        f"GET {REPORTS} {version}\r\nAuthorization: Basic eDp5\r\nConnection: close\r\n\r\n".encode(),
    )
    assert answer.startswith(answer_line)
    if version == "HTTP/1.1":
        assert answer.endswith(b"Missing 'Host' header in request.")
        assert pair.seen == []


async def test_an_endless_upstream_header_is_a_quick_502_malformed(aiohttp_client: Any) -> None:
    """An upstream sending a header without end gets a 502 upstream-malformed as soon as its
    head is over 64 KiB, not a 504 after buffering it until the total timeout."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nX-Endless: ")
        while True:  # ends when the proxy closes the connection
            writer.write(b"a" * 8192)
            await writer.drain()

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port)
        response = await client.get(REPORTS, headers=AUTH)
        assert response.status == 502
        assert (await response.json())["type"].endswith("/upstream-malformed")
        await client.close()


async def test_an_answer_that_is_not_http_is_labelled_malformed(aiohttp_client: Any) -> None:
    """Bytes that are not an HTTP answer are a 502 upstream-malformed, not 'unreachable'."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port)
        response = await client.get(REPORTS, headers=AUTH)
        assert response.status == 502
        assert (await response.json())["type"].endswith("/upstream-malformed")
        await client.close()


@pytest.mark.parametrize("length", [40, 600_000], ids=["small", "streamed"])
async def test_a_slow_steady_body_is_not_cut_by_the_total_timeout(
    aiohttp_client: Any, length: int
) -> None:
    """The total timeout bounds the wait for the head; a body arriving steadily streams to
    its end however long it takes."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n".encode())
        for index in range(10):
            await asyncio.sleep(0.1)
            writer.write(b"x" * (length // 10 + (length % 10 if index == 9 else 0)))
            await writer.drain()

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port, Timeouts(connect=1, read=0.5, total=0.4))
        response = await client.get(REPORTS, headers=AUTH)
        assert response.status == 200
        assert await response.read() == b"x" * length
        await client.close()


async def test_an_upstream_silent_mid_body_is_a_504_not_a_broken_answer(
    aiohttp_client: Any,
) -> None:
    """A small answer whose body stops coming is a 504 upstream-timeout naming the timeouts,
    not a 502 saying the upstream broke off."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst")
        await writer.drain()
        await asyncio.sleep(5)

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port, Timeouts(connect=1, read=0.3, total=5))
        response = await client.get(REPORTS, headers=AUTH)
        assert response.status == 504
        assert (await response.json())["type"].endswith("/upstream-timeout")
        await client.close()


async def test_a_utf8_header_value_reaches_the_client_byte_for_byte(aiohttp_client: Any) -> None:
    """An upstream's UTF-8 field value (a download's file name) is relayed unchanged."""
    disposition = 'attachment; filename="Rechnung März.pdf"'.encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Disposition: %s\r\nContent-Length: 2\r\n\r\nok"
            % disposition
        )
        await writer.drain()

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port)
        answer = await raw_request(
            client.port,
            b"GET /fax/9991/fax/reports HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        assert b"\r\nContent-Disposition: " + disposition + b"\r\n" in answer
        await client.close()


async def test_an_early_error_answer_stops_the_upload_and_reaches_the_client(
    aiohttp_client: Any,
) -> None:
    """An upstream that refuses an upload before reading it (a 413 sent at once, the body left
    unread) has its answer relayed at once, not after a stalled upload."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large")
        await writer.drain()
        await asyncio.sleep(10)  # reads nothing more, keeps the connection open

    async def upload() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"u" * (1 << 20)

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port)
        async with asyncio.timeout(4):
            response = await client.post(REPORTS, data=upload(), headers=AUTH)
            assert (response.status, await response.read()) == (413, b"too large")
        await client.close()


@pytest.mark.parametrize("mode", [Mode.LIVE, Mode.VERIFY, Mode.FALLBACK])
async def test_a_compressed_request_body_reaches_the_upstream_as_sent(
    aiohttp_client: Any, mode: Mode
) -> None:
    """A gzipped upload is forwarded byte for byte with its Content-Encoding, in every mode."""
    sent = gzip.compress(b'{"recipients": [{"number": "+4989"}]}')
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        received.extend((head, await reader.readexactly(length)))
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    async with raw_upstream(serve) as port:
        client = await proxied(aiohttp_client, port, mode=mode)
        headers = {**AUTH, "Content-Encoding": "gzip", "Content-Type": "application/json"}
        async with asyncio.timeout(4):
            response = await client.post("/fax/9991/fax", data=sent, headers=headers)
        assert response.status == 201
        head, body = received
        assert (b"\r\nContent-Encoding: gzip\r\n" in head, body) == (True, sent)
        await client.close()
