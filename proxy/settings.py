"""The frozen settings of a loaded configuration: APIs, their modes, limits and defaults.

``config.load_settings`` reads them from the config file (and the MOCKPROXY_* variables);
everything else only reads them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

from proxy.callbacks.delivery import DeliverySettings
from proxy.callbacks.plans import DeclaredCallback
from proxy.mock.faults import NO_DISRUPTIONS, Disruptions
from proxy.mock.realistic import DEFAULT_LOCALE
from proxy.recording.settings import RecordSettings, recordings_path

__all__ = [
    "DEFAULT_MOCK_PREFIX",
    "RESERVED_PREFIX",
    "ApiSettings",
    "LogFormat",
    "Mode",
    "ServerLimits",
    "Settings",
    "Timeouts",
    "ValidationMode",
    "lies_under",
]

RESERVED_PREFIX: Final = "/_mockproxy"
"""Admin endpoints and the explorer: never forwarded, never an API mount."""
DEFAULT_MOCK_PREFIX: Final = "/_mock"


class Mode(enum.StrEnum):
    MOCK = "mock"
    LIVE = "live"
    VERIFY = "verify"
    FALLBACK = "fallback"
    RECORD = "record"


class ValidationMode(enum.StrEnum):
    ENFORCE = "enforce"
    WARN = "warn"
    OFF = "off"


class LogFormat(enum.StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    total: float = 60.0


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """What one client may hold of the server: the ``server:`` key (README, Limits)."""

    head_timeout: float = 10.0
    """Seconds from a connection's start (or its previous answer) to a whole request head."""
    keepalive_timeout: float = 75.0
    """Seconds an idle kept-alive connection stays open."""
    max_connections: int | None = None
    """Open client connections at most; None: derived from the descriptor limit at start."""
    shutdown_timeout: float = 10.0
    """Seconds in-flight requests get to finish after SIGTERM."""


@dataclass(frozen=True, slots=True)
class ApiSettings:
    name: str
    spec_path: Path
    mount: str
    upstream: str | None = None
    mode: Mode | None = None
    env_mode: Mode | None = None
    operations: Mapping[str, Mode] = field(default_factory=lambda: MappingProxyType({}))
    validation: ValidationMode = ValidationMode.ENFORCE
    timeouts: Timeouts = Timeouts()
    tls_verify: bool = True
    ca_bundle: Path | None = None
    locale: str = DEFAULT_LOCALE
    disruptions: Disruptions = NO_DISRUPTIONS
    """The API's latency, faults and errors; ``operation_disruptions`` override them."""
    operation_disruptions: Mapping[str, Disruptions] = field(
        default_factory=lambda: MappingProxyType({})
    )
    callbacks: Mapping[str, tuple[DeclaredCallback, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Config-declared callbacks per operation key."""
    record: RecordSettings | None = None
    """None: recordings beside the spec (``recordings_path``), with the defaults."""

    @property
    def recording(self) -> RecordSettings:
        """The record settings in effect."""
        if self.record is not None:
            return self.record
        return RecordSettings(recordings_path(self.spec_path.parent, self.name))


@dataclass(frozen=True, slots=True)
class Settings:
    apis: Mapping[str, ApiSettings]
    config_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    mock_prefix: str = DEFAULT_MOCK_PREFIX
    mode: Mode = Mode.LIVE
    env_mode: Mode | None = None
    dynamic: bool = False
    cors: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    admin_token: str | None = None
    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "info"
    journal_size: int = 200
    journal_max_body_bytes: int = 4096
    journal_redact: tuple[str, ...] = ()
    server: ServerLimits = ServerLimits()
    seed: int | None = None
    """Seeds the latency, fault and error draws: a run repeats exactly."""
    callback_delivery: DeliverySettings = field(default_factory=DeliverySettings)
    journal_store: str = "memory"
    """"memory" (this process's own) or a redis:// URL (one journal for every process)."""
    positions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    warnings: tuple[str, ...] = ()  # worth saying at start-up, not worth refusing to start


def lies_under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or below it, segment-wise: ``/ab`` is not under ``/a``."""
    return path == prefix or path.startswith(prefix + "/")
