"""Linting descriptions: each kind of finding, placed by file, line, column and pointer."""

from __future__ import annotations

from pathlib import Path

from proxy.lint import Finding, Severity, lint_spec

ROOT = Path(__file__).resolve().parent.parent
HEAD = 'openapi: {version}\ninfo: {{title: t, version: "1"}}\n'


def write(tmp_path: Path, body: str, version: str = "3.0.3") -> Path:
    path = tmp_path / "api.yaml"
    path.write_text(HEAD.format(version=version) + body)
    return path


def texts(findings: list[Finding], root: Path) -> list[str]:
    return [finding.text().replace(str(root) + "/", "") for finding in findings]


def test_bundled_fax_spec_is_clean() -> None:
    """The sample spec shipped with mockproxy has nothing to report."""
    assert lint_spec(ROOT / "config" / "specs" / "fax.yaml") == []


def test_unknown_type_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    """`type: objekt` is named with its line, pointer and the closest JSON Schema type."""
    path = write(
        tmp_path,
        "paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n              schema: {type: objekt}\n",
    )
    [finding] = [f for f in lint_spec(path) if f.severity is Severity.ERROR]
    assert finding.text() == (
        f"{path}:11:24: error: #/paths/~1x/get/responses/200/content/application~1json/schema/"
        "type: unknown type 'objekt' (did you mean 'object'?); "
        "types: string, number, integer, boolean, array, object, null"
    )


def test_unknown_type_behind_a_recursive_ref_is_found_once(tmp_path: Path) -> None:
    """Schemas reached through $refs are checked, each once, recursion included."""
    path = write(
        tmp_path,
        "paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Node'}\n"
        "components:\n  schemas:\n    Node:\n      type: object\n      properties:\n"
        "        next: {$ref: '#/components/schemas/Node'}\n"
        "        tags: {type: array, items: {type: strin}}\n",
    )
    assert [f.pointer for f in lint_spec(path) if f.severity is Severity.ERROR] == [
        "/components/schemas/Node/properties/tags/items/type"
    ]


def test_example_violating_its_schema_is_an_error(tmp_path: Path) -> None:
    """A named example the mock would serve, but its schema refuses, is an error where it is."""
    path = write(
        tmp_path,
        "paths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {type: object, properties: {n: {type: integer}}}\n"
        "              examples:\n                bad: {value: {n: five}}\n",
    )
    assert texts(lint_spec(path), tmp_path) == [
        "api.yaml:13:17: error: #/paths/~1x/get/responses/200/content/application~1json/"
        'examples/bad: example violates its schema: "five" is not of type "integer" at /n'
    ]


def test_missing_info_version_is_an_error(tmp_path: Path) -> None:
    """info.version is required by every OpenAPI version."""
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n")
    assert texts(lint_spec(path), tmp_path) == [
        "api.yaml:2:1: error: #/info: info.version is missing"
    ]


def test_postman_collection_without_a_version_is_clean(tmp_path: Path) -> None:
    """A collection as Postman exports it, with no info.version (Postman's own schema does
    not require one), has nothing to report."""
    path = tmp_path / "api.postman_collection.json"
    path.write_text(
        '{"info": {"name": "Jobs", "schema": '
        '"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},'
        ' "item": [{"name": "List jobs", "request": {"method": "GET", "url": "{{base}}/jobs"},'
        ' "response": [{"name": "none", "code": 200, "body": "[]"}]}]}'
    )
    assert lint_spec(path) == []


def test_operation_without_responses_is_an_error_in_openapi_30(tmp_path: Path) -> None:
    """OpenAPI 3.0 requires responses: an operation without any is an error."""
    path = write(tmp_path, "paths:\n  /x:\n    get:\n      responses: {}\n")
    assert texts(lint_spec(path), tmp_path) == [
        "api.yaml:6:7: error: #/paths/~1x/get/responses: GET /x documents no responses, "
        "so the mock has nothing to answer"
    ]


def test_operation_without_responses_is_a_warning_in_openapi_31(tmp_path: Path) -> None:
    """OpenAPI 3.1 allows an operation without responses: a warning only."""
    path = write(tmp_path, "paths:\n  /x:\n    get: {}\n", version="3.1.0")
    assert [(f.severity, f.pointer) for f in lint_spec(path)] == [
        (Severity.WARNING, "/paths/~1x/get/responses")
    ]


def test_dangling_ref_is_a_warning_placed_by_line(tmp_path: Path) -> None:
    """A $ref that does not resolve is one warning at the line of the reference (the
    description still loads, the target treated as unconstrained)."""
    path = write(
        tmp_path,
        "paths:\n  /x:\n    get:\n      responses:\n"
        "        '200': {$ref: '#/components/responses/Nope'}\n",
    )
    assert texts(lint_spec(path), tmp_path) == [
        "api.yaml:7:9: warning: #/paths/~1x/get/responses/200: "
        "$ref '#/components/responses/Nope' does not resolve (no such pointer); "
        "treated as an unconstrained schema"
    ]


def test_file_that_is_not_openapi_is_an_error(tmp_path: Path) -> None:
    """A YAML file without `openapi`, `swagger` or a collection's `info.schema` is reported,
    not crashed on."""
    path = tmp_path / "other.yaml"
    path.write_text("hello: 1\n")
    assert texts(lint_spec(path), tmp_path) == [
        "other.yaml: error: not an OpenAPI description or Postman collection "
        "(no 'openapi', 'swagger' or 'info.schema' key)"
    ]
