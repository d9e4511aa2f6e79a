"""What a mock answer simulates besides its body: latency, faults, injected errors, callbacks.

``build_simulation`` runs at load, once per operation: it merges the API's and the
operation's settings, keeps only the injected error codes the operation documents, and plans
its callbacks. Per request, ``asked_of`` reads the client's ``delay``, ``fault`` and
``callbacks`` preferences (``Prefer`` or ``__`` query parameters), and ``AnsweredRequest``
gives the callbacks' runtime expressions the answered request to read.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, NamedTuple
from urllib.parse import parse_qsl

from proxy.callbacks.plans import CallbackPlan, plans_for
from proxy.mock.faults import Disruptions, ErrorRate, FaultKind, Latency, parse_delay
from proxy.mock.prefer import flag, preference_pairs
from proxy.openapi.model import ApiSpec, Operation
from proxy.problems import ProblemError
from proxy.settings import ApiSettings, Settings
from proxy.validation.bodies import NOT_READ, BodyError, read_json

__all__ = [
    "AnsweredRequest",
    "Asked",
    "Simulation",
    "asked_of",
    "body_json",
    "build_simulation",
]

_TOKENS: Final = frozenset({"delay", "fault", "callbacks"})


class Asked(NamedTuple):
    """The client's ``delay``, ``fault`` and ``callbacks`` preferences (None: not asked)."""

    delay: Latency | None = None
    fault: FaultKind | None = None
    callbacks: bool | None = None


NOTHING_ASKED: Final = Asked()


@dataclass(frozen=True, slots=True)
class Simulation:
    """One operation's latency, faults, injectable errors and callback plans."""

    disruptions: Disruptions
    callbacks: tuple[CallbackPlan, ...]
    rng: random.Random = field(compare=False, repr=False)
    """The API's draws (seeded by ``seed:``), shared by its operations."""
    configured: bool = field(init=False, compare=False, repr=False)
    """Whether anything is set to draw for every request, or only what a client asks."""

    def __post_init__(self) -> None:
        d = self.disruptions
        drawn = d.latency is not None or d.faults is not None or d.errors is not None
        object.__setattr__(self, "configured", drawn)

    def describe(self) -> dict[str, Any]:
        """What ``mockproxy check`` and ``/_mockproxy/routes`` list (only what is set)."""
        described = self.disruptions.describe()
        if self.callbacks:
            described["callbacks"] = [plan.describe() for plan in self.callbacks]
        return described

    def summary(self) -> str:
        """One line for ``mockproxy check``: ``latency 10-20ms; errors 10% of 404; ...``."""
        d = self.disruptions
        parts = []
        if d.latency is not None:
            parts.append(f"latency {d.latency.describe()}")
        if d.faults is not None:
            parts.append(f"faults {d.faults.rate:.0%} of {', '.join(d.faults.kinds)}")
        if d.errors is not None:
            parts.append(f"errors {d.errors.rate:.0%} of {', '.join(d.errors.codes)}")
        parts += [
            f"callback {plan.name}: {plan.method} {plan.url} ({plan.origin})"
            for plan in self.callbacks
        ]
        return "; ".join(parts)


def _documented_errors(
    errors: ErrorRate | None, operation: Operation, where: str, own: bool
) -> tuple[ErrorRate | None, list[str]]:
    """The error codes the operation documents; an operation's own setting may name no
    other (an API-wide setting simply skips them where they are not documented)."""
    if errors is None:
        return None, []
    documented = {response.status for response in operation.responses}
    kept = tuple(code for code in errors.codes if code in documented)
    missing = [code for code in errors.codes if code not in documented]
    problems = []
    if own and missing:
        listed = ", ".join(sorted(documented)) or "none"
        problems.append(
            f"{where}: {operation.key} does not document {', '.join(missing)} (documented: "
            f"{listed}); the mock injects only documented errors"
        )
    return (ErrorRate(errors.rate, kept) if kept else None), problems


