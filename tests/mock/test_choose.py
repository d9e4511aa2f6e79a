"""Response choice: default status, forced codes, named examples and content negotiation."""

from __future__ import annotations

import pytest

from proxy.mock.choose import choose_media_type, choose_response, parse_accept
from proxy.mock.prefer import Preferences
from proxy.openapi.model import Example, MediaType, Operation, Response
from proxy.problems import ProblemError


def json_media(*names: str) -> MediaType:
    return MediaType("application/json", None, examples=tuple(Example(n, {"n": n}) for n in names))


def operation(*responses: Response) -> Operation:
    return Operation("GET", "/x", "getX", "getX", responses=responses)


FAX = operation(
    Response("500", "error", content=(json_media("internal"),)),
    Response("201", "created", content=(json_media("accepted", "acceptedExpress"),)),
    Response("404", "missing", content=(json_media("unknownJob"),)),
    Response("200", "ok", content=(json_media(),)),
)


@pytest.mark.parametrize(
    ("responses", "status"),
    [
        ((Response("404", ""), Response("201", ""), Response("200", "")), 200),
        ((Response("default", ""), Response("2XX", "")), 200),
        ((Response("default", ""), Response("404", "")), 200),
        ((Response("404", ""), Response("302", "")), 302),
    ],
    ids=["lowest-2xx", "range", "default-before-errors", "lowest-otherwise"],
)
def test_default_status(responses: tuple[Response, ...], status: int) -> None:
    """Without preferences: the lowest 2xx, then default, then the lowest documented code."""
    assert choose_response(operation(*responses), Preferences()).status == status


@pytest.mark.parametrize(
    ("responses", "status", "documented"),
    [
        ((Response("2XX", ""), Response("201", "")), 201, "201"),
        ((Response("5XX", ""), Response("4XX", "")), 400, "4XX"),
        ((Response("4XX", ""), Response("404", "")), 404, "404"),
        ((Response("500", ""), Response("4XX", "")), 400, "4XX"),
    ],
    ids=["exact-2xx-before-2XX", "lowest-range", "exact-before-its-range", "range-before-5xx"],
)
def test_range_codes_without_preferences(
    responses: tuple[Response, ...], status: int, documented: str
) -> None:
    """An exact code beats its range; with no 2xx the lowest class is chosen."""
    choice = choose_response(operation(*responses), Preferences())
    assert (choice.status, choice.response.status) == (status, documented)


def test_forced_code_must_be_documented() -> None:
    """An undocumented code is a 404 problem (as in Prism) naming the documented ones."""
    with pytest.raises(ProblemError) as raised:
        choose_response(FAX, Preferences(code="418"))
    assert raised.value.status == 404
    assert raised.value.extensions["documented_codes"] == ["500", "201", "404", "200"]


@pytest.mark.parametrize(
    ("responses", "code", "status", "documented"),
    [
        ((Response("4XX", ""),), "404", 404, "4XX"),
        ((Response("default", ""),), "503", 503, "default"),
        ((Response("404", ""), Response("4XX", "")), "404", 404, "404"),
    ],
    ids=["range", "default", "exact-before-range"],
)
def test_forced_code_uses_range_and_default(
    responses: tuple[Response, ...], code: str, status: int, documented: str
) -> None:
    """A code covered by a range or by default is sent with the code asked for."""
    choice = choose_response(operation(*responses), Preferences(code=code))
    assert (choice.status, choice.response.status) == (status, documented)


def test_example_alone_picks_its_response() -> None:
    """A named example found in another response selects that response's status."""
    choice = choose_response(FAX, Preferences(example="unknownJob"))
    assert (choice.status, choice.example_name) == (404, "unknownJob")


def test_example_with_code_must_be_in_that_response() -> None:
    """An example name not in the forced response is a problem listing that response's names."""
    with pytest.raises(ProblemError) as raised:
        choose_response(FAX, Preferences(code="201", example="unknownJob"))
    assert raised.value.extensions["available_examples"] == ["accepted", "acceptedExpress"]


def test_unknown_example_lists_all_names() -> None:
    """Without a code, the problem lists every example with its status."""
    with pytest.raises(ProblemError) as raised:
        choose_response(FAX, Preferences(example="nope"))
    assert raised.value.extensions["available_examples"] == [
        "500:internal",
        "201:accepted",
        "201:acceptedExpress",
        "404:unknownJob",
    ]


CONTENT = (
    MediaType("application/xml", None),
    MediaType("application/json", None),
    MediaType("text/plain", None),
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/xml", "application/xml"),
        ("text/*", "text/plain"),
        ("application/xml;q=0.5, text/plain", "text/plain"),
        ("image/png", None),
        ("application/json;q=0, */*;q=0.1", "application/xml"),
    ],
    ids=["none", "any", "exact", "wildcard", "q-values", "unacceptable", "q-zero"],
)
def test_content_negotiation(accept: str | None, expected: str | None) -> None:
    """Accept picks among documented types; JSON wins ties; nothing fitting gives None."""
    chosen = choose_media_type(CONTENT, parse_accept(accept))
    assert (chosen.media_type if chosen else None) == expected
