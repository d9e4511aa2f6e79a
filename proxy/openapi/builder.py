"""Building the model from resolved documents: OpenAPI 3.0 and 3.1 objects (``$ref``s of
path items, parameters, request bodies, responses, headers, examples and security schemes
followed here), the base the Swagger 2.0 builder extends."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urljoin, urlsplit

from referencing import Registry
from referencing.jsonschema import DRAFT202012

from proxy.errors import SpecError
from proxy.openapi.documents import DocumentStore, escape_pointer, pointer_uri
from proxy.openapi.model import (
    NO_EXAMPLE,
    Example,
    Header,
    MediaType,
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

__all__ = [
    "METHODS",
    "SYNTHETIC_KEY",
    "Builder",
    "Located",
    "OpenApi3Builder",
    "dropped_reference",
    "said",
]

METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SYNTHETIC_KEY: Final = "x-mockproxy-synthetic"


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


class Builder:
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


class OpenApi3Builder(Builder):
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
            allow_empty_value=said(value.get("allowEmptyValue")),
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
        """The operation's parameters over its path's; header parameters named Accept,
        Content-Type or Authorization are left out, as OpenAPI 3 says they are ignored
        (content negotiation, the request body and security say those)."""
        merged: dict[tuple[str, str], Parameter] = {}
        for group in (shared, own):
            if group is None or not isinstance(group.value, list):
                continue
            for index in range(len(group.value)):
                if dropped_reference(self.deref(group.child(index)).value):
                    continue
                parameter = self.parameter(group.child(index))
                merged[(parameter.name, parameter.location.value)] = parameter
        return tuple(p for p in merged.values() if not _ignored_header(p))

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


_IGNORED_HEADERS: Final = frozenset({"accept", "content-type", "authorization"})


def _ignored_header(parameter: Parameter) -> bool:
    return (
        parameter.location is ParameterLocation.HEADER
        and parameter.name.lower() in _IGNORED_HEADERS
    )


def dropped_reference(value: Any) -> bool:
    """A parameter left empty by a dangling ``$ref`` (already warned about): not a parameter."""
    return isinstance(value, dict) and "name" not in value and "in" not in value


def said(flag: Any) -> bool | None:
    """A boolean the description wrote, or None where it wrote none (or not a boolean)."""
    return flag if isinstance(flag, bool) else None
