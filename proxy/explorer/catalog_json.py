"""The explorer's index of the loaded APIs: what the navigation needs, small enough for 1,000
operations (each operation's reference is fetched when it is opened: `operation_json`)."""

from __future__ import annotations

from typing import Any

from proxy.catalog import Catalog, MountedApi, PreparedOperation
from proxy.explorer.document_json import api_description, tag_descriptions

__all__ = ["explorer_catalog"]


def _api(api: MountedApi) -> dict[str, Any]:
    used_tags = {tag for p in api.operations.values() for tag in p.operation.tags or ["default"]}
    described = tag_descriptions(api.spec)
    return {
        "name": api.name,
        "title": api.spec.title,
        "version": api.spec.api_version,
        "description": api_description(api.spec),
        "mount": api.settings.mount,
        "has_upstream": api.settings.upstream is not None,
        "mode": api.mode.value,
        "mode_source": api.mode_source,
        "tags": [
            {"name": name, "description": described.get(name)}
            for name in [*described, *sorted(used_tags.difference(described))]
            if name in used_tags
        ],
        "security_schemes": {
            name: {
                "kind": scheme.kind.value,
                "scheme": scheme.scheme,
                "parameter_name": scheme.parameter_name,
                "location": scheme.location.value if scheme.location else None,
                "bearer_format": scheme.bearer_format,
                "description": scheme.description,
            }
            for name, scheme in api.spec.security_schemes.items()
        },
        "operations": [_operation(api, p) for p in api.operations.values()],
    }


def _operation(api: MountedApi, prepared: PreparedOperation) -> dict[str, Any]:
    """One operation for the navigation; its recordings, where it has any."""
    operation = prepared.operation
    entry: dict[str, Any] = {
        "key": operation.key,
        "method": operation.method,
        "path": operation.path,
        "summary": operation.summary,
        "tags": list(operation.tags) or ["default"],
        "deprecated": operation.deprecated,
        "mode": prepared.mode.value,
    }
    recordings = api.recordings.get(operation.key, ())
    if recordings:
        entry["recordings"] = [
            {"name": r.name, "status": r.status, "conforms": not r.violations} for r in recordings
        ]
    return entry


def explorer_catalog(catalog: Catalog, mock_prefix: str) -> dict[str, Any]:
    """Every API with its tags and operations, for the navigation and deep links."""
    return {
        "mock_prefix": mock_prefix,
        "apis": [_api(api) for api in sorted(catalog.apis, key=lambda a: a.name)],
    }
