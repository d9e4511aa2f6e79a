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
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import structlog
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from proxy.errors import SpecError
from proxy.openapi.documents import DocumentStore, escape_pointer, pointer_uri
from proxy.openapi.model import (
    NO_EXAMPLE,
    ApiSpec,
    Example,
    Header,
    MediaType,
    Operation,
    Parameter,
    ParameterLocation,
    RequestBody,
    Response,
    Schema,
    SecurityRequirement,
    SecurityScheme,
    SecuritySchemeKind,
    SpecVersion,
)
from proxy.openapi.normalize import SchemaNormalizer

__all__ = ["load_spec"]

log = structlog.get_logger(__name__)

METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SYNTHETIC_KEY: Final = "x-mockproxy-synthetic"
_PARAMETER_SCHEMA_KEYS: Final = frozenset(
    {
        "type",
        "format",
        "items",
        "default",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "maxItems",
        "minItems",
        "uniqueItems",
        "enum",
        "multipleOf",
        "x-nullable",
    }
)
_COLLECTION_FORMATS: Final = {
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "tsv": ("tabDelimited", False),
    "multi": ("form", True),
}


class Located:
    """A value with the document URI and JSON pointer where it stands."""

    __slots__ = ("pointer", "uri", "value")

    def __init__(self, uri: str, pointer: str, value: Any) -> None:
        self.uri = uri
        self.pointer = pointer
        self.value = value

    def child(self, *keys: str | int) -> Located:
        value = self.value
        pointer = self.pointer
        for key in keys:
            value = value[key]
            pointer += "/" + escape_pointer(str(key))
        return Located(self.uri, pointer, value)

    def get(self, key: str) -> Located | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None


class _Builder:
    """Builds the model of one description from its crawled documents."""

    def __init__(self, store: DocumentStore, root_uri: str, version: SpecVersion) -> None:
        self.store = store
        self.root_uri = root_uri
        self.root = store.documents[root_uri]
        self.version = version
        self.registry: Registry[Any] = Registry().with_resources(
            (uri, DRAFT202012.create_resource(document))
            for uri, document in store.documents.items()
        )
        self.normalizer = SchemaNormalizer(version, self._resolve_for_normalizer)
        self._resolvers: dict[str, Any] = {}
        self.warnings: list[str] = []

    def _resolve_for_normalizer(self, uri: str) -> tuple[str, Any]:
        document_uri, _, value = self.store.resolve(uri)
        return document_uri, value

    def deref(self, located: Located) -> Located:
        """Follow ``$ref`` chains of non-schema objects to their target."""
        for _ in range(64):
            value = located.value
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return located
            document_uri, pointer, target = self.store.resolve(urljoin(located.uri, value["$ref"]))
            located = Located(document_uri, pointer, target)
        raise SpecError(f"{located.uri}#{located.pointer}: $ref chain too long or circular")

    def schema(self, located: Located | None) -> Schema | None:
        if located is None or not isinstance(located.value, dict | bool):
            return None
        self.normalizer.normalize(located.value, located.uri)
        resolver = self._resolvers.get(located.uri)
        if resolver is None:
            resolver = self._resolvers[located.uri] = self.registry.resolver(base_uri=located.uri)
        return Schema(located.value, resolver, pointer_uri(located.uri, located.pointer))

    def synthetic_schema(self, schema: dict[str, Any]) -> Schema | None:
        """A schema made here (Swagger 2.0 parameters), stored in the entry document."""
        holder = self.root.setdefault(SYNTHETIC_KEY, [])
        holder.append(schema)
        return self.schema(Located(self.root_uri, f"/{SYNTHETIC_KEY}/{len(holder) - 1}", schema))

    def examples(self, located: Located | None) -> tuple[Example, ...]:
        if located is None or not isinstance(located.value, dict):
            return ()
        found = []
        for name in located.value:
            example = self.deref(located.child(name)).value
            if isinstance(example, dict) and "value" in example:
                found.append(
                    Example(
                        name, example["value"], example.get("summary"), example.get("description")
                    )
                )
        return tuple(found)

    def media_types(self, located: Located | None) -> tuple[MediaType, ...]:
        if located is None or not isinstance(located.value, dict):
            return ()
        media = []
        for name in located.value:
            item = self.deref(located.child(name))
            value = item.value if isinstance(item.value, dict) else {}
            media.append(
                MediaType(
                    media_type=name,
                    schema=self.schema(item.get("schema")),
                    example=value.get("example", NO_EXAMPLE),
                    examples=self.examples(item.get("examples")),
                    encoding=value.get("encoding") or {},
                )
            )
        return tuple(media)

    def security(self, located: Any) -> tuple[SecurityRequirement, ...]:
        if not isinstance(located, list):
            return ()
        return tuple(tuple(requirement) for requirement in located if isinstance(requirement, dict))


