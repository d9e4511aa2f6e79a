"""What parameters, form fields and bodies are held to beyond their schemas, as Prism holds
them: allowEmptyValue, allowReserved, format byte, Swagger 2.0 formData, bodies no operation
takes; each through a real server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from yarl import URL

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec

OPENAPI = Path(__file__).with_name("forms.yaml")
SWAGGER = Path(__file__).with_name("forms_swagger.yaml")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def serve(aiohttp_client: Any, spec: Path) -> TestClient[Any, Any]:
    settings = settings_for_spec(spec)
    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(settings, build_catalog(settings))
    )
    return client


async def errors_of(response: Any) -> list[dict[str, str]]:
    """The problem's error list, after checking that it is a 422 problem."""
    assert (response.status, response.content_type) == (422, "application/problem+json")
    errors: list[dict[str, str]] = (await response.json())["errors"]
    return errors


def multipart(fields: dict[str, str], files: dict[str, bytes] | None = None) -> FormData:
    form = FormData(default_to_multipart=True)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, content in (files or {}).items():
        form.add_field(name, content, filename=f"{name}.bin")
    return form


@pytest.mark.parametrize(
    ("spec", "target", "pointer"),
    [(OPENAPI, "/search?tag=", "/query/tag"), (SWAGGER, "/lookup?code", "/query/code")],
    ids=["openapi-3", "swagger-2"],
)
async def test_empty_query_value_is_refused_where_allow_empty_value_is_false(
    aiohttp_client: Any, spec: Path, target: str, pointer: str
) -> None:
    """`?tag=` (or `?code` alone) is a 422 naming the parameter when it says allowEmptyValue: false."""
    client = await serve(aiohttp_client, spec)
    name = pointer.rsplit("/", 1)[1]
    assert await errors_of(await client.get(target)) == [
        {"pointer": pointer, "detail": f'"{name}" is empty; allowEmptyValue is false'}
    ]


async def test_empty_query_value_passes_where_allow_empty_value_is_true(
    aiohttp_client: Any,
) -> None:
    """`?page=` passes although `page` is an integer, as it allows an empty value."""
    client = await serve(aiohttp_client, OPENAPI)
    assert (await client.get("/search?page=")).status == 200


@pytest.mark.parametrize(
    ("spec", "target"),
    [(OPENAPI, "/search?q="), (SWAGGER, "/lookup?hint=")],
    ids=["openapi-3", "swagger-2"],
)
async def test_empty_query_value_is_left_to_the_schema_where_allow_empty_value_is_unset(
    aiohttp_client: Any, spec: Path, target: str
) -> None:
    """Without allowEmptyValue, an empty string parameter passes its string schema, as in Prism."""
    client = await serve(aiohttp_client, spec)
    assert (await client.get(target)).status == 200


async def test_query_value_may_hold_reserved_characters_unencoded(aiohttp_client: Any) -> None:
    """Prism does not refuse a query value's unencoded reserved characters, and neither does
    mockproxy, whatever allowReserved says: the request line arrives exactly as written."""
    client = await serve(aiohttp_client, OPENAPI)
    target = URL("/search?next=https://a.test/b?c=d@e!$'()*,;[f]", encoded=True)
    assert (await client.get(target)).status == 200


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("title=a/b?c#d", '"title" has reserved characters not percent-encoded (# / ?)'),
        (
            "title=x:y@z!$'()*,;=",
            '"title" has reserved characters not percent-encoded (! $ \' ( ) * , : ; = @)',
        ),
    ],
    ids=["gen-delims", "sub-delims"],
)
async def test_urlencoded_field_with_an_encoding_entry_refuses_reserved_characters(
    aiohttp_client: Any, body: str, detail: str
) -> None:
    """A urlencoded field whose encoding entry does not allow reserved characters is a 422
    naming the field when it holds them unencoded."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/notes", data=body, headers=FORM)
    assert await errors_of(response) == [
        {"pointer": "/body/title", "detail": f"{detail}; allowReserved is false"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        "title=a%2Fb%3Fc%23d",
        "title=two+words",
        "link=https://a.test/b?c",
        "comment=a/b?c:d",
    ],
    ids=["percent-encoded", "plus-is-a-space", "allow-reserved-true", "no-encoding-entry"],
)
async def test_urlencoded_reserved_characters_pass_where_allowed_or_encoded(
    aiohttp_client: Any, body: str
) -> None:
    """Encoded reserved characters, a `+` (form encoding's space), a field allowing reserved
    characters and a field without an encoding entry all pass."""
    client = await serve(aiohttp_client, OPENAPI)
    assert (await client.post("/notes", data=body, headers=FORM)).status == 201


async def test_multipart_text_field_refuses_reserved_characters_where_encoding_says_so(
    aiohttp_client: Any,
) -> None:
    """A multipart text part whose encoding says allowReserved: false is a 422 naming it."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/notes", data=multipart({"title": "a+b/c"}))
    assert await errors_of(response) == [
        {
            "pointer": "/body/title",
            "detail": '"title" has reserved characters not percent-encoded (+ /); '
            "allowReserved is false",
        }
    ]


