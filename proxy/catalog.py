"""The loaded APIs, ready to serve: specs, routers and per-operation work done once at load.

``build_catalog`` is where start-up does everything a request should not have to: load every
spec, compile the path router, compile each operation's security check and validator, and
decide each operation's effective mode from the config and the environment. It raises
``SpecError``/``ConfigError`` so the CLI exits before a port is bound.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from proxy.environment import env_mode_variable
from proxy.errors import ConfigError
from proxy.gc_pause import collector_paused
from proxy.mock.simulate import Simulation, build_simulation
from proxy.openapi.loader import load_spec
from proxy.openapi.model import ApiSpec, Operation, SecuritySchemeKind
from proxy.openapi.paths import PathMatch, PathRouter
from proxy.recording.loading import NO_RECORDINGS, ApiRecordings, load_api_recordings
from proxy.redact import Redactor
from proxy.security import SecurityCheck, compile_security_check
from proxy.settings import ApiSettings, Mode, Settings, lies_under
from proxy.validation import OperationValidator, compile_validator

__all__ = ["Catalog", "MountedApi", "PreparedOperation", "build_catalog", "effective_mode"]


@dataclass(frozen=True, slots=True)
class PreparedOperation:
    """An operation with everything a request needs precomputed.

    ``answers_by_request_line``: for a request without Origin, the mock's static answer
    depends only on the method and raw target (path and query), ``Prefer``, ``Accept``,
    whether ``Authorization`` carries a required scheme and, with a body, its
    ``Content-Type``; no header or cookie parameters, no credential elsewhere. Such answers
    can be remembered by the request line (``mock/answers.py``). A body still decides
    whether the answer is given (``OperationValidator.body_passes``, each time): answers
    are never remembered by body.
    """

    operation: Operation
    security: SecurityCheck
    mode: Mode
    mode_source: str
    validator: OperationValidator
    answers_by_request_line: bool = False
    simulation: Simulation | None = None
    """Latency, faults, errors and callbacks set for it (None: nothing set, nor declared)."""


@dataclass(frozen=True, slots=True)
class MountedApi:
    """One API of the config, mounted at ``settings.mount``."""

    settings: ApiSettings
    spec: ApiSpec
    router: PathRouter[Mapping[str, PreparedOperation]] = field(repr=False)
    operations: Mapping[str, PreparedOperation] = field(repr=False)
    mode: Mode
    mode_source: str
    recordings: ApiRecordings = field(default_factory=lambda: NO_RECORDINGS, repr=False)
    """Recorded live answers per operation key (``recording/``), replayed by the mock."""

    @property
    def name(self) -> str:
        return self.settings.name

    def match(
        self, path: str, method: str | None = None
    ) -> PathMatch[Mapping[str, PreparedOperation]] | None:
        """Match a raw path below the mount; the spec's base path may be included or not.
        With ``method``, a template that documents it wins over one that matched first."""

        def documents(methods: Mapping[str, PreparedOperation]) -> bool:
            return method in methods or (method == "HEAD" and "GET" in methods)

        wanted = documents if method is not None else None
        found = self.router.match(path or "/", wanted)
        base = self.spec.base_path
        if found is None and base and path.startswith(base + "/"):
            found = self.router.match(path[len(base) :], wanted)
        return found


@dataclass(frozen=True, slots=True)
class Catalog:
    """All mounted APIs, longest mount first for prefix matching."""

    apis: tuple[MountedApi, ...]
    redactor: Redactor = field(default_factory=Redactor)
    """The default secret names plus the specs' API-key names and ``journal.redact``."""

    def mounted_at(self, raw_path: str) -> tuple[MountedApi, str] | None:
        """The API whose mount is the longest segment-wise prefix of ``raw_path``, and the rest."""
        for api in self.apis:
            mount = api.settings.mount
            if not mount:
                return api, raw_path
            if lies_under(raw_path, mount):
                return api, raw_path[len(mount) :]
        return None

    def api(self, name: str) -> MountedApi:
        return next(api for api in self.apis if api.name == name)