class _OpenApi3(_Builder):
    def parameter(self, located: Located) -> Parameter:
        item = self.deref(located)
        value = item.value
        location = ParameterLocation(value["in"])
        style = value.get(
            "style",
            "form" if location in (ParameterLocation.QUERY, ParameterLocation.COOKIE) else "simple",
        )
        return Parameter(
            name=value["name"],
            location=location,
            required=bool(value.get("required", location is ParameterLocation.PATH)),
            schema=self.schema(item.get("schema")),
            style=style,
            explode=bool(value.get("explode", style == "form")),
            allow_empty_value=bool(value.get("allowEmptyValue", False)),
            allow_reserved=bool(value.get("allowReserved", False)),
            deprecated=bool(value.get("deprecated", False)),
            description=value.get("description"),
            example=value.get("example", NO_EXAMPLE),
            examples=self.examples(item.get("examples")),
            content=self.media_types(item.get("content")),
        )

    def response(self, status: str, located: Located) -> Response:
        item = self.deref(located)
        headers = []
        header_map = item.get("headers")
        for name in header_map.value if header_map and isinstance(header_map.value, dict) else ():
            header = self.deref(header_map.child(name))  # type: ignore[union-attr]  # checked above
            value = header.value
            media = self.media_types(header.get("content"))
            headers.append(
                Header(
                    name=name,
                    schema=self.schema(header.get("schema"))
                    or (media[0].schema if media else None),
                    required=bool(value.get("required", False)),
                    description=value.get("description"),
                    example=value.get("example", NO_EXAMPLE),
                )
            )
        return Response(
            status=status,
            description=item.value.get("description", ""),
            headers=tuple(headers),
            content=self.media_types(item.get("content")),
        )

    def request_body(self, located: Located | None) -> RequestBody | None:
        if located is None:
            return None
        item = self.deref(located)
        return RequestBody(
            required=bool(item.value.get("required", False)),
            content=self.media_types(item.get("content")),
            description=item.value.get("description"),
        )

    def security_schemes(self) -> dict[str, SecurityScheme]:
        components = Located(self.root_uri, "", self.root).get("components")
        schemes = components.get("securitySchemes") if components else None
        found: dict[str, SecurityScheme] = {}
        for name in schemes.value if schemes and isinstance(schemes.value, dict) else ():
            value = self.deref(schemes.child(name)).value  # type: ignore[union-attr]  # checked
            try:
                kind = SecuritySchemeKind(value.get("type"))
            except ValueError:
                self.warnings.append(f"securitySchemes/{name}: unknown type {value.get('type')!r}")
                continue
            location = value.get("in")
            found[name] = SecurityScheme(
                name=name,
                kind=kind,
                scheme=str(value["scheme"]).lower() if value.get("scheme") else None,
                parameter_name=value.get("name"),
                location=ParameterLocation(location)
                if location in ("header", "query", "cookie")
                else None,
                bearer_format=value.get("bearerFormat"),
                description=value.get("description"),
            )
        return found

    def operation_parts(
        self, operation: Located, path_item: Located
    ) -> tuple[tuple[Parameter, ...], RequestBody | None]:
        return (
            self.parameters(path_item.get("parameters"), operation.get("parameters")),
            self.request_body(operation.get("requestBody")),
        )

    def parameters(self, shared: Located | None, own: Located | None) -> tuple[Parameter, ...]:
        merged: dict[tuple[str, str], Parameter] = {}
        for group in (shared, own):
            if group is None or not isinstance(group.value, list):
                continue
            for index in range(len(group.value)):
                parameter = self.parameter(group.child(index))
                merged[(parameter.name, parameter.location.value)] = parameter
        return tuple(merged.values())

    def base_path(self) -> tuple[str, tuple[str, ...]]:
        servers = self.root.get("servers") or []
        urls = []
        for server in servers:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                continue
            url = server["url"]
            for name, variable in (server.get("variables") or {}).items():
                url = url.replace("{" + name + "}", str(variable.get("default", "")))
            urls.append(url)
        path = urlsplit(urls[0]).path.rstrip("/") if urls else ""
        return path, tuple(urls)