async def test_multipart_file_part_is_never_judged_for_reserved_characters(
    aiohttp_client: Any,
) -> None:
    """A file's bytes are data: its encoding's allowReserved: false does not refuse them."""
    client = await serve(aiohttp_client, OPENAPI)
    form = multipart({"comment": "a/b"}, {"scan": b"%PDF-1.7 /Type /Catalog [0 1]"})
    assert (await client.post("/notes", data=form)).status == 201


@pytest.mark.parametrize("media", ["urlencoded", "multipart"])
@pytest.mark.parametrize(
    ("checksum", "status"),
    [("cmFuZG9tc3R1ZmY=", 201), ("%", 422), ("abc", 422)],
    ids=["base64", "percent-sign", "unpadded"],
)
async def test_byte_format_field_must_be_base64(
    aiohttp_client: Any, media: str, checksum: str, status: int
) -> None:
    """A `format: byte` form field that is not padded base64 is a 422 naming the field."""
    client = await serve(aiohttp_client, OPENAPI)
    fields = {"checksum": checksum}
    data = FormData(fields) if media == "urlencoded" else multipart(fields)
    response = await client.post("/notes", data=data)
    if status == 201:
        assert response.status == 201
    else:
        assert await errors_of(response) == [
            {"pointer": "/body/checksum", "detail": f'"{checksum}" is not a "byte"'}
        ]


FORM_DATA_ERRORS = [
    ({"id": "abc", "status": "open"}, "/body/id", '"abc" is not of type "integer"'),
    (
        {"id": "100", "status": "open"},
        "/body/id",
        "100 is less than or equal to the minimum of 100",
    ),
    ({"id": "101", "status": "shut"}, "/body/status", '"shut" is not one of "open" or "close"'),
    ({"status": "open"}, "/body/id", '"id" is a required property'),
    ({"id": "101", "status": "open", "token": "!"}, "/body/token", '"!" is not a "byte"'),
    (
        {"id": "101", "status": "open", "note": ""},
        "/body/note",
        '"note" is empty; allowEmptyValue is false',
    ),
]


@pytest.mark.parametrize("media", ["urlencoded", "multipart"])
@pytest.mark.parametrize(
    ("fields", "pointer", "detail"),
    FORM_DATA_ERRORS,
    ids=["type", "exclusive-minimum", "enum", "required", "byte", "empty"],
)
async def test_swagger_form_data_errors_point_at_the_field(
    aiohttp_client: Any, media: str, fields: dict[str, str], pointer: str, detail: str
) -> None:
    """A Swagger 2.0 formData field's type, bound, enum, presence, format and emptiness are
    checked, each error pointing at `/body/<field>`."""
    client = await serve(aiohttp_client, SWAGGER)
    data = FormData(fields) if media == "urlencoded" else multipart(fields)
    response = await client.post("/tickets", data=data)
    assert await errors_of(response) == [{"pointer": pointer, "detail": detail}]


