"""load_spec(path) -> ApiSpec: Swagger 2.0, OpenAPI 3.0 and 3.1 into one model.

Steps: read the entry file and crawl every ``$ref`` (``documents``), normalise the schemas to
JSON Schema 2020-12 (``normalize``), then build frozen model objects (``model``). Objects
that may be ``$ref``s (path items, parameters, request bodies, responses, headers, examples,
security schemes) are resolved here; schema ``$ref``s stay, to be followed lazily through the
``referencing`` registry. Any failure is a ``SpecError`` naming the file and JSON pointer.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from pathlib import Path
from typing import Any

import structlog

from proxy.errors import SpecError
from proxy.gc_pause import collector_paused
from proxy.openapi.builder import METHODS, Located, OpenApi3Builder
from proxy.openapi.documents import DocumentStore
from proxy.openapi.model import (
    ApiSpec,
    Callback,
    Operation,
    SecurityRequirement,
    SpecVersion,
)
from proxy.openapi.postman import collection_to_openapi, collection_version
from proxy.openapi.swagger2 import Swagger2Builder

__all__ = ["load_spec"]

log = structlog.get_logger(__name__)


def _version(document: Any, source: Path) -> SpecVersion:
    if not isinstance(document, dict):
        raise SpecError(
            f"{source}: not an OpenAPI description or Postman collection "
            "(the top level is not a mapping)"
        )
    if str(document.get("swagger", "")).startswith("2."):
        return SpecVersion.SWAGGER_2
    declared = str(document.get("openapi", ""))
    if declared.startswith("3.0"):
        return SpecVersion.OPENAPI_3_0
    if declared.startswith(("3.1", "3.2")):
        return SpecVersion.OPENAPI_3_1
    if declared or "swagger" in document:
        found = declared or document.get("swagger")
        raise SpecError(f"{source}: unsupported OpenAPI version {found!r} (2.0, 3.0, 3.1 are)")
    raise SpecError(
        f"{source}: not an OpenAPI description or Postman collection "
        "(no 'openapi', 'swagger' or 'info.schema' key)"
    )


def _operations(builder: OpenApi3Builder) -> list[Operation]:
    paths = Located(builder.root_uri, "", builder.root).get("paths")
    if paths is None or not isinstance(paths.value, dict):
        return []
    global_security = builder.security(builder.root.get("security"))
    operations = []
    for path in paths.value:
        path_item = builder.deref(paths.child(path))
        if not isinstance(path_item.value, dict):
            continue
        for method in METHODS:
            located = path_item.get(method)
            if located is None or not isinstance(located.value, dict):
                continue
            located = builder.deref(located)  # an operation may live in a file of its own
            operations.append(
                _operation(builder, path, method, located, path_item, global_security)
            )
    return operations


def _callbacks(
    builder: OpenApi3Builder, operation: Located, global_security: tuple[SecurityRequirement, ...]
) -> tuple[Callback, ...]:
    """The operation's OpenAPI 3 ``callbacks``: name -> URL expression -> path item."""
    declared = operation.get("callbacks")
    if isinstance(builder, Swagger2Builder) or declared is None:
        return ()
    found = []
    for name in declared.value if isinstance(declared.value, dict) else ():
        callback = builder.deref(declared.child(name))
        for expression in callback.value if isinstance(callback.value, dict) else ():
            path_item = builder.deref(callback.child(expression))
            if not isinstance(path_item.value, dict):
                continue
            for method in METHODS:
                located = path_item.get(method)
                if located is not None and isinstance(located.value, dict):
                    request = _operation(
                        builder,
                        str(expression),
                        method,
                        builder.deref(located),
                        path_item,
                        global_security,
                        with_callbacks=False,
                    )
                    found.append(Callback(str(name), str(expression), request))
    return tuple(found)


