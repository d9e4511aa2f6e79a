"""The internal API model: one shape for Swagger 2.0, OpenAPI 3.0 and 3.1 descriptions.

The loader (``proxy.openapi.loader``) builds these frozen values once per description; nothing
downstream sees the raw documents except through ``Schema``. Every schema is JSON Schema
2020-12 by the time it lands here: OpenAPI 3.0 and Swagger 2.0 schemas are normalised at
load (``nullable``, boolean ``exclusiveMinimum``, ``x-nullable``, ``type: file``), so the
generator and the validators speak one dialect.

``$ref``s inside schemas are kept, not inlined (recursive schemas stay finite, large
descriptions stay small); follow them with ``Schema.resolver.lookup(ref)`` from the
``referencing`` library, which returns the target's contents and a resolver for its base.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from referencing import Registry

__all__ = [
    "NO_EXAMPLE",
    "ApiSpec",
    "Callback",
    "Example",
    "Header",
    "MediaType",
    "Operation",
    "Parameter",
    "ParameterLocation",
    "RequestBody",
    "Resolved",
    "Resolver",
    "Response",
    "Schema",
    "SecurityRequirement",
    "SecurityScheme",
    "SecuritySchemeKind",
    "SpecVersion",
    "find_response",
]


class _NoExample(enum.Enum):
    NO_EXAMPLE = enum.auto()

    def __repr__(self) -> str:
        return "NO_EXAMPLE"


NO_EXAMPLE: Final = _NoExample.NO_EXAMPLE
"""Sentinel for "no example given" (``None`` is a valid example value: JSON null)."""


class SpecVersion(enum.StrEnum):
    SWAGGER_2 = "2.0"
    OPENAPI_3_0 = "3.0"
    OPENAPI_3_1 = "3.1"


class ParameterLocation(enum.StrEnum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"


class SecuritySchemeKind(enum.StrEnum):
    HTTP = "http"
    API_KEY = "apiKey"
    OAUTH2 = "oauth2"
    OPEN_ID_CONNECT = "openIdConnect"
    MUTUAL_TLS = "mutualTLS"


class Resolved(Protocol):
    """What ``Resolver.lookup`` finds: the target's contents and a resolver for its base."""

    @property
    def contents(self) -> Any: ...
    @property
    def resolver(self) -> Resolver: ...


class Resolver(Protocol):
    """The part of ``referencing``'s resolver (``Registry.resolver()``) that mockproxy uses."""

    def lookup(self, ref: str) -> Resolved: ...


@dataclass(frozen=True, slots=True)
class Schema:
    """A JSON Schema 2020-12 schema and where it lives.

    ``contents`` is the schema itself (a mapping, or a boolean schema). ``resolver`` resolves
    the ``$ref``s in it against the document it came from (its base URI).
    ``uri`` is the absolute URI of the schema's location (``file:///specs/fax.yaml#/com...``):
    ``{"$ref": schema.uri}`` validated with ``ApiSpec.registry`` is this schema.
    """

    contents: Mapping[str, Any] | bool
    resolver: Resolver = field(repr=False, compare=False)
    uri: str


@dataclass(frozen=True, slots=True)
class Example:
    """A named example (OpenAPI 3 ``examples`` entry, or a Swagger 2.0 per-media example)."""

    name: str
    value: Any
    summary: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class MediaType:
    """One media type of a request body, response or ``content``-style parameter.

    ``example`` is the media type's single ``example`` (NO_EXAMPLE when absent);
    ``examples`` are its named examples in document order.
    ``encoding`` is the raw OpenAPI encoding object per property (multipart/form bodies);
    a Swagger 2.0 ``formData`` parameter's explicit ``allowEmptyValue`` is kept there too.
    """

    media_type: str
    schema: Schema | None
    example: Any = NO_EXAMPLE
    examples: tuple[Example, ...] = ()
    encoding: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Header:
    """A documented response header."""

    name: str
    schema: Schema | None
    required: bool = False
    description: str | None = None
    example: Any = NO_EXAMPLE


@dataclass(frozen=True, slots=True)
class Response:
    """A documented response: ``status`` is ``"200"``, ``"2XX"`` or ``"default"``."""

    status: str
    description: str
    headers: tuple[Header, ...] = ()
    content: tuple[MediaType, ...] = ()