async def test_swagger_form_data_field_named_alone_is_empty(aiohttp_client: Any) -> None:
    """`note` with no `=` is the field sent empty, refused by its allowEmptyValue: false."""
    client = await serve(aiohttp_client, SWAGGER)
    response = await client.post("/tickets", data="id=101&status=open&note", headers=FORM)
    assert await errors_of(response) == [
        {"pointer": "/body/note", "detail": '"note" is empty; allowEmptyValue is false'}
    ]


@pytest.mark.parametrize("media", ["urlencoded", "multipart"])
async def test_swagger_form_data_passes_when_valid_with_an_empty_field_allowed(
    aiohttp_client: Any, media: str
) -> None:
    """A valid ticket whose `memo` (allowEmptyValue: true) is empty is opened."""
    client = await serve(aiohttp_client, SWAGGER)
    fields = {"id": "101", "status": "open", "memo": "", "token": "b2s="}
    data = FormData(fields) if media == "urlencoded" else multipart(fields)
    response = await client.post("/tickets", data=data)
    assert (response.status, await response.json()) == (201, {"opened": True})


@pytest.mark.parametrize("spec", [OPENAPI, SWAGGER], ids=["openapi-3", "swagger-2"])
async def test_body_sent_to_an_operation_without_one_is_415(
    aiohttp_client: Any, spec: Path
) -> None:
    """A body to an operation that documents none is a 415 problem naming its Content-Type."""
    client = await serve(aiohttp_client, spec)
    response = await client.post("/ping", data="hello", headers={"Content-Type": "text/plain"})
    assert (response.status, response.content_type) == (415, "application/problem+json")
    assert (await response.json())["errors"] == [
        {
            "pointer": "/header/Content-Type",
            "detail": "a body of type text/plain (5 bytes) was sent, "
            "but the operation documents no request body",
        }
    ]


async def test_body_without_a_type_to_an_operation_without_one_is_415(
    aiohttp_client: Any,
) -> None:
    """A body without a Content-Type, to an operation that documents none, is a 415 too."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/ping", data=b"\x00\x01", headers={"Content-Type": ""})
    assert response.status == 415
    assert (await response.json())["errors"] == [
        {
            "pointer": "/header/Content-Type",
            "detail": "a body without a Content-Type (2 bytes) was sent, "
            "but the operation documents no request body",
        }
    ]


async def test_empty_body_with_a_type_to_an_operation_without_one_passes(
    aiohttp_client: Any,
) -> None:
    """A Content-Type with an empty body is no body: the operation answers as documented."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/ping", headers={"Content-Type": "text/plain"})
    assert response.status == 204


async def test_body_to_an_operation_without_one_gets_its_documented_415(
    aiohttp_client: Any,
) -> None:
    """Where the operation documents a 415, that answer is sent, as in Prism."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/archive", data="empty", headers={"Content-Type": "text/plain"})
    assert (response.status, await response.text()) == (415, "no body allowed")


async def test_undocumented_content_type_is_415(aiohttp_client: Any) -> None:
    """A body of a media type the operation does not document is a 415 naming both."""
    client = await serve(aiohttp_client, OPENAPI)
    response = await client.post("/notes", json={"title": "x"})
    assert (response.status, response.content_type) == (415, "application/problem+json")
    assert (await response.json())["errors"] == [
        {
            "pointer": "/header/Content-Type",
            "detail": "application/json is not a documented media type; documented: "
            "application/x-www-form-urlencoded, multipart/form-data",
        }
    ]


async def test_body_after_a_remembered_bodiless_answer_is_still_415(aiohttp_client: Any) -> None:
    """The answer kept for a bodiless request is not reused for the same request with a body."""
    client = await serve(aiohttp_client, OPENAPI)
    text = {"Content-Type": "text/plain"}
    assert [(await client.post("/ping", headers=text)).status for _ in range(2)] == [204, 204]
    assert (await client.post("/ping", data="hello", headers=text)).status == 415
    assert (await client.post("/ping", data=b"hello", headers={"Content-Type": ""})).status == 415
