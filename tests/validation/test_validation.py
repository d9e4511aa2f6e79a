"""Request validation: every parameter style, every body type, every error path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict

from proxy.openapi.loader import load_spec
from proxy.openapi.model import MediaType
from proxy.validation import FieldError, OperationValidator, RequestParts, compile_validator
from proxy.validation.bodies import NOT_READ, parse_body
from proxy.validation.params import Shape, shape_of

SPEC = load_spec(Path(__file__).with_name("styles.yaml"))
VALIDATORS: dict[str, OperationValidator] = {
    op.key: compile_validator(op, SPEC) for op in SPEC.operations
}
GOOD_PATH = {
    "id": "7",
    "tags": "1,2",
    "point": "x=1,y=2",
    "label": ".a,b",
    "matrix": ";matrix=true;matrix=false",
}
GOOD_HEADERS = {"X-Id": "095be615-a8ad-4c33-8e9c-c7612fbf6c9f"}
GOOD_COOKIES = {"session": "abc"}


def styles(
    query: str = "limit=5",
    path: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> list[FieldError]:
    parts = RequestParts(
        path_params={**GOOD_PATH, **(path or {})},
        query_string=query,
        headers=CIMultiDict({**GOOD_HEADERS, **(headers or {})}),
        cookies={**GOOD_COOKIES, **(cookies or {})},
        content_type=None,
        body=b"",
    )
    return list(VALIDATORS["styles"].validate(parts).errors)


def _documented(operation: str, media_type: str) -> tuple[MediaType, Shape | None]:
    """An operation's documented request media type, and its shape for the body readers."""
    (found,) = (op for op in SPEC.operations if op.key == operation)
    assert found.request_body is not None
    (media,) = (m for m in found.request_body.content if m.media_type == media_type)
    schema = media.schema
    return media, shape_of(schema.contents, schema.resolver) if schema else None


def body(operation: str, content_type: str | None, payload: bytes) -> tuple[int, list[FieldError]]:
    parts = RequestParts({}, "", CIMultiDict(), {}, content_type, payload)
    result = VALIDATORS[operation].validate(parts)
    return result.status, list(result.errors)


def test_valid_request_in_every_style_passes() -> None:
    """Path simple/label/matrix, every query style, header and cookie all read correctly."""
    query = (
        "limit=5&color=red,green&multi=1.5&multi=2&spaced=1%202&piped=3|4"
        "&filter[min]=1&filter[max]=9&flag=true&maybe=&json=%7B%22a%22%3A1%7D"
    )
    assert styles(query, headers={"X-List": "1, 2"}) == []


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"path": {"id": "0"}}, [FieldError("/path/id", "0 is less than the minimum of 1")]),
        ({"path": {"id": "x"}}, [FieldError("/path/id", '"x" is not of type "integer"')]),
        ({"path": {"tags": "1,b"}}, [FieldError("/path/tags/1", '"b" is not of type "integer"')]),
        (
            {"path": {"point": "x=1,y=z"}},
            [FieldError("/path/point/y", '"z" is not of type "integer"')],
        ),
        (
            {"path": {"matrix": ";matrix=yes"}},
            [FieldError("/path/matrix/0", '"yes" is not of type "boolean"')],
        ),
        (
            {"query": "limit=500"},
            [FieldError("/query/limit", "500 is greater than the maximum of 100")],
        ),
        (
            {"query": ""},
            [FieldError("/query/limit", 'required query parameter "limit" is missing')],
        ),
        (
            {"query": "limit=1&color=red,blue"},
            [FieldError("/query/color/1", '"blue" is not one of "red" or "green"')],
        ),
        (
            {"query": "limit=1&multi=1&multi=x"},
            [FieldError("/query/multi/1", '"x" is not of type "number"')],
        ),
        (
            {"query": "limit=1&spaced=1+x"},
            [FieldError("/query/spaced/1", '"x" is not of type "integer"')],
        ),
        (
            {"query": "limit=1&piped=1|x"},
            [FieldError("/query/piped/1", '"x" is not of type "integer"')],
        ),
        (
            {"query": "limit=1&filter[min]=a"},
            [FieldError("/query/filter/min", '"a" is not of type "integer"')],
        ),
        (
            {"query": "limit=1&flag=yes"},
            [FieldError("/query/flag", '"yes" is not of type "boolean"')],
        ),
        (
            {"query": "limit=1&json=%7B%7D"},
            [FieldError("/query/json/a", '"a" is a required property')],
        ),
        (
            {"query": "limit=1&json=" + "[" * 2000 + "]" * 2000},
            [FieldError("/query/json", "cannot be read: nested too deeply")],
        ),
        ({"headers": {"X-Id": "nope"}}, [FieldError("/header/X-Id", '"nope" is not a "uuid"')]),
        (
            {"headers": {"X-List": "1,a"}},
            [FieldError("/header/X-List/1", '"a" is not of type "integer"')],
        ),
        (
            {"cookies": {"session": "ab"}},
            [FieldError("/cookie/session", '"ab" is shorter than 3 characters')],
        ),
    ],
    ids=[
        "path-minimum",
        "path-type",
        "path-array",
        "path-object-explode",
        "path-matrix",
        "query-maximum",
        "query-required",
        "query-form-no-explode",
        "query-form-explode",
        "query-space",
        "query-pipe",
        "query-deep-object",
        "query-boolean",
        "query-content",
        "query-content-too-deep",
        "header-format",
        "header-array",
        "cookie",
    ],
)
def test_each_parameter_error_is_located(kwargs: dict[str, Any], errors: list[FieldError]) -> None:
    """Each parameter error names its location and what is wrong."""
    assert styles(**kwargs) == errors