class _Swagger2(_OpenApi3):
    def consumes(self, operation: Located) -> list[str]:
        return list(
            operation.value.get("consumes") or self.root.get("consumes") or ["application/json"]
        )

    def produces(self, operation: Located) -> list[str]:
        return list(
            operation.value.get("produces") or self.root.get("produces") or ["application/json"]
        )

    def parameter_schema(self, value: dict[str, Any]) -> dict[str, Any]:
        schema = {k: v for k, v in value.items() if k in _PARAMETER_SCHEMA_KEYS}
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.parameter_schema(schema["items"])
        return schema

    def parameter(self, located: Located) -> Parameter:
        item = self.deref(located)
        value = item.value
        location = ParameterLocation(value["in"])
        style, explode = _COLLECTION_FORMATS.get(
            value.get("collectionFormat", "csv"),
            ("form" if location is ParameterLocation.QUERY else "simple", False),
        )
        return Parameter(
            name=value["name"],
            location=location,
            required=bool(value.get("required", location is ParameterLocation.PATH)),
            schema=self.synthetic_schema(self.parameter_schema(value)),
            style=style,
            explode=explode,
            allow_empty_value=bool(value.get("allowEmptyValue", False)),
            description=value.get("description"),
            example=value.get("x-example", NO_EXAMPLE),
        )

    def operation_parts(
        self, operation: Located, path_item: Located
    ) -> tuple[tuple[Parameter, ...], RequestBody | None]:
        raw: dict[tuple[str, str], Located] = {}
        for group in (path_item.get("parameters"), operation.get("parameters")):
            if group is None or not isinstance(group.value, list):
                continue
            for index in range(len(group.value)):
                item = self.deref(group.child(index))
                raw[(item.value.get("name"), item.value.get("in"))] = item
        body = None
        form: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        parameters = []
        for (name, location), item in raw.items():
            if location == "body":
                schema = self.schema(item.get("schema"))
                content = tuple(MediaType(m, schema) for m in self.consumes(operation))
                body = RequestBody(bool(item.value.get("required", False)), content)
            elif location == "formData":
                form["properties"][name] = self.parameter_schema(item.value)
                if item.value.get("required"):
                    form["required"].append(name)
            else:
                parameters.append(self.parameter(item))
        if form["properties"] and body is None:
            schema = self.synthetic_schema(form)
            content = tuple(MediaType(m, schema) for m in self.consumes(operation))
            body = RequestBody(bool(form["required"]), content)
        return tuple(parameters), body

    def response_for(self, status: str, located: Located, operation: Located) -> Response:
        item = self.deref(located)
        value = item.value
        schema = self.schema(item.get("schema"))
        examples = value.get("examples") if isinstance(value.get("examples"), dict) else {}
        content: tuple[MediaType, ...] = ()
        if schema is not None or examples:
            content = tuple(
                MediaType(
                    media_type=media,
                    schema=schema,
                    example=examples.get(media, NO_EXAMPLE),
                    examples=(Example(media, examples[media]),) if media in examples else (),
                )
                for media in self.produces(operation)
            )
        headers = tuple(
            Header(
                name=name,
                schema=self.synthetic_schema(self.parameter_schema(header)),
                description=header.get("description"),
            )
            for name, header in (value.get("headers") or {}).items()
        )
        return Response(status, value.get("description", ""), headers, content)

    def security_schemes(self) -> dict[str, SecurityScheme]:
        found: dict[str, SecurityScheme] = {}
        for name, value in (self.root.get("securityDefinitions") or {}).items():
            kind = value.get("type")
            if kind == "basic":
                found[name] = SecurityScheme(name, SecuritySchemeKind.HTTP, scheme="basic")
            elif kind == "apiKey":
                location = value.get("in")
                found[name] = SecurityScheme(
                    name,
                    SecuritySchemeKind.API_KEY,
                    parameter_name=value.get("name"),
                    location=ParameterLocation(location)
                    if location in ("header", "query")
                    else None,
                )
            elif kind == "oauth2":
                found[name] = SecurityScheme(name, SecuritySchemeKind.OAUTH2)
        return found

    def base_path(self) -> tuple[str, tuple[str, ...]]:
        base = str(self.root.get("basePath") or "").rstrip("/")
        host = self.root.get("host")
        schemes = self.root.get("schemes") or ["https"]
        servers = (f"{schemes[0]}://{host}{base}",) if host else ()
        return base, servers


def _version(document: Any, source: Path) -> SpecVersion:
    if not isinstance(document, dict):
        raise SpecError(f"{source}: not an OpenAPI description (the top level is not a mapping)")
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
    raise SpecError(f"{source}: not an OpenAPI description (no 'openapi' or 'swagger' key)")


def _operations(builder: _OpenApi3) -> list[Operation]:
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


def _operation(
    builder: _OpenApi3,
    path: str,
    method: str,
    located: Located,
    path_item: Located,
    global_security: tuple[SecurityRequirement, ...],
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
            if isinstance(builder, _Swagger2):
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
    started = time.perf_counter()
    source = Path(path).resolve()
    store = DocumentStore()
    root_uri = source.as_uri()
    document = store.load(root_uri)
    version = _version(document, Path(path))
    store.crawl(root_uri)
    builder: _OpenApi3 = (_Swagger2 if version is SpecVersion.SWAGGER_2 else _OpenApi3)(
        store, root_uri, version
    )
    for schema in ((document.get("components") or {}).get("schemas") or {}).values():
        builder.normalizer.normalize(schema, root_uri)
    for schema in (document.get("definitions") or {}).values():
        builder.normalizer.normalize(schema, root_uri)
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
    )
    log.debug(
        "spec.loaded",
        source=str(path),
        operations=len(operations),
        documents=len(store.documents),
        seconds=round(time.perf_counter() - started, 3),
    )
    return spec
