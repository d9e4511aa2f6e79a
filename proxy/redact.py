"""Which names hold secrets, and their values replaced in headers, queries, forms and JSON.

Pure functions over text, shared by every journal store and the log lines that carry what a
client sent. A name is secret when it is one of ``ALWAYS_SECRET`` or contains one of
``SECRET_FRAGMENTS`` (case-insensitive, ``-`` read as ``_``), or when it is one of the extra
names given (the specs' API-key names and ``journal.redact``). Bodies may be cut short (the
journal keeps a prefix): the JSON and multipart readers here never need the whole document.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote_plus

from proxy.memo import SECRET_NAMES

__all__ = [
    "ALWAYS_SECRET",
    "REDACTED",
    "SECRET_FRAGMENTS",
    "Redactor",
]

REDACTED: Final = "[redacted]"
_REDACTED_IN_QUERY: Final = "%5Bredacted%5D"
ALWAYS_SECRET: Final = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
SECRET_FRAGMENTS: Final = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "client_secret",
    "session",
)
_JSON_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\],:]|\s+|[^\s{}\[\],:"]+', re.S)
_PART_NAME: Final = re.compile(r'(?:^|[;\s])name="([^"]*)"', re.I)
_BOUNDARY: Final = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.I)


@functools.lru_cache(maxsize=SECRET_NAMES)
def _secret_by_default(name: str) -> bool:
    lowered = name.lower()
    folded = lowered.replace("-", "_")
    return lowered in ALWAYS_SECRET or any(fragment in folded for fragment in SECRET_FRAGMENTS)


@dataclass(frozen=True, slots=True)
class Redactor:
    """The default secret names plus ``extra`` (lower-case exact names)."""

    extra: frozenset[str] = frozenset()

    def is_secret(self, name: str) -> bool:
        return _secret_by_default(name) or name.lower() in self.extra

    def headers(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Header fields with every secret value replaced."""
        return [(name, REDACTED if self.is_secret(name) else value) for name, value in pairs]

    def query(self, text: str) -> str:
        """A query string (or form body) with secret parameters' values replaced; the rest
        stays byte for byte."""
        if not text:
            return text
        pairs = text.split("&")
        changed = False
        for index, pair in enumerate(pairs):
            raw_name, equals, _ = pair.partition("=")
            if equals and self.is_secret(unquote_plus(raw_name)):
                pairs[index] = f"{raw_name}={_REDACTED_IN_QUERY}"
                changed = True
        return "&".join(pairs) if changed else text

    def body(self, text: str, content_type: str | None) -> str:
        """A request body's text with secret fields' values replaced (JSON at any depth,
        url-encoded and multipart forms); other media types as they are."""
        base = (content_type or "").partition(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            return self.json_text(text)
        if base == "application/x-www-form-urlencoded":
            return self.query(text)
        if base == "multipart/form-data":
            return self.multipart(text, content_type or "")
        return text

    def json_text(self, text: str) -> str:
        """JSON text, possibly cut short, with the value of every secret member replaced by
        ``"[redacted]"`` at any depth; everything else stays as written."""
        tokens = [match.group() for match in _JSON_TOKEN.finditer(text)]
        out: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            out.append(token)
            index += 1
            if token.startswith('"') and self._secret_key(token, tokens, index):
                while index < len(tokens) and tokens[index] != ":":
                    out.append(tokens[index])
                    index += 1
                out.append(":")
                out.append(' "' + REDACTED + '"')
                index = _after_value(tokens, index + 1)
        return "".join(out)

    def _secret_key(self, token: str, tokens: list[str], after: int) -> bool:
        """Whether the string ``token`` is an object member's name, and a secret one."""
        following = after
        while following < len(tokens) and tokens[following].isspace():
            following += 1
        if following >= len(tokens) or tokens[following] != ":":
            return False
        try:
            name = json.loads(token)
        except ValueError:
            name = token.strip('"')
        return isinstance(name, str) and self.is_secret(name)

    def multipart(self, text: str, content_type: str) -> str:
        """A multipart form, possibly cut short, with secret fields' contents replaced."""
        found = _BOUNDARY.search(content_type)
        if found is None:
            return text
        delimiter = "--" + (found.group(1) or found.group(2))
        parts = text.split(delimiter)
        for index, part in enumerate(parts):
            head, separator, content = part.partition("\r\n\r\n")
            name = _PART_NAME.search(head)
            if separator and name is not None and self.is_secret(name.group(1)):
                parts[index] = head + separator + REDACTED + ("\r\n" if content else "")
        return delimiter.join(parts)

    def findings(self, errors: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
        """Validation errors (``pointer``, ``detail``) for a log line: the detail of an error
        whose pointer names a secret may quote the value, so it is replaced."""
        return [
            {**error, "detail": REDACTED}
            if any(self.is_secret(part) for part in error.get("pointer", "").split("/"))
            else dict(error)
            for error in errors
        ]


def _after_value(tokens: list[str], index: int) -> int:
    """The index after the JSON value starting at (or after whitespace from) ``index``."""
    while index < len(tokens) and tokens[index].isspace():
        index += 1
    if index >= len(tokens):
        return index
    if tokens[index] not in ("{", "["):
        return index + 1
    depth = 0
    while index < len(tokens):
        token = tokens[index]
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index