def test_all_errors_are_reported_at_once() -> None:
    """Errors in path, query, header and cookie come back together."""
    found = styles("limit=500", path={"id": "0"}, headers={"X-Id": "x"}, cookies={"session": "a"})
    assert [e.pointer for e in found] == [
        "/path/id",
        "/query/limit",
        "/header/X-Id",
        "/cookie/session",
    ]


def test_empty_value_allowed_when_documented() -> None:
    """allowEmptyValue lets `maybe=` through although it is not an integer."""
    assert styles("limit=1&maybe=") == []


BODY_CASES: list[tuple[str | None, bytes, int, list[FieldError]]] = [
    ("application/json", b'{"kind": "cat", "name": "Tom"}', 200, []),
    (
        "application/json; charset=utf-8",
        b'{"kind": "dog", "name": "Rex", "born": "2020-02-30"}',
        422,
        [FieldError("/body/born", '"2020-02-30" is not a "date"')],
    ),
    (
        "application/json",
        b'{"kind": "cat", "name": "Tom", "lives": 12}',
        422,
        [FieldError("/body/lives", "12 is greater than the maximum of 9")],
    ),
    (
        "application/json",
        b'{"kind": "bird", "name": "Tweety"}',
        422,
        [FieldError("/body/kind", '"bird" is not one of "cat", "dog" or 2 other candidates')],
    ),
    (
        "application/json",
        b'{"kind": "cat", "name": "Tom", "id": 3}',
        422,
        [FieldError("/body/id", '"id" is readOnly: it must not be sent in a request')],
    ),
    (
        "application/json",
        b'{"kind": "cat"',
        400,
        [FieldError("/body", "malformed JSON at line 1 column 15: unexpected end of data")],
    ),
    (
        "application/xml",
        b"<pet/>",
        415,
        [
            FieldError(
                "/header/Content-Type",
                "application/xml is not a documented media type; "
                "documented: application/json, application/x-www-form-urlencoded, "
                "multipart/form-data, text/plain",
            )
        ],
    ),
    (None, b"{}", 415, [FieldError("/header/Content-Type", "Content-Type is missing")]),
    ("application/json", b"", 400, [FieldError("/body", "a request body is required")]),
    ("application/x-www-form-urlencoded", b"name=Tom&age=3&tags=a&tags=b", 200, []),
    (
        "application/x-www-form-urlencoded",
        b"age=x",
        422,
        [
            FieldError("/body/name", '"name" is a required property'),
            FieldError("/body/age", '"x" is not of type "integer"'),
        ],
    ),
    ("text/plain", b"hello", 200, []),
    (
        "text/plain",
        b"too long",
        422,
        [FieldError("/body", '"too long" is longer than 5 characters')],
    ),
]
BODY_CASE_IDS = [
    "json-valid",
    "json-format",
    "json-maximum",
    "discriminator-unknown",
    "read-only",
    "json-malformed",
    "unsupported-type",
    "no-content-type",
    "required-body",
    "form-valid",
    "form-invalid",
    "text-valid",
    "text-invalid",
]


@pytest.mark.parametrize(
    ("content_type", "payload", "status", "errors"), BODY_CASES, ids=BODY_CASE_IDS
)
def test_bodies(
    content_type: str | None, payload: bytes, status: int, errors: list[FieldError]
) -> None:
    """Each body type is parsed and validated, with the right status for each failure."""
    found_status, found_errors = body("createPet", content_type, payload)
    assert (found_status, found_errors) == (status, errors)


TYPED_BODY_CASES = [
    pytest.param(*case, id=case_id)
    for case, case_id in zip(BODY_CASES, BODY_CASE_IDS, strict=True)
    if case[0] is not None  # no Content-Type, no remembered answer to check a body for
]