def build_simulation(
    settings: Settings, api: ApiSettings, spec: ApiSpec, operation: Operation, rng: random.Random
) -> tuple[Simulation, list[str]]:
    """The operation's simulation and the config mistakes found building it."""
    keys = [k for k in (operation.operation_id, f"{operation.method} {operation.path}") if k]
    own_key = next((k for k in keys if k in api.operation_disruptions), None)
    own = api.operation_disruptions[own_key] if own_key else None
    disruptions = own or api.disruptions
    prefix = f"apis.{api.name}.operations.{own_key}" if own_key else f"apis.{api.name}"
    where = settings.positions.get(f"{prefix}.errors.codes", str(settings.config_path or ""))
    errors, problems = _documented_errors(
        disruptions.errors, operation, f"{where}: {prefix}.errors.codes", own is not None
    )
    callbacks_key = next((k for k in keys if k in api.callbacks), None)
    declared = api.callbacks[callbacks_key] if callbacks_key else ()
    plans, plan_problems = plans_for(operation, spec, declared)
    where = settings.positions.get(f"apis.{api.name}.operations.{callbacks_key}", "")
    problems += [f"{where}: {problem}" for problem in plan_problems]
    return Simulation(_with_errors(disruptions, errors), plans, rng), problems


def _with_errors(disruptions: Disruptions, errors: ErrorRate | None) -> Disruptions:
    if errors == disruptions.errors:
        return disruptions
    return Disruptions(
        disruptions.latency, disruptions.faults, errors, disruptions.timeout_ms, disruptions.slow_ms
    )


def _parse_asked(prefer_headers: tuple[str, ...], query_string: str) -> Asked:
    pairs = preference_pairs(prefer_headers, query_string, _TOKENS)
    if not pairs:
        return NOTHING_ASKED
    delay = fault = callbacks = None
    try:
        if "delay" in pairs:
            delay = parse_delay(pairs["delay"][0])
        if "fault" in pairs:
            fault = FaultKind(pairs["fault"][0].lower())
    except ValueError as error:
        name = "delay" if "delay" in pairs and delay is None else "fault"
        value, where = pairs[name]
        expected = (
            str(error)
            if name == "delay"
            else "expected one of " + ", ".join(kind.value for kind in FaultKind)
        )
        raise ProblemError(
            400, "bad-preference", f"{where} {name}={value!r}: {expected}", pointer=where
        ) from None
    if "callbacks" in pairs:
        callbacks = flag("callbacks", *pairs["callbacks"])
    return Asked(delay, fault, callbacks)


def asked_of(prefer_headers: tuple[str, ...], query_string: str) -> Asked:
    """The client's delay, fault and callbacks preferences (NOTHING_ASKED when none)."""
    if not prefer_headers and "__" not in query_string:
        return NOTHING_ASKED
    return _parse_asked(prefer_headers, query_string)


def body_json(body: bytes | None) -> Any:
    """The body as a value for runtime expressions; None for a body that cannot be read
    as one (not JSON, nested too deeply, an integer too long)."""
    if not body:
        return None
    try:
        return read_json(body)
    except BodyError:
        return None


class AnsweredRequest:
    """The answered request as the callbacks' runtime expressions read it (``Exchanged``).

    The URL, the query and the bodies are made from what was sent when an expression first
    names them, and a body is parsed at most once: ``request_json`` is the request body
    already read, if it was (``NOT_READ`` otherwise).
    """

    def __init__(
        self,
        *,
        url: Callable[[], str],
        method: str,
        status: int,
        request_headers: Mapping[str, str],
        query_string: str,
        path_params: Mapping[str, str],
        request_body: bytes | None,
        request_json: Any = NOT_READ,
        response_headers: Mapping[str, str],
        response_body: bytes | None,
    ) -> None:
        self._url, self._query_string = url, query_string
        self._request_bytes, self._response_bytes = request_body, response_body
        self._request_json = request_json
        self.method, self.status, self.path = method, status, path_params
        self.request_headers, self.response_headers = request_headers, response_headers

    @cached_property
    def url(self) -> str:
        return self._url()

    @cached_property
    def query(self) -> Mapping[str, str]:
        return dict(parse_qsl(self._query_string, keep_blank_values=True))

    @cached_property
    def request_body(self) -> Any:
        if self._request_json is NOT_READ:
            return body_json(self._request_bytes)
        return self._request_json

    @cached_property
    def response_body(self) -> Any:
        return body_json(self._response_bytes)
