"""Building the model from a Swagger 2.0 description: its parameters, consumes/produces,
per-media examples, security definitions and basePath, read into the OpenAPI 3 shapes."""

from __future__ import annotations

from typing import Any, Final

from proxy.openapi.builder import Located, OpenApi3Builder, dropped_reference, said
from proxy.openapi.model import (
    NO_EXAMPLE,
    Example,
    Header,
    MediaType,
    Parameter,
    ParameterLocation,
    RequestBody,
    Response,
    SecurityScheme,
    SecuritySchemeKind,
)

__all__ = ["Swagger2Builder"]

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


class Swagger2Builder(OpenApi3Builder):
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
            allow_empty_value=said(value.get("allowEmptyValue")),
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
                if not dropped_reference(item.value):
                    raw[(item.value.get("name"), item.value.get("in"))] = item
        body = None
        form: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        encoding: dict[str, dict[str, bool]] = {}
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
                empty = said(item.value.get("allowEmptyValue"))
                if empty is not None:
                    encoding[name] = {"allowEmptyValue": empty}
            else:
                parameters.append(self.parameter(item))
        if form["properties"] and body is None:
            schema = self.synthetic_schema(form)
            content = tuple(
                MediaType(m, schema, encoding=encoding) for m in self.consumes(operation)
            )
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
