"""Asking the mock for every documented response and judging the answers independently.

The judge is not mockproxy's code: openapi-core (loading the description itself) for OpenAPI
3.x, and jsonschema's Draft 4 validator over the description's own documents for Swagger 2.0.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from jsonschema import Draft4Validator
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from proxy.mock.choose import status_of
from proxy.mock.generate import Direction, generate
from proxy.openapi.model import (
    NO_EXAMPLE,
    ApiSpec,
    MediaType,
    Operation,
    Parameter,
    ParameterLocation,
    Response,
    SecuritySchemeKind,
)
from proxy.yamlio import load_yaml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "specs"
UNDOCUMENTED_CANDIDATES = (500, 502, 599)


@dataclass
class Outcome:
    """What one description's run found."""

    description: str
    version: str
    operations: int
    load_seconds: float
    checked: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    publisher_examples: list[tuple[str, str]] = field(default_factory=list)
    judge: str = ""


@dataclass(frozen=True)
class Probe:
    """One request to the mock and what it should answer."""

    operation: Operation
    response: Response
    media: MediaType | None
    status: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @property
    def label(self) -> str:
        media = self.media.media_type if self.media else "-"
        return f"{self.operation.key} {self.response.status} {media}"


def is_documented_example(probe: Probe, body: bytes) -> bool:
    """The mock sent one of the description's own examples for this media type, verbatim."""
    if probe.media is None:
        return False
    try:
        value = json.loads(body)
    except ValueError:
        return False
    examples = [e.value for e in probe.media.examples]
    if probe.media.example is not NO_EXAMPLE:
        examples.append(probe.media.example)
    schema = probe.media.schema
    if schema is not None and isinstance(schema.contents, dict):
        contents: Any = schema.contents
        if "$ref" in contents:
            contents = schema.resolver.lookup(contents["$ref"]).contents
        if isinstance(contents, dict) and "example" in contents:
            examples.append(contents["example"])
        if isinstance(contents, dict) and contents.get("examples"):
            examples.append(contents["examples"][0])
    return any(value == example for example in examples)


def entry_files() -> list[Path]:
    if not SHARED.is_dir():
        return []
    files = [
        p
        for p in sorted(SHARED.rglob("*"))
        if p.suffix in (".json", ".yaml", ".yml")
        and "digitalocean" not in p.parts
        and "petstore-separate" not in p.parts
    ]
    files.append(SHARED / "oai/v2.0/yaml/petstore-separate/spec/swagger.yaml")
    files.append(SHARED / "digitalocean/specification/DigitalOcean-public.v2.yaml")
    return files


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _parameter_value(parameter: Parameter) -> str:
    schema = parameter.schema or (parameter.content[0].schema if parameter.content else None)
    if schema is None:
        return "x"
    value = generate(schema, direction=Direction.REQUEST)
    if parameter.content:
        return json.dumps(value)
    text = _text(value)
    return text or "x"


def _credentials(spec: ApiSpec, operation: Operation) -> tuple[dict[str, str], dict[str, str]]:
    headers: dict[str, str] = {}
    query: dict[str, str] = {}
    if not operation.security:
        return headers, query
    cookies = []
    for name in operation.security[0]:
        scheme = spec.security_schemes.get(name)
        if scheme is None:
            continue
        if scheme.kind is SecuritySchemeKind.HTTP and (scheme.scheme or "basic") == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"user:pass").decode()
        elif scheme.kind in (
            SecuritySchemeKind.HTTP,
            SecuritySchemeKind.OAUTH2,
            SecuritySchemeKind.OPEN_ID_CONNECT,
        ):
            headers["Authorization"] = f"{(scheme.scheme or 'bearer').capitalize()} token"
        elif scheme.kind is SecuritySchemeKind.API_KEY and scheme.parameter_name:
            where = scheme.location or ParameterLocation.HEADER
            if where is ParameterLocation.QUERY:
                query[scheme.parameter_name] = "key"
            elif where is ParameterLocation.COOKIE:
                cookies.append(f"{scheme.parameter_name}=key")
            else:
                headers[scheme.parameter_name] = "key"
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    return headers, query


