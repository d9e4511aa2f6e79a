"""The spec loader: versions, external and circular $refs, normalisation, broken inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy.errors import SpecError
from proxy.mock.generate import generate
from proxy.openapi.loader import load_spec
from proxy.openapi.model import SecuritySchemeKind, SpecVersion
from tests.conformance.harness import entry_files

SCENARIOS = Path(__file__).with_name("scenarios")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "specs"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_external_refs_resolve_relative_to_the_referring_file() -> None:
    """Parameters, schemas and responses come from other files, refs inside them too."""
    spec = load_spec(SCENARIOS / "external" / "api.yaml")
    tree = next(op for op in spec.operations if op.key == "getTree")
    assert [p.name for p in tree.parameters] == ["id"]
    assert [r.status for r in tree.responses] == ["200", "default"]
    assert tree.responses[1].content[0].media_type == "application/problem+json"


def test_circular_schemas_load_and_generate_finitely() -> None:
    """A tree whose children are trees (across files) loads and yields a finite sample."""
    spec = load_spec(SCENARIOS / "external" / "api.yaml")
    tree = next(op for op in spec.operations if op.key == "getTree")
    schema = tree.responses[0].content[0].schema
    assert schema is not None
    value = generate(schema)
    assert value["name"] == "string"
    assert len(json.dumps(value)) < 2000


def test_pointer_escapes_resolve() -> None:
    """`~1` and `~0` in a $ref pointer name `/` and `~`."""
    spec = load_spec(SCENARIOS / "external" / "api.yaml")
    odd = next(op for op in spec.operations if op.key == "odd")
    schema = odd.responses[0].content[0].schema
    assert schema is not None
    assert schema.resolver.lookup(schema.contents["$ref"]).contents["enum"] == ["x", None]


def test_openapi_30_schemas_are_normalised_where_they_are_schemas() -> None:
    """nullable and boolean exclusive bounds become 2020-12; a property named nullable stays."""
    spec = load_spec(SCENARIOS / "external" / "api.yaml")
    tree = next(op for op in spec.operations if op.key == "getTree")
    parameter_schema = tree.parameters[0].schema
    assert parameter_schema is not None
    assert parameter_schema.contents == {"type": "integer", "exclusiveMinimum": 0}
    tree_schema = tree.responses[0].content[0].schema
    assert tree_schema is not None
    target = tree_schema.resolver.lookup(tree_schema.contents["$ref"]).contents
    assert target["properties"]["nullable"] == {
        "type": "boolean",
        "description": "a property that happens to be called nullable",
    }


def test_yaml_keys_stay_strings(tmp_path: Path) -> None:
    """`200:` is a status string and `on:` a name, not an int and a boolean."""
    path = write(
        tmp_path,
        "s.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n"
        "        200:\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {type: object, properties: {on: {type: string}}}\n",
    )
    response = load_spec(path).operations[0].responses[0]
    assert response.status == "200"
    assert response.content[0].schema is not None
    assert "on" in response.content[0].schema.contents["properties"]


PETSTORE_VERSIONS = {
    "2.0": "oai/v2.0/yaml/petstore.yaml",
    "3.0": "oai/v3.0-yaml/petstore.yaml",
}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared spec corpus is not beside this clone")
def test_swagger_20_and_openapi_30_petstores_agree() -> None:
    """The same petstore in 2.0 and 3.0 gives the same operations, statuses and media types."""
    shapes = []
    for relative in PETSTORE_VERSIONS.values():
        spec = load_spec(SHARED / relative)
        shapes.append(
            sorted(
                (op.method, op.path, op.key, tuple(r.status for r in op.responses))
                for op in spec.operations
            )
        )
    assert shapes[0] == shapes[1]


def test_swagger_20_conversion(tmp_path: Path) -> None:
    """Body and formData parameters become request bodies; basic auth and basePath carry over."""
    path = write(
        tmp_path,
        "s.json",
        json.dumps(
            {
                "swagger": "2.0",
                "info": {"title": "t", "version": "1"},
                "basePath": "/v1/",
                "securityDefinitions": {"basic": {"type": "basic"}},
                "security": [{"basic": []}],
                "paths": {
                    "/upload": {
                        "post": {
                            "consumes": ["multipart/form-data"],
                            "parameters": [
                                {
                                    "name": "file",
                                    "in": "formData",
                                    "type": "file",
                                    "required": True,
                                },
                                {
                                    "name": "tags",
                                    "in": "query",
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "collectionFormat": "pipes",
                                },
                            ],
                            "responses": {
                                "200": {
                                    "description": "ok",
                                    "schema": {"type": "string", "x-nullable": True},
                                    "examples": {"application/json": "done"},
                                }
                            },
                        }
                    }
                },
            }
        ),
    )
    spec = load_spec(path)
    assert (spec.version, spec.base_path) == (SpecVersion.SWAGGER_2, "/v1")
    assert spec.security_schemes["basic"].kind is SecuritySchemeKind.HTTP
    operation = spec.operations[0]
    assert operation.security == (("basic",),)
    assert operation.parameters[0].style == "pipeDelimited"
    body = operation.request_body
    assert body is not None and body.required
    assert body.content[0].media_type == "multipart/form-data"
    assert body.content[0].schema is not None
    assert body.content[0].schema.contents["properties"]["file"] == {
        "type": "string",
        "format": "binary",
    }
    media = operation.responses[0].content[0]
    assert (media.example, media.examples[0].name) == ("done", "application/json")
    assert media.schema is not None and media.schema.contents["type"] == ["string", "null"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "openapi: 3.0.3\npaths: [broken\n", "bad.yaml:3:1: invalid YAML"),
        ("bad.json", '{"openapi": "3.0.3", ', "bad.json:1:22: invalid JSON"),
        (
            "not.yaml",
            "hello: world\n",
            "not an OpenAPI description or Postman collection (no 'openapi', 'swagger' or "
            "'info.schema' key)",
        ),
        ("old.yaml", "swagger: '1.2'\n", "unsupported OpenAPI version '1.2'"),
    ],
    ids=[
        "yaml-syntax",
        "json-syntax",
        "not-openapi",
        "old-version",
    ],
)
def test_broken_specs_fail_naming_file_and_place(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    """Each broken description fails with one line naming the file and where."""
    path = write(tmp_path, name, text)
    with pytest.raises(SpecError) as raised:
        load_spec(path)
    assert message in raised.value.messages[0]
    assert name in raised.value.messages[0]


DANGLING = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /x:
    get:
      parameters:
        - $ref: '#/components/parameters/Gone'
        - {name: q, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Nope'}
        '404': {$ref: 'gone.yaml#/R'}
  /y:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {a: {type: integer}}}
"""


