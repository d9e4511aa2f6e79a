"""`mockproxy check`: what `serve` would do with a config, and what is wrong in descriptions.

With a config: each API, each operation with its effective mode and the setting that decided
it, then the findings of linting every spec and the config's warnings. With SPEC files: their
findings only. Exit code 1 when any finding is an error, 0 with warnings only; text for
people, ``--format json`` for tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy.catalog import Catalog
from proxy.lint import Finding, Severity, lint_loaded, lint_spec
from proxy.recording.store import Recording
from proxy.settings import Settings

__all__ = ["CheckReport", "check_config", "check_files"]


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The findings, and for a config its APIs and routes, ready to print either way."""

    findings: tuple[Finding, ...]
    checked: int
    api_lines: tuple[str, ...] = ()
    routes: tuple[dict[str, Any], ...] = ()

    @property
    def errors(self) -> int:
        return sum(finding.severity is Severity.ERROR for finding in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def render(self, output_format: str) -> str:
        return self.as_json() if output_format == "json" else self.as_text()

    def as_text(self) -> str:
        lines = [*self.api_lines, *(finding.text() for finding in self.findings)]
        warnings = len(self.findings) - self.errors
        noun = "description" if self.checked == 1 else "descriptions"
        if self.findings:
            lines.append(f"{self.checked} {noun}: {self.errors} error(s), {warnings} warning(s)")
        else:
            lines.append(f"{self.checked} {noun}: no problems found")
        return "\n".join(lines) + "\n"

    def as_json(self) -> str:
        document: dict[str, Any] = {}
        if self.api_lines:
            document["routes"] = list(self.routes)
        document["findings"] = [finding.as_json() for finding in self.findings]
        document["errors"] = self.errors
        document["warnings"] = len(self.findings) - self.errors
        return json.dumps(document, indent=2) + "\n"


def check_files(paths: Sequence[Path]) -> CheckReport:
    """Lint description files directly, no config needed."""
    findings = [finding for path in paths for finding in lint_spec(path)]
    return CheckReport(tuple(findings), len(paths))


def _api_lines(catalog: Catalog) -> Iterable[str]:
    for api in catalog.apis:
        spec = api.spec
        source_format = spec.origin or f"OpenAPI {spec.version.value}"
        yield (
            f"{api.name}: {spec.title} {spec.api_version} ({source_format}), "
            f"{len(api.operations)} operations, mounted at {api.settings.mount or '/'}, "
            f"upstream {api.settings.upstream or '(none)'}"
        )
        for prepared in api.operations.values():
            operation = prepared.operation
            yield (
                f"  {operation.method:7} {operation.path:40} {operation.key:28} "
                f"{prepared.mode.value:8} ({prepared.mode_source})"
            )
            if prepared.simulation is not None:
                yield f"          {prepared.simulation.summary()}"
            yield from _recording_lines(api.recordings.get(operation.key, ()))


def _recording_lines(recordings: Sequence[Recording]) -> Iterable[str]:
    """One line per recording under its operation; one more per violation where the spec
    no longer describes it."""
    for recording in recordings:
        flag = "" if not recording.violations else "  DOES NOT CONFORM"
        yield (
            f"    recorded {recording.name} {recording.status} "
            f"{recording.media_type or '(no body)'} {recording.recorded_at}{flag}"
        )
        for violation in recording.violations:
            where = f"{violation.pointer}: " if violation.pointer else ""
            yield f"      {where}{violation.detail}"


def _simulation_lines(settings: Settings, catalog: Catalog) -> Iterable[str]:
    """Where callbacks may go and the seed, when any operation uses them."""
    simulations = [p.simulation for api in catalog.apis for p in api.operations.values()]
    if any(s is not None and s.callbacks for s in simulations):
        d = settings.callback_delivery
        yield (
            f"callbacks: to {', '.join(d.allow_hosts)} only; after {d.delay_ms:g}ms, "
            f"{d.retries} retries from {d.backoff_ms:g}ms, timeout {d.timeout_ms:g}ms"
        )
    if settings.seed is not None and any(s is not None and s.configured for s in simulations):
        yield f"seed: {settings.seed} (latency, fault and error draws repeat)"


def check_config(settings: Settings, catalog: Catalog) -> CheckReport:
    """A loaded config: its routes and modes, its warnings and the findings of its specs."""
    routes = tuple(
        {
            "api": api.name,
            "operation": p.operation.key,
            "method": p.operation.method,
            "path": p.operation.path,
            "mode": p.mode.value,
            "mode_source": p.mode_source,
            "simulation": p.simulation.describe() if p.simulation else {},
            "recordings": [r.summary() for r in api.recordings.get(p.operation.key, ())],
        }
        for api in catalog.apis
        for p in api.operations.values()
    )
    source = str(settings.config_path) if settings.config_path else "(config)"
    findings = [Finding(Severity.WARNING, source, warning) for warning in settings.warnings]
    findings.extend(finding for api in catalog.apis for finding in lint_loaded(api.spec))
    lines = (*_api_lines(catalog), *_simulation_lines(settings, catalog))
    return CheckReport(tuple(findings), len(catalog.apis), lines, routes)
