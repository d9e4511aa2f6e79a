"""Path matching: concrete beats templated, multi-parameter segments, trailing slashes."""

from __future__ import annotations

import pytest

from proxy.openapi.paths import PathRouter


def router(*templates: str) -> PathRouter[str]:
    return PathRouter((template, template) for template in templates)


def test_concrete_path_beats_template() -> None:
    """`/pets/mine` is chosen over `/pets/{id}` whatever the declaration order."""
    match = router("/pets/{id}", "/pets/mine").match("/pets/mine")
    assert match is not None
    assert (match.template, match.params) == ("/pets/mine", {})


def test_template_matches_other_values() -> None:
    """A value that is not the concrete segment goes to the template, raw."""
    match = router("/pets/mine", "/pets/{id}").match("/pets/a%20b")
    assert match is not None
    assert (match.template, match.params) == ("/pets/{id}", {"id": "a%20b"})


def test_backtracks_when_concrete_branch_fails_deeper() -> None:
    """A concrete first segment that leads nowhere falls back to the templated branch."""
    match = router("/pets/mine/toys", "/pets/{id}/photos").match("/pets/mine/photos")
    assert match is not None
    assert (match.template, match.params) == ("/pets/{id}/photos", {"id": "mine"})


@pytest.mark.parametrize(
    ("template", "path", "params"),
    [
        ("/files/{name}.{ext}", "/files/report.final.pdf", {"name": "report", "ext": "final.pdf"}),
        ("/r/report-{id}.pdf", "/r/report-42.pdf", {"id": "42"}),
        ("/{a}/{b}", "/x/y", {"a": "x", "b": "y"}),
    ],
    ids=["two-params-one-segment", "param-between-literals", "two-segments"],
)
def test_several_parameter_forms(template: str, path: str, params: dict[str, str]) -> None:
    """Parameters may share a segment with literals and with each other."""
    match = router(template).match(path)
    assert match is not None
    assert match.params == params


def test_segment_with_more_literal_text_wins() -> None:
    """`report-{id}.pdf` is more specific than `{name}` in the same position."""
    match = router("/r/{name}", "/r/report-{id}.pdf").match("/r/report-7.pdf")
    assert match is not None
    assert match.template == "/r/report-{id}.pdf"


@pytest.mark.parametrize(
    ("templates", "path", "expected"),
    [
        (("/pets",), "/pets/", "/pets"),
        (("/pets/",), "/pets", "/pets/"),
        (("/pets", "/pets/"), "/pets/", "/pets/"),
        (("/",), "/", "/"),
    ],
    ids=["extra-slash", "missing-slash", "exact-slash-preferred", "root"],
)
def test_trailing_slash_is_tolerated(templates: tuple[str, ...], path: str, expected: str) -> None:
    """A trailing slash on either side still matches; an exact match is preferred."""
    match = router(*templates).match(path)
    assert match is not None
    assert match.template == expected


@pytest.mark.parametrize(
    "path",
    ["/pets/1/extra", "/other", ""],
    ids=["deeper", "unknown", "empty"],
)
def test_no_match(path: str) -> None:
    """Paths that fit no template do not match."""
    assert router("/pets/{id}", "/pets/{id}/photos").match(path) is None


def test_empty_parameter_segment_matches_without_the_parameter() -> None:
    """``/pets//photos`` matches last of all, with ``id`` left out for validation to report."""
    match = router("/pets/{id}", "/pets/{id}/photos").match("/pets//photos")
    assert match is not None
    assert (match.template, match.params) == ("/pets/{id}/photos", {})


def test_twin_templates_are_searched_for_the_wanted_value() -> None:
    """Same-shaped templates both stay; ``wanted`` picks the one that offers what is asked."""
    twins = PathRouter([("/links/{optionId}", "POST"), ("/links/{id}", "GET")])
    first = twins.match("/links/7")
    wanted = twins.match("/links/7", lambda methods: "GET" in methods)
    assert first is not None and wanted is not None
    assert (first.template, first.params) == ("/links/{optionId}", {"optionId": "7"})
    assert (wanted.template, wanted.params) == ("/links/{id}", {"id": "7"})
    assert twins.match("/links/7", lambda methods: "PUT" in methods) == first


def test_percent_encoded_literal_matches() -> None:
    """Literal segments compare after percent-decoding."""
    match = router("/a:b/c").match("/a%3Ab/c")
    assert match is not None
    assert match.template == "/a:b/c"


def test_concrete_segment_wins_across_differently_named_parameters() -> None:
    """Templates whose parameters differ only in name share a branch, so a later literal wins."""
    match = router("/a/{accountSid}/n/{sid}.json", "/a/{account}/n/Local.json").match(
        "/a/AC1/n/Local.json"
    )
    assert match is not None
    assert (match.template, match.params) == ("/a/{account}/n/Local.json", {"account": "AC1"})
