"""Recordings loaded with the spec: each API's file read, and every recording checked against
the spec as it is now, so that an answer the spec no longer describes is flagged (contract
drift), kept and still replayed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

import structlog
from multidict import CIMultiDict

from proxy.live.contract import ContractChecker
from proxy.openapi.model import ApiSpec
from proxy.recording.store import Recording, load_recordings
from proxy.settings import ApiSettings
from proxy.violations import response_violations, violations_json

__all__ = ["NO_RECORDINGS", "ApiRecordings", "load_api_recordings"]

log = structlog.get_logger(__name__)

ApiRecordings = Mapping[str, tuple[Recording, ...]]
"""Operation key -> its recordings, newest first."""

NO_RECORDINGS: ApiRecordings = MappingProxyType({})


def _checked(recording: Recording, spec: ApiSpec, checker: ContractChecker) -> Recording:
    operation = next((op for op in spec.operations if op.key == recording.operation), None)
    fields: CIMultiDict[str] = CIMultiDict(recording.headers)
    if recording.media_type is not None:
        fields["Content-Type"] = recording.media_type
    what = f"recording {recording.name} of {recording.operation}"
    findings = checker.check(operation, recording.status, fields, recording.body, what)
    if not findings:
        return recording
    violations = response_violations(findings)
    log.warning(
        "recording.nonconforming",
        operation=recording.operation,
        name=recording.name,
        violations=violations_json(violations),
    )
    return dataclasses.replace(recording, violations=tuple(violations))


def load_api_recordings(api: ApiSettings, spec: ApiSpec) -> ApiRecordings:
    """The API's recordings, each flagged with what the spec finds wrong with it;
    ConfigError when the file cannot be read."""
    found = load_recordings(api.recording.path)
    if not found:
        return NO_RECORDINGS
    checker = ContractChecker(spec)
    return MappingProxyType(
        {
            operation: tuple(_checked(r, spec, checker) for r in entries)
            for operation, entries in found.items()
        }
    )