def _status_for(operation: Operation, response: Response) -> int:
    if response.status.lower() != "default":
        return status_of(response)
    documented = {r.status for r in operation.responses}
    return next(
        c
        for c in UNDOCUMENTED_CANDIDATES
        if str(c) not in documented and f"{str(c)[0]}XX" not in documented
    )


def probes(spec: ApiSpec) -> list[Probe]:
    """Every (operation, response, media type) the description documents."""
    found = []
    for operation in spec.operations:
        path = operation.path
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        for parameter in operation.parameters:
            if parameter.location is ParameterLocation.PATH:
                path = path.replace(
                    "{" + parameter.name + "}", quote(_parameter_value(parameter), safe="")
                )
            elif parameter.required and parameter.location is ParameterLocation.QUERY:
                query[parameter.name] = _parameter_value(parameter)
            elif parameter.required and parameter.location is ParameterLocation.HEADER:
                headers[parameter.name] = _parameter_value(parameter)
        auth_headers, auth_query = _credentials(spec, operation)
        for response in operation.responses:
            status = _status_for(operation, response)
            for media in response.content or (None,):
                found.append(
                    Probe(
                        operation,
                        response,
                        media,
                        status,
                        path,
                        {**query, **auth_query},
                        {**headers, **auth_headers},
                    )
                )
    return found


def request_line(probe: Probe) -> tuple[str, dict[str, str]]:
    """URL path+query and headers for the mock request."""
    headers = {
        **probe.headers,
        "Prefer": f"code={probe.status}, validate=false",
        "Accept": probe.media.media_type if probe.media else "*/*",
    }
    query = f"?{urlencode(probe.query)}" if probe.query else ""
    return probe.path + query, headers