def _operation(
    builder: OpenApi3Builder,
    path: str,
    method: str,
    located: Located,
    path_item: Located,
    global_security: tuple[SecurityRequirement, ...],
    *,
    with_callbacks: bool = True,
) -> Operation:
    value = located.value
    try:
        parameters, body = builder.operation_parts(located, path_item)
        responses_at = located.get("responses")
        responses = []
        for status in (
            responses_at.value if responses_at and isinstance(responses_at.value, dict) else ()
        ):
            child = responses_at.child(status)  # type: ignore[union-attr]  # checked above
            if isinstance(builder, Swagger2Builder):
                responses.append(builder.response_for(str(status), child, located))
            else:
                responses.append(builder.response(str(status), child))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise SpecError(
            f"{builder.root_uri.removeprefix('file://')}#{located.pointer}: "
            f"malformed operation: {type(error).__name__} {error}"
        ) from None
    operation_id = value.get("operationId")
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        key=operation_id if isinstance(operation_id, str) else f"{method.upper()} {path}",
        summary=value.get("summary"),
        description=value.get("description"),
        tags=tuple(str(tag) for tag in value.get("tags") or ()),
        deprecated=bool(value.get("deprecated", False)),
        parameters=parameters,
        request_body=body,
        responses=tuple(responses),
        security=builder.security(value["security"]) if "security" in value else global_security,
        pointer=located.pointer,
        extensions={k: v for k, v in value.items() if k.startswith("x-")},
        servers=_server_urls(value.get("servers") or path_item.value.get("servers")),
        callbacks=_callbacks(builder, located, global_security) if with_callbacks else (),
        produces=tuple(builder.produces(located)) if isinstance(builder, Swagger2Builder) else (),
    )


def _server_urls(servers: Any) -> tuple[str, ...]:
    if not isinstance(servers, list):
        return ()
    urls = []
    for server in servers:
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            url = server["url"]
            for name, variable in (server.get("variables") or {}).items():
                url = url.replace("{" + name + "}", str(variable.get("default", "")))
            urls.append(url)
    return tuple(urls)


def _unique_keys(operations: list[Operation], warnings: list[str]) -> list[Operation]:
    counts = Counter(op.operation_id for op in operations if op.operation_id)
    unique = []
    for op in operations:
        if op.operation_id and counts[op.operation_id] > 1:
            warnings.append(f"operationId {op.operation_id!r} is used more than once")
            op = dataclasses.replace(op, key=f"{op.method} {op.path}")
        unique.append(op)
    return unique


def load_spec(path: Path) -> ApiSpec:
    """Load one description and everything it references; raise SpecError on any fault."""
    with collector_paused():
        return _load_spec(path)


def _load_spec(path: Path) -> ApiSpec:
    started = time.perf_counter()
    source = Path(path).resolve()
    store = DocumentStore()
    root_uri = source.as_uri()
    document = store.load(root_uri)
    conversion_warnings: list[str] = []
    origin = ""
    postman = collection_version(document, Path(path))
    if postman is not None:
        document = store.documents[root_uri] = collection_to_openapi(
            document, conversion_warnings, Path(path)
        )
        origin = f"Postman Collection v{postman}"
    version = _version(document, Path(path))
    store.crawl(root_uri)
    builder: OpenApi3Builder = (
        Swagger2Builder if version is SpecVersion.SWAGGER_2 else OpenApi3Builder
    )(store, root_uri, version)
    for schema in ((document.get("components") or {}).get("schemas") or {}).values():
        builder.normalizer.normalize(schema, root_uri)
    for schema in (document.get("definitions") or {}).values():
        builder.normalizer.normalize(schema, root_uri)
    builder.warnings.extend((*conversion_warnings, *store.warnings))
    operations = _unique_keys(_operations(builder), builder.warnings)
    base_path, servers = builder.base_path()
    info = document.get("info") or {}
    spec = ApiSpec(
        source=str(path),
        version=version,
        title=str(info.get("title", source.stem)),
        api_version=str(info.get("version", "")),
        operations=tuple(operations),
        security_schemes=builder.security_schemes(),
        registry=builder.registry,
        base_path=base_path,
        servers=servers,
        warnings=tuple(builder.warnings),
        origin=origin,
    )
    log.debug(
        "spec.loaded",
        source=str(path),
        operations=len(operations),
        documents=len(store.documents),
        seconds=round(time.perf_counter() - started, 3),
    )
    return spec
