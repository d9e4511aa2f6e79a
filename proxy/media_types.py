"""Media type names, read one way everywhere: a Content-Type's base, whether it is JSON, and
whether a documented media type (perhaps a wildcard) covers a concrete one.

Validation (which request bodies to parse as what), the mock (which documented media type to
answer with) and the contract checks (which documented response a live one is) all ask these
questions; one module keeps their answers the same.
"""

from __future__ import annotations

__all__ = ["covers", "is_json", "media_base", "written_as_json"]


def media_base(content_type: str) -> str:
    """The type/subtype without parameters, lower case: 'Application/JSON; charset=utf-8' ->
    'application/json'."""
    return content_type.split(";", 1)[0].strip().lower()


def is_json(base: str) -> bool:
    """application/json, or a structured syntax suffix +json (RFC 6839): a JSON body."""
    return base == "application/json" or base.endswith("+json")


def written_as_json(media_type: str) -> bool:
    """Whether the mock writes (and verify reads) a documented media type's values as JSON:
    ``is_json``, any ``*/json`` (lenient on the way out), and ``*/*``, where JSON is the
    natural way to write a schema's values."""
    base = media_base(media_type)
    return is_json(base) or base.endswith("/json") or base == "*/*"


def covers(documented: str, wanted: str) -> bool:
    """Whether a documented base ('*/*' and 'type/*' included) covers a concrete base."""
    if documented in (wanted, "*/*"):
        return True
    return documented.endswith("/*") and wanted.split("/", 1)[0] == documented[:-2]