def api_mode(settings: Settings, api: ApiSettings) -> tuple[Mode, str]:
    """The API-level mode and which setting decided it."""
    if api.env_mode is not None:
        return api.env_mode, f"env {env_mode_variable(api.name)}"
    if settings.env_mode is not None:
        return settings.env_mode, "env MOCKPROXY_MODE"
    if api.mode is not None:
        return api.mode, f"config apis.{api.name}.mode"
    return settings.mode, "config mode"


def effective_mode(settings: Settings, api: ApiSettings, operation: Operation) -> tuple[Mode, str]:
    """Precedence: per-operation config > MOCKPROXY_MODE_<API> > MOCKPROXY_MODE > API > top."""
    by_method_path = f"{operation.method} {operation.path}"
    for key in (operation.operation_id, by_method_path):
        if key is not None and key in api.operations:
            return api.operations[key], f"config apis.{api.name}.operations.{key}"
    return api_mode(settings, api)


def _unknown_operation_keys(settings: Settings, api: ApiSettings, spec: ApiSpec) -> list[str]:
    known = {op.operation_id for op in spec.operations} | {
        f"{op.method} {op.path}" for op in spec.operations
    }
    errors = []
    for key in dict.fromkeys((*api.operations, *api.operation_disruptions, *api.callbacks)):
        if key not in known:
            where = settings.positions.get(f"apis.{api.name}.operations.{key}", "config")
            close = difflib.get_close_matches(key, sorted(k for k in known if k), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(
                f"{where}: apis.{api.name}.operations.{key}: no operation with this "
                f"operationId or 'METHOD /path' in {api.spec_path.name}{hint}"
            )
    return errors


def _prepare(settings: Settings, api: ApiSettings, spec: ApiSpec, errors: list[str]) -> MountedApi:
    prepared: dict[str, PreparedOperation] = {}
    by_path: dict[str, dict[str, PreparedOperation]] = {}
    draws = random.Random(settings.seed)  # the API's latency, fault and error draws
    for operation in spec.operations:
        mode, source = effective_mode(settings, api, operation)
        security = compile_security_check(operation.security, spec.security_schemes)
        validator = compile_validator(operation, spec)
        simulation, problems = build_simulation(settings, api, spec, operation, draws)
        errors.extend(problems)
        entry = PreparedOperation(
            operation=operation,
            security=security,
            mode=mode,
            mode_source=source,
            validator=validator,
            answers_by_request_line=(
                not (validator.reads_headers or validator.reads_cookies)
                and (not security.required or bool(security.authorization_prefixes))
            ),
            simulation=simulation if simulation.configured or simulation.callbacks else None,
        )
        prepared[operation.key] = entry
        by_path.setdefault(operation.path, {})[operation.method] = entry
    mode, source = api_mode(settings, api)
    return MountedApi(
        settings=api,
        spec=spec,
        router=PathRouter(by_path.items()),
        operations=prepared,
        mode=mode,
        mode_source=source,
        recordings=load_api_recordings(api, spec),
    )


def build_catalog(settings: Settings, specs: Mapping[str, ApiSpec] | None = None) -> Catalog:
    """Load (or take) every API's spec and prepare it; raise on any config or spec error."""
    mounted: list[MountedApi] = []
    errors: list[str] = []
    with collector_paused():
        for api in settings.apis.values():
            spec = specs[api.name] if specs and api.name in specs else load_spec(api.spec_path)
            errors.extend(_unknown_operation_keys(settings, api, spec))
            mounted.append(_prepare(settings, api, spec, errors))
    if errors:
        raise ConfigError(errors)
    mounted.sort(key=lambda api: -len(api.settings.mount))
    secret_names = _api_key_names(mounted) | {name.lower() for name in settings.journal_redact}
    return Catalog(tuple(mounted), Redactor(frozenset(secret_names)))


def _api_key_names(apis: list[MountedApi]) -> frozenset[str]:
    """The (lower-case) names of the specs' API-key headers, query parameters and cookies."""
    return frozenset(
        scheme.parameter_name.lower()
        for api in apis
        for scheme in api.spec.security_schemes.values()
        if scheme.kind is SecuritySchemeKind.API_KEY and scheme.parameter_name
    )
