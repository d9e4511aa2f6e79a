"""Lint API descriptions (`mockproxy check SPEC...`): what would make the mock mislead its users.

Errors: the file does not load, a schema names a type JSON Schema does not have, an example
violates its own schema (the mock would serve it), ``info.version`` is missing (not in a
Postman collection, which need not have one), an operation
documents no responses where the OpenAPI version requires them. Warnings: the loader's own
notes, and an operation without responses where OpenAPI 3.1 allows it. Each finding names the
file, the line and column where the YAML or JSON says it, and the JSON pointer.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urljoin, urlsplit

from referencing.exceptions import Unresolvable

from proxy.errors import SpecError
from proxy.mock.schema_examples import unfit_property_examples
from proxy.openapi.documents import escape_pointer
from proxy.openapi.keywords import SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS, SCHEMA_VALUE_KEYWORDS
from proxy.openapi.loader import load_spec
from proxy.openapi.model import ApiSpec, Operation, SpecVersion
from proxy.validation.examples import check_examples
from proxy.yamlio import YamlDocument, YamlSyntaxError, load_yaml_document

__all__ = ["Finding", "Severity", "lint_loaded", "lint_spec"]

JSON_SCHEMA_TYPES: Final = ("string", "number", "integer", "boolean", "array", "object", "null")


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (file, optional line and column, JSON pointer) and what."""

    severity: Severity
    file: str
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None

    def text(self) -> str:
        """``file:line:col: error: #/pointer: message``, as compilers and the config errors say."""
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column}"
        what = f"#{self.pointer}: {self.message}" if self.pointer else self.message
        return f"{where}: {self.severity}: {what}"

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "message": self.message,
        }


class _Positions:
    """Line and column of a JSON pointer in the description's files, read again as YAML."""

    def __init__(self) -> None:
        self._documents: dict[str, YamlDocument | None] = {}

    def _document(self, path: str) -> YamlDocument | None:
        if path not in self._documents:
            try:
                self._documents[path] = load_yaml_document(Path(path).read_bytes(), path)
            except (OSError, YamlSyntaxError):
                self._documents[path] = None
        return self._documents[path]

    def of(self, path: str, pointer: str) -> tuple[int, int] | None:
        """The position of the deepest key on ``pointer`` that the file has."""
        document = self._document(path)
        if document is None:
            return None
        value, position = document.data, None
        for token in (t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]):
            if isinstance(value, dict) and token in value:
                position = document.position(value, token) or position
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                break
        return position


