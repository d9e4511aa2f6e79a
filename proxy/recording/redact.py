"""What of a live answer may be written to a recordings file: pure rules over plain values.

Header values are kept only for the response headers the spec documents, and secrets among
them are blanked by the journal's rules (``proxy.redact``: Set-Cookie, Authorization, names
like ``*token*``, the specs' API-key names, ``journal.redact``); so are bodies' secret fields.
Then ``record.redact`` blanks JSON values at the configured JSON pointers (``/owner/ssn``,
``/items/0/secret``) and under the configured field names at any depth.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from proxy.media_types import written_as_json
from proxy.openapi.documents import pointer_tokens
from proxy.redact import REDACTED, Redactor

__all__ = ["REDACTED", "kept_headers", "redact_body", "redact_value"]

_NOT_RECORDED: Final = frozenset(
    {"content-type", "content-length", "transfer-encoding", "content-encoding"}
)
"""The media type is recorded on its own; lengths and framing are the server's business, and
the body is recorded as its content, codings undone."""


def kept_headers(
    headers: Iterable[tuple[str, str]], documented: Iterable[str], redactor: Redactor
) -> dict[str, str]:
    """The documented response headers present in ``headers``, credentials blanked.

    Names are matched without regard to case and written as the spec spells them; a header
    sent more than once is joined with ', ' as RFC 9110 allows.
    """
    spelled = {name.lower(): name for name in documented if name.lower() not in _NOT_RECORDED}
    kept: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower not in spelled:
            continue
        shown = REDACTED if redactor.is_secret(name) else value
        key = spelled[lower]
        kept[key] = f"{kept[key]}, {shown}" if key in kept else shown
    return kept


def _blank_pointer(value: Any, parts: list[str]) -> bool:
    """Blank the value at ``parts``; whether it was there."""
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(value, dict) and part in value:
            if last:
                value[part] = REDACTED
                return True
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            if last:
                value[int(part)] = REDACTED
                return True
            value = value[int(part)]
        else:
            return False
    return False


def _blank_fields(value: Any, names: frozenset[str]) -> bool:
    """Blank every member called one of ``names``, at any depth; whether any was."""
    changed = False
    if isinstance(value, dict):
        for key in value:
            if key in names:
                value[key] = REDACTED
                changed = True
            else:
                changed = _blank_fields(value[key], names) or changed
    elif isinstance(value, list):
        for item in value:
            changed = _blank_fields(item, names) or changed
    return changed


def redact_value(value: Any, rules: Iterable[str]) -> bool:
    """Apply the rules to a decoded JSON value in place; whether anything was blanked."""
    rules = tuple(rules)
    changed = _blank_fields(value, frozenset(r for r in rules if not r.startswith("/")))
    for pointer in (r for r in rules if r.startswith("/")):
        changed = _blank_pointer(value, pointer_tokens(pointer)) or changed
    return changed


def redact_body(
    body: bytes, media_type: str | None, rules: tuple[str, ...], redactor: Redactor
) -> bytes:
    """The body with the journal's rules, then ``rules``, applied; the same bytes where nothing
    matched."""
    if not body or media_type is None:
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    redacted = redactor.body(text, media_type)
    if redacted != text:
        body = redacted.encode("utf-8")
    if not rules or not written_as_json(media_type):
        return body
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if not redact_value(value, rules):
        return body
    return json.dumps(value, ensure_ascii=False).encode()
