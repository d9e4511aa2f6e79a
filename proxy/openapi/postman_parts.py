"""The pieces of a Postman request in OpenAPI terms: URL, parameters, body and auth.

Postman writes a URL either as a string or as an object (``host``, ``path``, ``query``,
``variable``), and key/value lists in v2.1 form (``[{"key": ..., "value": ...}]``) or, for
auth in v2.0, as a mapping. Each reader here accepts both and ignores what it cannot read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

__all__ = [
    "Url",
    "Variables",
    "auth_scheme",
    "description_text",
    "request_body",
    "request_parameters",
    "split_url",
]

_VARIABLE: Final = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_SCHEME_HOST: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")
_LEADING_VARIABLE: Final = re.compile(r"^\{\{[^{}]+\}\}")
_SKIPPED_REQUEST_HEADERS: Final = frozenset(
    {"content-type", "accept", "authorization", "content-length", "host", "cookie", "connection"}
)
_RAW_LANGUAGES: Final = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}
_STRING: Final = {"type": "string"}


def description_text(description: Any) -> str:
    """A description is a string or ``{"content": ..., "type": ...}``."""
    if isinstance(description, dict):
        description = description.get("content")
    return str(description) if isinstance(description, str) else ""


def _pairs(entries: Any) -> list[dict[str, Any]]:
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


@dataclass(frozen=True, slots=True)
class Variables:
    """Collection variables by name; ``{{name}}`` is replaced where a value is known."""

    values: dict[str, str]

    @classmethod
    def of(cls, entries: Any) -> Variables:
        values = {}
        for entry in _pairs(entries):
            key, value = entry.get("key") or entry.get("id"), entry.get("value")
            if isinstance(key, str) and isinstance(value, str | int | float | bool):
                values[key] = str(value)
        return cls(values)

    def resolve(self, text: str) -> str:
        """``text`` with known variables replaced (a few rounds, for variables of variables)."""
        for _ in range(5):
            replaced = _VARIABLE.sub(lambda m: self.values.get(m.group(1), m.group(0)), text)
            if replaced == text:
                break
            text = replaced
        return text


@dataclass(frozen=True, slots=True)
class Url:
    """A request URL as an OpenAPI path template, its server, and its parameters."""

    template: str
    server: str | None
    path_parameters: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    query: list[dict[str, Any]] = field(default_factory=list)


def _host_and_path(url: Any, variables: Variables) -> tuple[str, str, list[dict[str, Any]]]:
    """(host text, path text, query entries) from a string or object URL."""
    if isinstance(url, str):
        text, _, query_text = url.strip().partition("?")
        text = text.split("#", 1)[0]
        query = [
            {"key": unquote(k), "value": unquote(v)}
            for k, _, v in (part.partition("=") for part in query_text.split("&") if part)
        ]
        match = _SCHEME_HOST.match(text) or _LEADING_VARIABLE.match(text)
        if match is not None:
            host, path = match.group(0), text[match.end() :]
        elif "/" in text and "." in text.split("/", 1)[0]:
            host, path = text.split("/", 1)
        else:
            host, path = "", text
        return variables.resolve(host), variables.resolve(path), query
    if not isinstance(url, dict):
        return "", "/", []
    hosts = url.get("host")
    host_text = ".".join(map(str, hosts)) if isinstance(hosts, list) else str(hosts or "")
    if url.get("protocol") and host_text:
        host_text = f"{url['protocol']}://{host_text}"
    if url.get("port") and host_text:
        host_text += f":{url['port']}"
    segments = url.get("path")
    path_text = "/".join(map(str, segments)) if isinstance(segments, list) else str(segments or "")
    if not hosts and not segments and isinstance(url.get("raw"), str):
        return _host_and_path(url["raw"], variables)
    return variables.resolve(host_text), variables.resolve(path_text), _pairs(url.get("query"))


def split_url(url: Any, variables: Variables) -> Url:
    """The OpenAPI template for a Postman URL: ``:id`` and unresolved ``{{id}}`` -> ``{id}``."""
    host, path, query = _host_and_path(url, variables)
    described = {
        str(v.get("key")): v for v in _pairs(url.get("variable") if isinstance(url, dict) else [])
    }
    parameters: dict[str, tuple[str | None, str]] = {}
    segments = []
    for segment in path.strip("/").split("/") if path.strip("/") else []:
        if segment.startswith(":") and len(segment) > 1:
            segment = "{" + segment[1:] + "}"
        segment = _VARIABLE.sub(lambda m: "{" + m.group(1) + "}", segment)
        for name in re.findall(r"\{([^{}]+)\}", segment):
            entry = described.get(name, {})
            value = entry.get("value")
            example = str(value) if value not in (None, "") and "{{" not in str(value) else None
            parameters[name] = (example, description_text(entry.get("description")))
        segments.append(segment)
    server = host if host.startswith(("http://", "https://")) else None
    if server is None and host and "{{" not in host:
        server = f"https://{host}"
    return Url("/" + "/".join(segments), server, parameters, query)


def request_parameters(url: Url, headers: Any, variables: Variables) -> list[dict[str, Any]]:
    """Path parameters (required), query entries and request headers (optional)."""
    parameters: list[dict[str, Any]] = []
    for name, (example, description) in url.path_parameters.items():
        parameter = {"name": name, "in": "path", "required": True, "schema": _STRING}
        parameters.append(_described(parameter, example, description))
    seen: set[tuple[str, str]] = set()
    for location, entries in (("query", url.query), ("header", _pairs(headers))):
        for entry in entries:
            key = entry.get("key")
            if not isinstance(key, str) or not key or (key.lower(), location) in seen:
                continue
            if location == "header" and key.lower() in _SKIPPED_REQUEST_HEADERS:
                continue
            seen.add((key.lower(), location))
            value = entry.get("value")
            text = variables.resolve(str(value)) if value is not None else None
            example = text if text and "{{" not in text else None
            parameter = {"name": key, "in": location, "required": False, "schema": _STRING}
            parameters.append(
                _described(parameter, example, description_text(entry.get("description")))
            )
    return parameters


def _described(parameter: dict[str, Any], example: str | None, text: str) -> dict[str, Any]:
    if example is not None:
        parameter["example"] = example
    if text:
        parameter["description"] = text
    return parameter


def _declared_content_type(headers: Any) -> str | None:
    for header in _pairs(headers):
        if str(header.get("key", "")).lower() == "content-type" and header.get("value"):
            return str(header["value"]).split(";", 1)[0].strip()
    return None


def request_body(body: Any, headers: Any) -> dict[str, Any] | None:
    """The requestBody for a Postman body (raw, urlencoded, formdata, file, graphql)."""
    if not isinstance(body, dict) or not body.get("mode") or body.get("disabled"):
        return None
    mode = body["mode"]
    declared = _declared_content_type(headers)
    if mode == "raw":
        raw = body.get("raw")
        if not isinstance(raw, str) or not raw.strip():
            return None
        options = body.get("options") if isinstance(body.get("options"), dict) else {}
        language = (options.get("raw") or {}).get("language") if options else None
        media: dict[str, Any] = {"schema": {}}
        try:
            media["example"] = json.loads(raw)
            guessed = "application/json"
        except ValueError:
            guessed = "text/plain"
        media_type = declared or _RAW_LANGUAGES.get(str(language), guessed)
        if "json" not in media_type:
            media["example"] = raw
        return {"required": False, "content": {media_type: media}}
    if mode in ("urlencoded", "formdata"):
        properties = {}
        for entry in _pairs(body.get(mode)):
            if isinstance(entry.get("key"), str) and entry["key"]:
                is_file = entry.get("type") == "file"
                properties[entry["key"]] = (
                    {"type": "string", "format": "binary"} if is_file else dict(_STRING)
                )
        media_type = (
            "application/x-www-form-urlencoded" if mode == "urlencoded" else "multipart/form-data"
        )
        schema = {"type": "object", "properties": properties}
        return {"required": False, "content": {media_type: {"schema": schema}}}
    if mode == "graphql":
        return {"required": False, "content": {"application/json": {"schema": {}}}}
    if mode == "file":
        media_type = declared or "application/octet-stream"
        return {"required": False, "content": {media_type: {"schema": {}}}}
    return None


def _auth_values(auth: dict[str, Any], kind: str) -> dict[str, str]:
    """v2.1 ``[{"key": k, "value": v}]`` or v2.0 ``{k: v}`` as one mapping."""
    raw = auth.get(kind)
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    return {str(e.get("key")): str(e.get("value")) for e in _pairs(raw)}


def auth_scheme(auth: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(scheme name, OpenAPI security scheme) for basic, bearer, digest, oauth2 and apikey."""
    kind = str(auth.get("type"))
    if kind in ("basic", "bearer", "digest"):
        return f"{kind}Auth", {"type": "http", "scheme": kind}
    if kind == "oauth2":
        return "oauth2Auth", {"type": "http", "scheme": "bearer"}
    if kind == "apikey":
        values = _auth_values(auth, "apikey")
        location = values.get("in", "header")
        location = location if location in ("header", "query") else "header"
        name = values.get("key") or "x-api-key"
        return f"apiKey-{location}-{name}", {"type": "apiKey", "in": location, "name": name}
    return None