@dataclass(frozen=True, slots=True)
class Parameter:
    """A parameter, with OpenAPI 3 serialisation already defaulted.

    Swagger 2.0 ``collectionFormat`` is mapped to style/explode (csv -> form/simple with
    explode false, ssv -> spaceDelimited, pipes -> pipeDelimited, multi -> form with explode
    true); ``tsv`` keeps ``style="tabDelimited"``, which only 2.0 has.
    ``content`` is set instead of ``schema`` for ``content``-style parameters.
    ``allow_empty_value`` is None where the description does not say (then the schema alone
    judges an empty value, as Prism does), else the ``allowEmptyValue`` it wrote.
    """

    name: str
    location: ParameterLocation
    required: bool
    schema: Schema | None
    style: str
    explode: bool
    allow_empty_value: bool | None = None
    allow_reserved: bool = False
    deprecated: bool = False
    description: str | None = None
    example: Any = NO_EXAMPLE
    examples: tuple[Example, ...] = ()
    content: tuple[MediaType, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestBody:
    """A request body: Swagger 2.0 ``in: body`` and ``in: formData`` parameters land here too."""

    required: bool
    content: tuple[MediaType, ...]
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A security scheme by its name in the description.

    ``scheme`` is the lower-cased HTTP auth scheme (``basic``, ``bearer``, ...) for HTTP
    schemes; ``parameter_name`` and ``location`` say where an API key goes.
    Swagger 2.0 ``basic`` becomes HTTP/basic and its ``oauth2`` OAUTH2.
    """

    name: str
    kind: SecuritySchemeKind
    scheme: str | None = None
    parameter_name: str | None = None
    location: ParameterLocation | None = None
    bearer_format: str | None = None
    description: str | None = None


SecurityRequirement = tuple[str, ...]
"""Names of the schemes that must all be present (AND). An empty tuple allows anonymous access.

An operation's ``security`` is a tuple of alternatives (OR); an empty ``security`` means the
operation needs no credentials.
"""


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: a method on a path template.

    ``key`` is what users name it by: the operationId, else ``"GET /pets/{id}"``.
    ``parameters`` are the effective ones (path-level merged with operation-level).
    ``responses`` are in document order; ``security`` is effective (operation, else global).
    ``extensions`` keeps the operation's ``x-`` members; ``servers`` are the operation's or
    path item's own server URLs, when it overrides the description's. ``produces`` is a
    Swagger 2.0 operation's effective ``produces`` (what it may answer even without a schema).
    ``callbacks`` are the OpenAPI 3 callback requests it declares, in document order.
    """

    method: str
    path: str
    operation_id: str | None
    key: str
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    responses: tuple[Response, ...] = ()
    security: tuple[SecurityRequirement, ...] = ()
    pointer: str = ""
    extensions: Mapping[str, Any] = field(default_factory=dict)
    servers: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    callbacks: tuple[Callback, ...] = ()


@dataclass(frozen=True, slots=True)
class Callback:
    """One request of an OpenAPI 3 callback: ``callbacks.<name>.<expression>.<method>``.

    ``expression`` is the runtime expression (or template) of the URL, such as
    ``{$request.body#/callbackUrl}``; ``operation`` is the request mockproxy sends (its
    method, request body and parameters), its ``path`` being the expression.
    """

    name: str
    expression: str
    operation: Operation


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """One loaded description.

    ``registry`` holds every document the description spans (normalised), keyed by absolute
    URI: ``$ref``s resolve through it, and validation compiles its schemas from its documents
    (``validation/schemas.py``).
    ``base_path`` is the path part of the first server URL (Swagger 2.0: ``basePath``).
    ``warnings`` are non-fatal findings (e.g. an example that violates its schema) as
    ``"<file>#<pointer>: <message>"`` lines. ``origin`` names the source format when it was
    not OpenAPI (``"Postman Collection v2.1"``), converted at load.
    """

    source: str
    version: SpecVersion
    title: str
    api_version: str
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, SecurityScheme]
    registry: Registry[Any] = field(repr=False)
    base_path: str = ""
    servers: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    origin: str = ""


def find_response(operation: Operation, code: int) -> Response | None:
    """The response documented for ``code``: exact, then its range (``4XX``), then default."""
    text = str(code)
    by_status = {r.status.upper(): r for r in operation.responses}
    return by_status.get(text) or by_status.get(f"{text[0]}XX") or by_status.get("DEFAULT")