def test_dangling_refs_warn_and_every_operation_is_served(tmp_path: Path) -> None:
    """Missing pointers and files become warnings naming where; the rest loads as written."""
    spec = load_spec(write(tmp_path, "dangling.yaml", DANGLING))
    assert [op.path for op in spec.operations] == ["/x", "/y"]
    x = spec.operations[0]
    assert [p.name for p in x.parameters] == ["q"]
    assert x.responses[0].content[0].schema is not None
    assert x.responses[0].content[0].schema.contents == {}
    where = f"{tmp_path / 'dangling.yaml'}#/paths/~1x/get"
    assert spec.warnings == (
        f"{where}/responses/404: $ref 'gone.yaml#/R' does not resolve "
        f"({tmp_path / 'gone.yaml'}: file not found); treated as an unconstrained schema",
        f"{where}/responses/200/content/application~1json/schema: $ref "
        "'#/components/schemas/Nope' does not resolve (no such pointer); "
        "treated as an unconstrained schema",
        f"{where}/parameters/0: $ref '#/components/parameters/Gone' does not resolve "
        "(no such pointer); treated as an unconstrained schema",
    )


def test_a_remote_ref_is_a_warning_and_never_read_from_disk(tmp_path: Path) -> None:
    """A `$ref` to an http(s) URL is not fetched and not read as the local file its path
    names: a warning says so, and the schema is unconstrained."""
    write(tmp_path, "part.yaml", "R: {type: integer}\n")
    remote = f"https://schemas.example.com{tmp_path}/part.yaml"
    spec = load_spec(write(tmp_path, "api.yaml", DANGLING.replace("gone.yaml", remote)))
    assert spec.operations[0].responses[-1].content == ()
    assert spec.warnings[0] == (
        f"{tmp_path / 'api.yaml'}#/paths/~1x/get/responses/404: $ref '{remote}#/R' does not "
        f"resolve ({remote}: a remote document, which mockproxy does not fetch; save it beside "
        "the description and refer to it by a relative path); treated as an unconstrained schema"
    )


def test_a_referenced_file_that_does_not_parse_still_fails(tmp_path: Path) -> None:
    """A dangling ref is forgiven, a broken referenced file is not."""
    write(tmp_path, "part.yaml", "R: [broken\n")
    text = DANGLING.replace("gone.yaml#/R", "part.yaml#/R")
    with pytest.raises(SpecError, match=r"part\.yaml#/R' does not resolve: .*invalid YAML"):
        load_spec(write(tmp_path, "api.yaml", text))


def test_yaml_scalars_with_leading_zeros_are_decimal(tmp_path: Path) -> None:
    """``0553391925`` (an ISBN) is read as YAML 1.2 reads it, not as a broken octal."""
    text = DANGLING.replace("{type: integer}}", "{type: integer}, example: 0553391925}")
    spec = load_spec(write(tmp_path, "isbn.yaml", text))
    assert spec.operations[0].parameters[0].example == 553391925


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared spec corpus is not beside this clone")
@pytest.mark.parametrize("path", entry_files(), ids=lambda p: p.name)
def test_every_shared_description_loads(path: Path) -> None:
    """Each real-world description loads (webhook-only ones have no operations)."""
    spec = load_spec(path)
    assert spec.operations or path.name == "webhook-example.json"
