"""Bodies as bytes per media type: JSON, text, XML with the `xml` object, form, binary."""

from __future__ import annotations

from typing import Any

import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from proxy.mock.render import render_body
from proxy.openapi.model import Schema

URI = "file:///render/spec.json"
DOCUMENT = {
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "xml": {"name": "pet", "prefix": "p", "namespace": "urn:pets"},
                "properties": {
                    "id": {"type": "integer", "xml": {"attribute": True}},
                    "name": {"type": "string"},
                    "tags": {
                        "type": "array",
                        "xml": {"wrapped": True},
                        "items": {"type": "string", "xml": {"name": "tag"}},
                    },
                },
            }
        }
    },
    "wrapper": {"$ref": "#/components/schemas/Pet"},
}
REGISTRY: Registry[Any] = Registry().with_resource(URI, DRAFT202012.create_resource(DOCUMENT))
PET_REF = Schema(DOCUMENT["wrapper"], REGISTRY.resolver(base_uri=URI), URI + "#/wrapper")


@pytest.mark.parametrize(
    ("value", "media_type", "expected"),
    [
        (
            {"a": "ü", "b": [1, True, None]},
            "application/json",
            '{"a":"ü","b":[1,true,null]}'.encode(),
        ),
        ({"a": 1}, "application/problem+json; charset=utf-8", b'{"a":1}'),
        ("plain", "text/plain", b"plain"),
        (True, "text/plain", b"true"),
        ({"a": [1]}, "text/plain", b'{"a":[1]}'),
        ({"name": "Tom", "age": 3}, "application/x-www-form-urlencoded", b"name=Tom&age=3"),
        ("raw bytes", "application/octet-stream", b"raw bytes"),
    ],
    ids=["json", "problem-json", "text", "text-bool", "text-structure", "form", "binary-string"],
)
def test_render(value: Any, media_type: str, expected: bytes) -> None:
    """Each media type gets its natural encoding."""
    assert render_body(value, media_type, None) == expected


def test_xml_honours_the_xml_object() -> None:
    """Element names, attributes, wrapped arrays, prefix and namespace come from `xml`."""
    body = render_body({"id": 7, "name": "Tom", "tags": ["a", "b"]}, "application/xml", PET_REF)
    assert body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<p:pet xmlns:p="urn:pets" id="7"><name>Tom</name><tags><tag>a</tag><tag>b</tag></tags></p:pet>'
    )


@pytest.mark.parametrize(
    ("media_type", "magic"),
    [("image/png", b"\x89PNG"), ("application/pdf", b"%PDF-")],
    ids=["png", "pdf"],
)
def test_binary_types_get_real_files(media_type: str, magic: bytes) -> None:
    """PNG and PDF mocks open in real viewers: deterministic, valid headers."""
    assert render_body({"not": "used"}, media_type, None).startswith(magic)