@pytest.mark.parametrize(("content_type", "payload", "status", "errors"), TYPED_BODY_CASES)
def test_the_body_verdict_agrees_with_validation(
    content_type: str, payload: bytes, status: int, errors: list[FieldError]
) -> None:
    """``body_passes`` (the remembered answers' check) passes exactly the bodies validation
    passes, once validation has met their Content-Type; before that it passes none."""
    validator = compile_validator(next(op for op in SPEC.operations if op.key == "createPet"), SPEC)
    assert validator.body_passes(content_type, payload) is None
    result = validator.validate(RequestParts({}, "", CIMultiDict(), {}, content_type, payload))
    assert result.status == status
    passed = validator.body_passes(content_type, payload)
    assert (passed is not None) is (status == 200 and payload != b"")


@pytest.mark.parametrize(
    ("content_type", "payload", "json_body"),
    [
        ("application/json", b'{"kind": "cat", "name": "Tom"}', {"kind": "cat", "name": "Tom"}),
        ("application/x-www-form-urlencoded", b"kind=cat&name=Tom", NOT_READ),
    ],
    ids=["json", "form"],
)
def test_a_valid_body_comes_back_as_read_only_when_json(
    content_type: str, payload: bytes, json_body: Any
) -> None:
    """Both verdicts hand back a valid JSON body as read (for callbacks), other types not."""
    validator = compile_validator(next(op for op in SPEC.operations if op.key == "createPet"), SPEC)
    result = validator.validate(RequestParts({}, "", CIMultiDict(), {}, content_type, payload))
    passed = validator.body_passes(content_type, payload)
    assert result.valid and passed is not None
    assert result.json_body == passed.json_body == json_body  # NOT_READ compares by identity


def multipart(parts: list[tuple[str, str, bytes, str | None]]) -> tuple[str, bytes]:
    boundary = "XyZ"
    chunks = []
    for name, content_type, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return f"multipart/form-data; boundary={boundary}", b"".join(
        chunks
    ) + f"--{boundary}--\r\n".encode()


def test_multipart_with_json_part_and_file() -> None:
    """A multipart body with an encoded JSON part and a file validates."""
    content_type, payload = multipart(
        [
            ("meta", "text/plain", b'{"name": "Tom"}', None),
            ("file", "image/png", b"\x89PNG", "a.png"),
            ("count", "text/plain", b"3", None),
        ]
    )
    assert body("createPet", content_type, payload) == (200, [])
    value = parse_body(payload, content_type, *_documented("createPet", "multipart/form-data"))
    assert value == {"meta": {"name": "Tom"}, "file": "\x89PNG", "count": 3}


def test_multipart_errors_point_into_parts() -> None:
    """A bad JSON part and a missing part are both reported."""
    content_type, payload = multipart([("meta", "text/plain", b'{"nom": 1}', None)])
    status, errors = body("createPet", content_type, payload)
    assert status == 422
    assert errors == [
        FieldError("/body/file", '"file" is a required property'),
        FieldError("/body/meta/name", '"name" is a required property'),
    ]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (b'{"size": null, "note": null}', []),
        (b'{"size": "L"}', [FieldError("/body/size", '"L" is not one of "S", "M" or null')]),
        (b'{"note": 5}', [FieldError("/body/note", '5 is not of types "null", "string"')]),
    ],
    ids=["nulls-allowed", "enum-with-null", "nullable-type"],
)
def test_openapi_30_nullable(payload: bytes, errors: list[FieldError]) -> None:
    """3.0 `nullable`, also with an enum that lists null, validates as 3.0 means."""
    assert body("nullable", "application/json", payload)[1] == errors


def test_a_json_null_body_is_validated_like_any_value() -> None:
    """`null` is a JSON value, not an absent body: against an object schema it is invalid."""
    status, errors = body("createPet", "application/json", b"null")
    assert status == 422
    assert [error.pointer for error in errors] == ["/body"]


def test_optional_body_may_be_absent() -> None:
    """An operation whose body is optional accepts an empty request."""
    assert body("nullable", None, b"") == (200, [])


def test_unvalidatable_body_is_a_clear_not_supported() -> None:
    """An XML body with a schema is never passed silently: it is 'not supported' (501)."""
    from proxy.openapi.model import MediaType, Operation, RequestBody, Response

    documented = SPEC.operations[1].request_body
    assert documented is not None
    media = next(m for m in documented.content if m.media_type == "application/json")
    operation = Operation(
        "POST",
        "/x",
        "x",
        "x",
        request_body=RequestBody(True, (MediaType("application/xml", media.schema),)),
        responses=(Response("200", "ok"),),
    )
    validator = compile_validator(operation, SPEC)
    parts = RequestParts({}, "", CIMultiDict(), {}, "application/xml", b"<pet/>")
    result = validator.validate(parts)
    assert (result.status, result.errors) == (
        501,
        (
            FieldError(
                "/body", "not supported: validating application/xml request bodies against a schema"
            ),
        ),
    )