class Judge:
    """Independent response validation for one description."""

    def __init__(self, path: Path, spec: ApiSpec) -> None:
        self.spec = spec
        self.path = path
        self.openapi: OpenAPI | None = None
        self.swagger: dict[str, Any] | None = None
        self.raw: dict[str, Any] = {}
        if spec.version.value == "2.0":
            self.swagger = _load(path)
            self.registry = _swagger_registry(path, self.swagger)
            self.name = "jsonschema draft 4 over the description"
        else:
            from openapi_core import Config

            try:
                self.openapi = OpenAPI.from_file_path(
                    str(path), config=Config(spec_validator_cls=None)
                )
                self.name = "openapi-core"
            except Exception as error:  # the judge cannot read it: fall back, and say so
                self.raw = _load(path)
                self.registry = _swagger_registry(path, self.raw)
                self.name = f"openapi-schema-validator ({type(error).__name__} in openapi-core)"

    def problems(
        self, probe: Probe, status: int, headers: dict[str, str], body: bytes
    ) -> list[str]:
        found = []
        if status != probe.status:
            found.append(f"status {status}, asked for {probe.status}")
        content_type = headers.get("Content-Type", "")
        if probe.media is not None:
            base = content_type.split(";", 1)[0].strip().lower()
            documented = probe.media.media_type.split(";", 1)[0].strip().lower()
            if base != documented and not documented.endswith("/*") and documented != "*/*":
                found.append(f"Content-Type {content_type!r}, documented {documented!r}")
        if found:
            return found
        if probe.media is not None and not _is_json(probe.media.media_type):
            return []  # non-JSON bodies: status and Content-Type are what can be judged
        if self.openapi is not None:
            return self._openapi_core(probe, status, headers, body)
        if self.swagger is None:
            return self._oas_schema(probe, body)
        return self._swagger(probe, body)

    def _oas_schema(self, probe: Probe, body: bytes) -> list[str]:
        from openapi_schema_validator import OAS30Validator, OAS31Validator

        raw = self.raw["paths"][probe.operation.path][probe.operation.method.lower()]
        documented = raw["responses"][probe.response.status]
        location = (
            f"{self.path.as_uri()}#/paths/{_escape(probe.operation.path)}/"
            f"{probe.operation.method.lower()}/responses/{probe.response.status}"
        )
        resolver = self.registry.resolver(self.path.as_uri())
        while "$ref" in documented:
            location = urljoin(location, documented["$ref"])
            resolved = resolver.lookup(documented["$ref"])
            documented, resolver = resolved.contents, resolved.resolver
        media = probe.media.media_type if probe.media else ""
        if "schema" not in documented.get("content", {}).get(media, {}):
            return []
        validator_class = OAS31Validator if self.spec.version.value == "3.1" else OAS30Validator
        target = f"{location}/content/{_escape(media)}/schema"
        validator = validator_class({"$ref": target}, registry=self.registry)
        try:
            value = json.loads(body)
        except ValueError as error:
            return [f"body is not JSON: {error}"]
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)][:5]

    def _openapi_core(
        self, probe: Probe, status: int, headers: dict[str, str], body: bytes
    ) -> list[str]:
        servers = probe.operation.servers or self.spec.servers
        server = servers[0] if servers else "http://localhost"
        parts = urlsplit(server if "://" in server else "http://localhost" + server)
        host_url = f"{parts.scheme}://{parts.netloc}"
        request = MockRequest(
            host_url,
            probe.operation.method.lower(),
            parts.path.rstrip("/") + probe.path,
            path_pattern=parts.path.rstrip("/") + probe.operation.path,
            args=probe.query,
            headers=probe.headers,
        )
        content_type = headers.get("Content-Type", "application/json")
        response = MockResponse(
            body, status_code=status, headers=dict(headers), content_type=content_type
        )
        assert self.openapi is not None
        try:
            self.openapi.validate_response(request, response)
        except Exception as error:  # openapi-core raises many error types; each is a finding
            details = [str(error)]
            for cause in getattr(error, "schema_errors", None) or []:
                details.append(f"{list(cause.path)}: {cause.message}")
            return ["; ".join(details)[:500]]
        return []

    def _swagger(self, probe: Probe, body: bytes) -> list[str]:
        assert self.swagger is not None
        raw = self.swagger["paths"][probe.operation.path][probe.operation.method.lower()]
        documented = raw["responses"][probe.response.status]
        location = (
            f"{self.path.as_uri()}#/paths/{_escape(probe.operation.path)}/"
            f"{probe.operation.method.lower()}/responses/{probe.response.status}"
        )
        if "$ref" in documented:
            location = urljoin(self.path.as_uri(), documented["$ref"])
            documented = (
                self.registry.resolver(self.path.as_uri()).lookup(documented["$ref"]).contents
            )
        if (
            documented.get("schema") is None
            or probe.media is None
            or "json" not in probe.media.media_type
        ):
            return []
        validator = Draft4Validator({"$ref": f"{location}/schema"}, registry=self.registry)
        try:
            value = json.loads(body)
        except ValueError as error:
            return [f"body is not JSON: {error}"]
        return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)][:5]


def _load(path: Path) -> Any:
    """The judge reads documents itself: JSON by the json module, YAML by the YAML loader."""
    if path.suffix == ".json":
        return json.loads(path.read_bytes())
    return load_yaml(path.read_bytes())


def _is_json(media_type: str) -> bool:
    base = media_type.split(";", 1)[0].strip().lower()
    return base.endswith(("/json", "+json"))


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _swagger_registry(path: Path, document: Any) -> Registry[Any]:
    def retrieve(uri: str) -> Resource[Any]:
        target = Path(urlsplit(uri).path)
        return DRAFT4.create_resource(_load(target))

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    return registry.with_resource(path.as_uri(), DRAFT4.create_resource(document))
