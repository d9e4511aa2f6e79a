"""Simulated authentication: presence of the credential the spec requires, never its value."""

from __future__ import annotations

import pytest

from proxy.openapi.model import ParameterLocation, SecurityScheme, SecuritySchemeKind
from proxy.security import Credentials, compile_security_check

SCHEMES = {
    "httpBasicAuth": SecurityScheme("httpBasicAuth", SecuritySchemeKind.HTTP, scheme="basic"),
    "bearerAuth": SecurityScheme("bearerAuth", SecuritySchemeKind.HTTP, scheme="bearer"),
    "oauth": SecurityScheme("oauth", SecuritySchemeKind.OAUTH2),
    "headerKey": SecurityScheme(
        "headerKey",
        SecuritySchemeKind.API_KEY,
        parameter_name="X-Api-Key",
        location=ParameterLocation.HEADER,
    ),
    "queryKey": SecurityScheme(
        "queryKey",
        SecuritySchemeKind.API_KEY,
        parameter_name="api_key",
        location=ParameterLocation.QUERY,
    ),
    "cookieKey": SecurityScheme(
        "cookieKey",
        SecuritySchemeKind.API_KEY,
        parameter_name="session",
        location=ParameterLocation.COOKIE,
    ),
}


def credentials(
    authorization: str | None = None,
    headers: tuple[str, ...] = (),
    query: tuple[str, ...] = (),
    cookies: tuple[str, ...] = (),
) -> Credentials:
    return Credentials(authorization, frozenset(headers), frozenset(query), frozenset(cookies))


@pytest.mark.parametrize(
    ("scheme", "present", "absent"),
    [
        ("httpBasicAuth", credentials("Basic dXNlcjpwYXNz"), credentials("Bearer abc")),
        ("bearerAuth", credentials("bearer anything"), credentials("Basic abc")),
        ("oauth", credentials("Bearer t"), credentials()),
        ("headerKey", credentials(headers=("x-api-key",)), credentials(headers=("x-other",))),
        ("queryKey", credentials(query=("api_key",)), credentials(query=("API_KEY",))),
        ("cookieKey", credentials(cookies=("session",)), credentials(headers=("cookie",))),
    ],
    ids=["basic", "bearer", "oauth2", "header-key", "query-key", "cookie-key"],
)
def test_each_scheme_needs_its_credential(
    scheme: str, present: Credentials, absent: Credentials
) -> None:
    """A credential of the right shape passes, whatever its value; anything else does not."""
    check = compile_security_check(((scheme,),), SCHEMES)
    assert (check.satisfied(present), check.satisfied(absent)) == (True, False)


def test_alternatives_are_or() -> None:
    """Any one alternative is enough."""
    check = compile_security_check((("httpBasicAuth",), ("headerKey",)), SCHEMES)
    assert check.satisfied(credentials(headers=("x-api-key",)))


def test_schemes_in_one_requirement_are_and() -> None:
    """All schemes of one requirement must be present together."""
    check = compile_security_check((("headerKey", "queryKey"),), SCHEMES)
    assert not check.satisfied(credentials(headers=("x-api-key",)))
    assert check.satisfied(credentials(headers=("x-api-key",), query=("api_key",)))


def test_empty_alternative_allows_anonymous() -> None:
    """`security: [{}, {httpBasicAuth: []}]` makes credentials optional."""
    check = compile_security_check(((), ("httpBasicAuth",)), SCHEMES)
    assert not check.required
    assert check.satisfied(credentials())


def test_no_security_needs_nothing() -> None:
    """An operation without security accepts anonymous calls."""
    assert compile_security_check((), SCHEMES).satisfied(credentials())


def test_message_and_challenges_name_the_schemes() -> None:
    """The 401 message lists the scheme names; each scheme gets a WWW-Authenticate challenge."""
    check = compile_security_check((("httpBasicAuth",), ("bearerAuth", "headerKey")), SCHEMES)
    assert check.message() == (
        "Not authenticated. Supported authentication types: httpBasicAuth, bearerAuth, headerKey."
    )
    assert check.challenges == (
        'Basic realm="mockproxy"',
        'Bearer realm="mockproxy"',
        'ApiKey realm="mockproxy", header="X-Api-Key"',
    )


@pytest.mark.parametrize(
    ("alternatives", "authorization", "expected"),
    [
        ((("httpBasicAuth",),), "Basic dXNlcjpwYXNz", True),
        ((("httpBasicAuth",),), "basic bm9ib2R5Og==", True),
        ((("httpBasicAuth",),), "Basic abc123", False),
        ((("httpBasicAuth",),), "Basic YWJjMTIz", False),
        ((("httpBasicAuth",),), "Bearer t", False),
        ((("bearerAuth",),), "Bearer ", False),
        ((("httpBasicAuth",),), None, False),
        ((("httpBasicAuth",), ("oauth",)), "Bearer t", True),
        ((("httpBasicAuth",), ("oauth",)), "Digest x", False),
    ],
    ids=[
        "basic",
        "basic-lower",
        "basic-not-base64",
        "basic-without-colon",
        "wrong-scheme",
        "bearer-empty",
        "missing",
        "either-bearer",
        "either-neither",
    ],
)
def test_authorization_alone_decides_where_it_can(
    alternatives: tuple[tuple[str, ...], ...], authorization: str | None, expected: bool
) -> None:
    """Schemes that all live in Authorization are decided from that header, as `satisfied` would:
    the scheme and the form of its credential (Basic is base64 of id:password), never its value."""
    check = compile_security_check(alternatives, SCHEMES)
    assert check.authorization_prefixes

    def no_credentials(_request: object) -> Credentials:
        raise AssertionError("the Authorization header alone should decide")

    assert check.satisfied_by(authorization, no_credentials, None) is expected
    assert check.satisfied(credentials(authorization)) is expected


@pytest.mark.parametrize(
    "alternatives",
    [(("headerKey",),), (("httpBasicAuth", "headerKey"),), (("httpBasicAuth",), ())],
    ids=["api-key", "two-schemes-together", "anonymous-allowed"],
)
def test_other_schemes_read_the_whole_request(alternatives: tuple[tuple[str, ...], ...]) -> None:
    """API keys, combined schemes and optional security are not decided by Authorization alone."""
    check = compile_security_check(alternatives, SCHEMES)
    assert check.authorization_prefixes == ()
    present = credentials("Basic dXNlcjpwYXNz", headers=("x-api-key",))
    assert check.satisfied_by("Basic dXNlcjpwYXNz", lambda _request: present, None) is True