class _Linter:
    """Collects the findings of one description, placing each by file, line and pointer."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self.findings: list[Finding] = []
        self.positions = _Positions()
        self.resolver = spec.registry.resolver()

    def add(self, severity: Severity, uri: str, message: str) -> None:
        """A finding at ``uri`` (``file:///x.yaml#/pointer``), shown relative to the spec."""
        parts = urlsplit(uri)
        path = unquote(parts.path) if parts.scheme == "file" else uri
        pointer = unquote(parts.fragment)
        position = self.positions.of(path, pointer) if parts.scheme == "file" else None
        shown = self.spec.source if Path(path) == Path(self.spec.source).resolve() else path
        line, column = position or (None, None)
        self.findings.append(Finding(severity, shown, message, pointer, line, column))

    def root(self, pointer: str) -> str:
        return f"{Path(self.spec.source).resolve().as_uri()}#{pointer}"

    def info_version(self) -> None:
        """OpenAPI requires info.version; a converted collection (Postman's info has no
        required version) is not held to it."""
        if not self.spec.api_version and not self.spec.origin:
            self.add(Severity.ERROR, self.root("/info"), "info.version is missing")

    def responses(self, operation: Operation) -> None:
        if operation.responses:
            return
        required = self.spec.version is not SpecVersion.OPENAPI_3_1
        severity = Severity.ERROR if required else Severity.WARNING
        self.add(
            severity,
            self.root(f"{operation.pointer}/responses"),
            f"{operation.key} documents no responses, so the mock has nothing to answer",
        )

    def schema_types(self) -> int:
        """Report every ``type`` JSON Schema does not know; returns how many were found."""
        before = len(self.findings)
        seen: set[str] = set()
        for uri in self._schema_roots():
            self._walk(uri, seen)
        return len(self.findings) - before

    def _schema_roots(self) -> Iterator[str]:
        for operation in self.spec.operations:
            for parameter in operation.parameters:
                if parameter.schema is not None:
                    yield parameter.schema.uri
            bodies = operation.request_body.content if operation.request_body else ()
            for media in (*bodies, *(m for r in operation.responses for m in r.content)):
                if media.schema is not None:
                    yield media.schema.uri
            for response in operation.responses:
                yield from (h.schema.uri for h in response.headers if h.schema is not None)
        document = self.resolver.lookup(self.root("")).contents
        for section, pointer in (("components", "/components/schemas"), ("definitions", "")):
            holder = document.get(section) if isinstance(document, dict) else None
            named = holder.get("schemas") if section == "components" and holder else holder
            for name in named if isinstance(named, dict) else ():
                yield self.root(f"{pointer or '/definitions'}/{escape_pointer(name)}")

    def _walk(self, uri: str, seen: set[str]) -> None:
        if uri in seen:
            return
        seen.add(uri)
        try:
            schema = self.resolver.lookup(uri).contents
        except Unresolvable:  # the loader refuses dangling references: nothing left to say
            return
        if not isinstance(schema, dict):
            return
        self._check_type(uri, schema.get("type"))
        for child in _subschemas(uri, schema):
            self._walk(child, seen)

    def _check_type(self, uri: str, declared: object) -> None:
        if declared is None:
            return
        for name in declared if isinstance(declared, list) else [declared]:
            if name in JSON_SCHEMA_TYPES:
                continue
            close = difflib.get_close_matches(str(name), JSON_SCHEMA_TYPES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            known = ", ".join(JSON_SCHEMA_TYPES)
            self.add(Severity.ERROR, uri + "/type", f"unknown type {name!r}{hint}; types: {known}")

    def note(self, note: str) -> None:
        """A loader warning (``file#pointer: message``), placed by its file and pointer."""
        location, _, message = note.partition(": ")
        file, hash_, pointer = location.partition("#")
        if message and hash_ and Path(file).is_absolute():
            self.add(Severity.WARNING, f"{Path(file).as_uri()}#{pointer}", message)
        else:
            self.add(Severity.WARNING, self.root(""), note)

    def property_examples(self) -> None:
        """Property examples that break their own schema: the mock passes them over."""
        for line in unfit_property_examples(self.spec):
            self.note(line)

    def examples(self) -> None:
        for line in check_examples(self.spec):
            location, _, message = line.partition(": ")
            _, _, pointer = location.partition("#")
            self.add(Severity.ERROR, self.root(pointer), f"example violates its schema: {message}")


def _subschemas(uri: str, schema: dict[str, Any]) -> Iterator[str]:
    """The URIs of a schema's direct subschemas, ``$ref`` targets included."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        yield urljoin(uri, ref)
    for key in SCHEMA_VALUE_KEYWORDS:
        if isinstance(schema.get(key), dict):
            yield f"{uri}/{key}"
    for key in SCHEMA_LIST_KEYWORDS:
        group = schema.get(key)
        for index, value in enumerate(group if isinstance(group, list) else ()):
            if isinstance(value, dict):
                yield f"{uri}/{key}/{index}"
    for key in SCHEMA_MAP_KEYWORDS:
        members = schema.get(key)
        for name, value in members.items() if isinstance(members, dict) else ():
            if isinstance(value, dict):
                yield f"{uri}/{key}/{escape_pointer(name)}"


def lint_loaded(spec: ApiSpec) -> list[Finding]:
    """The findings of a description that loaded."""
    linter = _Linter(spec)
    for note in spec.warnings:
        linter.note(note)
    linter.info_version()
    for operation in spec.operations:
        linter.responses(operation)
    if linter.schema_types():
        linter.add(
            Severity.WARNING,
            linter.root(""),
            "examples were not checked: fix the unknown types first",
        )
    else:
        linter.examples()
        linter.property_examples()
    return linter.findings


def _load_error(message: str) -> Finding:
    """The loader's ``file[:line:col][#pointer]: message`` as a finding placed in its file."""
    location, _, what = message.partition(": ")
    file, _, pointer = location.partition("#")
    if not pointer or not what:
        return Finding(Severity.ERROR, location, what or message)
    line, column = _Positions().of(file, pointer) or (None, None)
    return Finding(Severity.ERROR, file, what, pointer, line, column)


def lint_spec(path: Path) -> list[Finding]:
    """Load one description and lint it; a file that does not load is one error per fault."""
    try:
        spec = load_spec(path)
    except SpecError as error:
        return [_load_error(message) for message in error.messages]
    return lint_loaded(spec)
