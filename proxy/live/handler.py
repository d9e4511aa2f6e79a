"""The live handler: forward to the API's upstream (live), check the answer against the spec
(verify), or leave the answer to the mock when the upstream cannot give one (fallback)."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog
from aiohttp import hdrs, web
from multidict import CIMultiDictProxy

from proxy.body import read_body, read_sent_body
from proxy.catalog import MountedApi
from proxy.codings import content_of
from proxy.exchange import Exchange
from proxy.live.client import UpstreamPool
from proxy.live.contract import ContractChecker
from proxy.live.forward import Inspection, Upstream, forward, ssl_context_for
from proxy.live.target import request_target, upstream_base
from proxy.observability import Metrics
from proxy.problems import ProblemError
from proxy.recording.capture import Capture
from proxy.recording.record import capture_for
from proxy.recording.recorder import Recorder
from proxy.routing import RouteDecision
from proxy.settings import Mode
from proxy.validate import validate_request
from proxy.violations import (
    Violation,
    response_violations,
    violations_json,
)

__all__ = ["LiveApis", "Outside", "live"]

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class LiveApis:
    """Each API's upstream (base, timeouts, its origin's endpoint) and contract checker, made
    on its first forwarded or verified request; one per loaded configuration, one entry per
    API."""

    upstreams: dict[str, Upstream] = field(default_factory=dict)
    contracts: dict[str, ContractChecker] = field(default_factory=dict)

    def upstream(self, decision: RouteDecision, pool: UpstreamPool) -> Upstream:
        """The API's upstream, with its origin's endpoint in ``pool``; a 502 problem when it
        has none configured."""
        api = decision.api.settings
        upstream = self.upstreams.get(api.name)
        if upstream is not None:
            return upstream
        if api.upstream is None:
            raise ProblemError(
                502,
                "no-upstream",
                f"{api.name} has no upstream configured, so {decision.mode.value} mode cannot "
                f"forward; set apis.{api.name}.upstream or use mock mode",
                api=api.name,
            )
        base = upstream_base(api.upstream)
        tls = ssl_context_for(api.tls_verify, api.ca_bundle)
        endpoint = pool.endpoint(base.scheme, base.host, base.port, tls)
        upstream = Upstream(base, api.timeouts, endpoint)
        self.upstreams[api.name] = upstream
        return upstream

    def checker(self, api: MountedApi) -> ContractChecker:
        """The API's contract checker (verify mode)."""
        checker = self.contracts.get(api.name)
        if checker is None:
            checker = self.contracts[api.name] = ContractChecker(api.spec)
        return checker


@dataclass(frozen=True, slots=True)
class Outside:
    """What the app holds for all live requests, made once (``app.live_context``): the
    upstream pool, the metrics and record mode's writer."""

    pool: UpstreamPool
    metrics: Metrics
    recorder: Recorder


async def live(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    apis: LiveApis,
    outside: Outside,
) -> web.StreamResponse | None:
    """The upstream's answer, relayed; None where fallback mode leaves it to the mock."""
    upstream = apis.upstream(decision, outside.pool)
    target = request_target(upstream.base, decision.path_below_mount, exchange.raw_query)
    fallback = decision.mode is Mode.FALLBACK
    record = decision.mode is Mode.RECORD
    verify = record or decision.mode is Mode.VERIFY  # record mode checks as verify does
    body = None  # streamed, unless a mode needs it whole (then as sent)
    if (fallback or verify) and request.body_exists:
        body = await read_sent_body(request, exchange)
    inspection = None
    if verify:
        findings = await _request_findings(request, decision, exchange)
        checker = apis.checker(decision.api)
        keep = None
        if record:
            content = exchange.body or b""  # the request as the recording names it
            keep = capture_for(request.method, decision, exchange, content, outside.recorder)
        inspection = _inspection(
            request, decision, exchange, checker, outside.metrics, findings, keep
        )
    try:
        return await forward(
            request,
            upstream,
            target,
            body=body,
            fallback=fallback,
            inspection=inspection,
            outcome=exchange,
            request_id=exchange.request_id,
            mount=decision.api.settings.mount,
        )
    except ProblemError as error:
        if error.kind.startswith("upstream-"):
            outside.metrics.upstream_errors.labels(decision.api.name, error.kind).inc()
            log.warning("upstream.failed", kind=error.kind, detail=error.detail)
        raise


def _inspection(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    checker: ContractChecker,
    metrics: Metrics,
    request_findings: list[Violation],
    keep: Capture | None = None,
) -> Inspection:
    """Verify mode's check of the upstream's answer (with the request's own findings);
    record mode also ``keep``s the answer. Both read its content: codings such as gzip
    undone."""
    api = decision.api
    operation = decision.prepared.operation if decision.prepared else None
    what = f"{request.method} {decision.path_below_mount}"
    limit = exchange.settings.max_body_bytes
    head = request.method == hdrs.METH_HEAD

    def check(status: int, headers: CIMultiDictProxy[str], body: bytes | None) -> list[Violation]:
        content = content_of(headers.getall(hdrs.CONTENT_ENCODING, ()), body, limit)
        found = checker.check(operation, status, headers, content, what, bodiless=head)
        violations = request_findings + response_violations(found)
        exchange.violations = tuple(violations)
        if violations:
            metrics.violations.labels(api.name, exchange.operation or "").inc(len(violations))
            log.warning(
                "verify.violations",
                api=api.name,
                operation=exchange.operation,
                status=status,
                violations=violations_json(violations),
            )
        if keep is not None:
            keep(status, headers.items(), content)
        return violations

    return Inspection(check, limit)


async def _request_findings(
    request: web.Request, decision: RouteDecision, exchange: Exchange
) -> list[Violation]:
    """Verify mode checks the forwarded request too, by its content (codings undone):
    reported (secret fields' details redacted, as they reach the log), never blocked."""
    content = b""
    if request.body_exists:
        try:
            content = await read_body(request, exchange)
        except ProblemError as error:  # decoded too large, or an unknown coding
            return [Violation("request", "/body", error.detail)]
    result = await validate_request(request, decision, content, exchange.raw_query)
    if result is None:
        return []
    errors = exchange.redactor.findings(error.as_json() for error in result.errors)
    return [Violation("request", error["pointer"], error["detail"]) for error in errors]
