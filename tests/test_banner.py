"""The start-up banner: one line per API with its URLs and mode, then the explorer."""

from __future__ import annotations

from pathlib import Path

from proxy.banner import banner_lines, server_url
from proxy.catalog import build_catalog
from proxy.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "mockproxy.yaml"


def test_banner_of_the_bundled_config() -> None:
    """The fax API's mount, mode, URLs and operation count, then the explorer's URL."""
    settings = load_settings(CONFIG, {})
    assert banner_lines(settings, build_catalog(settings), 8080) == [
        (
            "api.ready",
            {
                "api": "fax",
                "mount": "/fax/fax4a-api",
                "mode": "mock",
                "mode_source": "config apis.fax.mode",
                "url": "http://127.0.0.1:8080/fax/fax4a-api/",
                "mock_url": "http://127.0.0.1:8080/_mock/fax/fax4a-api/",
                "live_url": "https://fax.example.com/fax/v1",
                "operations": 4,
            },
        ),
        ("explorer.ready", {"url": "http://127.0.0.1:8080/_mockproxy/explorer/"}),
    ]


def test_banner_names_operations_whose_mode_differs(tmp_path: Path) -> None:
    """Per-operation modes that differ from the API's are listed with the API."""
    config = tmp_path / "mockproxy.yaml"
    config.write_text(
        f"apis:\n  fax:\n    spec: {ROOT / 'config' / 'specs' / 'fax.yaml'}\n"
        "    upstream: https://fax.example.com\n    mode: mock\n"
        "    operations: {getFaxStatus: live}\n"
    )
    settings = load_settings(config, {"MOCKPROXY_MODE_FAX": "verify"})
    [(_, fields), _] = banner_lines(settings, build_catalog(settings), 9000)
    assert (fields["mode"], fields["mode_source"], fields["operation_modes"]) == (
        "verify",
        "env MOCKPROXY_MODE_FAX",
        {"getFaxStatus": "live"},
    )


def test_wildcard_address_is_shown_as_loopback() -> None:
    """Listening on every address, the banner's URLs use one a local client can open."""
    assert (server_url("0.0.0.0", 80), server_url("::1", 81)) == (
        "http://127.0.0.1:80",
        "http://[::1]:81",
    )
