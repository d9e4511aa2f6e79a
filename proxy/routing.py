"""Request -> RouteDecision: which API, which operation, and whether to mock or go live.

Pure: works on the method and the raw request path (still percent-encoded, as on the wire),
so that what is matched is exactly what would be forwarded, and keeps no state (the loaded
configuration's snapshot remembers decisions). The mock prefix always mocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, NamedTuple

from proxy.catalog import Catalog, MountedApi, PreparedOperation
from proxy.problems import ProblemError
from proxy.settings import Mode, lies_under

__all__ = ["RouteDecision", "route"]


_NO_PARAMS: Final[Mapping[str, str]] = MappingProxyType({})


class RouteDecision(NamedTuple):
    """Where a request goes (a tuple: cheap to build).

    ``prepared`` is None when the path or method is not in the spec; a live-mode API still
    forwards such a request (the upstream may know more than its description).
    ``allowed`` lists the documented methods of the matched path.
    """

    api: MountedApi
    path_below_mount: str
    mode: Mode
    mocked_by_prefix: bool
    prepared: PreparedOperation | None = None
    template: str | None = None
    params: Mapping[str, str] = _NO_PARAMS
    allowed: tuple[str, ...] = ()
    labels: tuple[str, str | None, str] = ("", None, "")
    """(api, operation, source) for the request's log line, metrics and journal."""


def _decision(
    api: MountedApi,
    below: str,
    mode: Mode,
    by_prefix: bool,
    prepared: PreparedOperation | None = None,
    template: str | None = None,
    params: Mapping[str, str] = _NO_PARAMS,
    allowed: tuple[str, ...] = (),
) -> RouteDecision:
    operation = prepared.operation.key if prepared else None
    source = "mock" if mode is Mode.MOCK else "live"
    labels = (api.name, operation, source)
    return RouteDecision(api, below, mode, by_prefix, prepared, template, params, allowed, labels)


def _strip_prefix(raw_path: str, mock_prefix: str) -> tuple[str, bool]:
    if lies_under(raw_path, mock_prefix):
        return raw_path[len(mock_prefix) :] or "/", True
    return raw_path, False


def _no_api(catalog: Catalog, raw_path: str) -> ProblemError:
    mounts = [api.settings.mount or "/" for api in catalog.apis]
    return ProblemError(
        404,
        "no-api",
        f"no API is mounted at {raw_path}; mounted: {', '.join(mounts)}",
        mounts=mounts,
    )


_METHODS: Final = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")


def _allowed_across_twins(api: MountedApi, below: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The methods documented for a path by every template that matches it (twin templates
    such as ``/links/{optionId}`` and ``/links/{id}`` each bring their own)."""
    found = dict.fromkeys(allowed)
    for method in _METHODS:
        if method not in found:
            twin = api.match(below, method)
            if twin is not None and method in twin.value:
                found[method] = None
    return tuple(found)


def route(catalog: Catalog, mock_prefix: str, method: str, raw_path: str) -> RouteDecision:
    """Decide where ``method raw_path`` goes; raise 404/405 problems for the mock's misses.

    A decision depends only on the catalog and the arguments, so callers may remember it;
    its params mapping may then be shared: read it, never change it.
    """
    path, by_prefix = _strip_prefix(raw_path, mock_prefix)
    mounted = catalog.mounted_at(path)
    if mounted is None:
        raise _no_api(catalog, raw_path)
    api, below = mounted
    found = api.match(below, method)
    if found is None:
        if by_prefix or api.mode is Mode.MOCK:
            raise ProblemError(
                404,
                "no-such-path",
                f"{below or '/'} matches no path of {api.name} ({api.spec.title})",
                api=api.name,
            )
        return _decision(api, below, api.mode, by_prefix)
    template, methods, params = found
    prepared = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
    allowed = tuple(methods)
    if prepared is None:
        mode = Mode.MOCK if by_prefix else api.mode
        allowed = _allowed_across_twins(api, below, allowed)
        return _decision(api, below, mode, by_prefix, None, template, params, allowed)
    mode = Mode.MOCK if by_prefix else prepared.mode
    return _decision(api, below, mode, by_prefix, prepared, template, params, allowed)
