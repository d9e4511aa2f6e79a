"""Values to bytes for a media type: JSON, text, XML (with the `xml` object), form, binary."""

from __future__ import annotations

import json
from typing import Any, Final
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from proxy.media_types import media_base, written_as_json
from proxy.openapi.model import Schema

__all__ = ["render_body", "render_json"]

# A tiny valid PNG (1x1, transparent) and PDF, so binary mocks open in real viewers.
_PNG: Final = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
_PDF: Final = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def render_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, keys in schema order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def render_body(value: Any, media_type: str, schema: Schema | None) -> bytes:
    """The bytes of ``value`` sent as ``media_type``."""
    base = media_base(media_type)
    if written_as_json(base):
        return render_json(value)
    if base.endswith(("/xml", "+xml")):
        return _xml(value, schema)
    if base == "application/x-www-form-urlencoded" and isinstance(value, dict):
        return urlencode({k: _scalar_text(v) for k, v in value.items()}).encode()
    if base.startswith("text/"):
        return _text(value).encode()
    return _binary(value, base)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _text(value: Any) -> str:
    return _scalar_text(value)


def _binary(value: Any, base: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if base == "image/png":
        return _PNG
    if base == "application/pdf":
        return _PDF
    if isinstance(value, str):
        return value.encode()
    return render_json(value)


def _xml(value: Any, schema: Schema | None) -> bytes:
    contents = schema.contents if schema is not None else {}
    root_schema, name = _xml_root(contents, schema)
    body = _element(name, value, root_schema, schema)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def _xml_root(contents: Any, schema: Schema | None) -> tuple[Any, str]:
    node = contents
    name = "root"
    if isinstance(node, dict) and "$ref" in node and schema is not None:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        node = schema.resolver.lookup(node["$ref"]).contents
    if isinstance(node, dict) and isinstance(node.get("xml"), dict) and node["xml"].get("name"):
        name = str(node["xml"]["name"])
    return node, name


def _resolve(node: Any, schema: Schema | None) -> Any:
    if isinstance(node, dict) and "$ref" in node and schema is not None:
        try:
            return schema.resolver.lookup(node["$ref"]).contents
        except Exception:  # an unresolvable ref only costs the XML hints
            return {}
    return node


def _element(name: str, value: Any, node: Any, schema: Schema | None) -> str:
    node = _resolve(node, schema)
    xml = node.get("xml", {}) if isinstance(node, dict) else {}
    prefix = xml.get("prefix")
    tag = f"{prefix}:{name}" if prefix else name
    namespace = xml.get("namespace")
    ns_attr = f" xmlns{':' + prefix if prefix else ''}={quoteattr(namespace)}" if namespace else ""
    if isinstance(value, dict):
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        attributes, children = [], []
        for key, item in value.items():
            child = _resolve(properties.get(key, {}), schema)
            child_xml = child.get("xml", {}) if isinstance(child, dict) else {}
            child_name = str(child_xml.get("name", key))
            if child_xml.get("attribute"):
                attributes.append(f" {child_name}={quoteattr(_scalar_text(item))}")
            else:
                children.append(_element(child_name, item, child, schema))
        return f"<{tag}{ns_attr}{''.join(attributes)}>{''.join(children)}</{tag}>"
    if isinstance(value, list):
        items = node.get("items", {}) if isinstance(node, dict) else {}
        item_node = _resolve(items, schema)
        item_xml = item_node.get("xml", {}) if isinstance(item_node, dict) else {}
        item_name = str(item_xml.get("name", name))
        inner = "".join(_element(item_name, item, item_node, schema) for item in value)
        if xml.get("wrapped"):
            return f"<{tag}{ns_attr}>{inner}</{tag}>"
        return inner
    return f"<{tag}{ns_attr}>{escape(_scalar_text(value))}</{tag}>"
