"""TLS to upstreams: verified by default, trusted through a private CA bundle when configured."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from proxy.app import create_app
from proxy.catalog import build_catalog
from tests.live.conftest import AUTH, proxy_settings

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="openssl is needed to make test certificates"
)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=mockproxy test CA",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    )
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
    )
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.fixture
async def https_upstream(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    ca, certificate, key = make_certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"reports": []})

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", port, ssl_context=context)
    await site.start()
    try:
        yield f"https://127.0.0.1:{port}/fax/v1", ca
    finally:
        await runner.cleanup()


async def test_untrusted_certificate_is_refused(
    https_upstream: tuple[str, Path], aiohttp_client: Any
) -> None:
    """By default the upstream's certificate must verify: a private CA's is refused (502)."""
    url, _ = https_upstream
    settings = proxy_settings(url)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get("/fax/9991/fax/reports", headers=AUTH)
    assert response.status == 502
    assert (await response.json())["type"].endswith("/upstream-unreachable")


@pytest.mark.parametrize(
    "trust",
    ["ca_bundle", "verify_false"],
    ids=["private-ca-bundle-trusted", "verify-false-accepts-anything"],
)
async def test_trusted_upstream_is_reached(
    https_upstream: tuple[str, Path], aiohttp_client: Any, trust: str
) -> None:
    """With tls.ca_bundle naming the private CA, or with tls.verify false, it is reached."""
    url, ca = https_upstream
    settings = proxy_settings(url)
    fax = settings.apis["fax"]
    api = (
        dataclasses.replace(fax, ca_bundle=ca)
        if trust == "ca_bundle"
        else dataclasses.replace(fax, tls_verify=False)
    )
    settings = dataclasses.replace(settings, apis={"fax": api})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get("/fax/9991/fax/reports", headers=AUTH)
    assert response.status == 200
    assert await response.json() == {"reports": []}
