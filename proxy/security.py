"""Authentication, simulated: required credentials must be present; their values are never checked.

OpenAPI security is a list of alternatives (OR), each naming schemes that must all be present
(AND); an empty alternative allows anonymous calls. A credential "is present" when it has the
right form, as Prism checks it: ``Authorization: Basic <base64 of id:password>`` for HTTP
basic, ``Authorization: Bearer <token>`` (not empty) for bearer, OAuth 2 and OpenID Connect,
``Digest <parameters>`` for digest, the named header, query parameter or cookie for an API key.
Mutual TLS cannot be seen from here and counts as present.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

from proxy.openapi.model import (
    ParameterLocation,
    SecurityRequirement,
    SecurityScheme,
    SecuritySchemeKind,
)

__all__ = ["Credentials", "SecurityCheck", "compile_security_check"]

_Request = TypeVar("_Request")
_BEARER_KINDS: Final = frozenset({SecuritySchemeKind.OAUTH2, SecuritySchemeKind.OPEN_ID_CONNECT})


@dataclass(slots=True)  # one per request: a frozen __init__ costs more than it guards
class Credentials:
    """What a request carries that could be a credential.

    ``header_names`` must answer ``in`` case-insensitively (a CIMultiDict does); the others
    are any containers of names, read only when a scheme asks.
    """

    authorization: str | None
    header_names: Container[str]
    query_names: Container[str]
    cookie_names: Container[str]


@dataclass(frozen=True, slots=True)
class _Need:
    """One scheme reduced to a test: a location and a name or an Authorization prefix."""

    location: str
    name: str

    def present(self, credentials: Credentials) -> bool:
        if self.location == "authorization":
            return _well_formed(credentials.authorization, (self.name,))
        if self.location == "header":
            return self.name in credentials.header_names
        if self.location == "query":
            return self.name in credentials.query_names
        if self.location == "cookie":
            return self.name in credentials.cookie_names
        return True


def _well_formed(authorization: str | None, prefixes: tuple[str, ...]) -> bool:
    """Whether ``authorization`` is one of the schemes (lower-case ``"basic "`` prefixes) with a
    credential of that scheme's form; its value is never checked."""
    if authorization is None:
        return False
    lowered = authorization.lower()
    for prefix in prefixes:
        if not lowered.startswith(prefix):
            continue
        credential = authorization[len(prefix) :].strip()
        if prefix != "basic ":
            return bool(credential)
        try:  # strict: only the base64 alphabet, padded (RFC 4648), as b64decode(validate=True)
            decoded = binascii.a2b_base64(credential, strict_mode=True)
        except (binascii.Error, ValueError):
            return False
        return b":" in decoded
    return False


def _need_for(scheme: SecurityScheme | None) -> _Need:
    if scheme is None:
        return _Need("none", "")
    if scheme.kind is SecuritySchemeKind.HTTP:
        return _Need("authorization", f"{(scheme.scheme or 'basic').lower()} ")
    if scheme.kind in _BEARER_KINDS:
        return _Need("authorization", "bearer ")
    if scheme.kind is SecuritySchemeKind.API_KEY and scheme.parameter_name:
        location = scheme.location or ParameterLocation.HEADER
        name = scheme.parameter_name
        return _Need(location.value, name.lower() if location is ParameterLocation.HEADER else name)
    return _Need("none", "")


def _challenge(scheme: SecurityScheme | None) -> str | None:
    """A WWW-Authenticate challenge for the scheme (RFC 9110 11.6.1)."""
    if scheme is None:
        return None
    if scheme.kind is SecuritySchemeKind.HTTP:
        name = (scheme.scheme or "basic").capitalize()
        return f'{name} realm="mockproxy"'
    if scheme.kind in _BEARER_KINDS:
        return 'Bearer realm="mockproxy"'
    if scheme.kind is SecuritySchemeKind.API_KEY and scheme.parameter_name:
        where = (scheme.location or ParameterLocation.HEADER).value
        return f'ApiKey realm="mockproxy", {where}="{scheme.parameter_name}"'
    return None


@dataclass(frozen=True, slots=True)
class SecurityCheck:
    """An operation's security, compiled at load: ``satisfied`` runs per request.

    ``authorization_prefixes`` is set when every alternative is one ``Authorization`` scheme
    (HTTP basic or bearer, OAuth 2, OpenID Connect: nearly every API): then the Authorization
    header alone decides, with one ``startswith``.
    """

    alternatives: tuple[tuple[_Need, ...], ...]
    scheme_names: tuple[str, ...]
    challenges: tuple[str, ...]
    required: bool = field(init=False)
    authorization_prefixes: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        required = bool(self.alternatives) and all(self.alternatives)
        object.__setattr__(self, "required", required)
        single = [alt[0] for alt in self.alternatives if len(alt) == 1]
        prefixes = tuple(need.name for need in single if need.location == "authorization")
        complete = required and len(prefixes) == len(self.alternatives)
        object.__setattr__(self, "authorization_prefixes", prefixes if complete else ())

    def satisfied(self, credentials: Credentials) -> bool:
        if not self.required:
            return True
        return any(all(need.present(credentials) for need in alt) for alt in self.alternatives)

    def satisfied_by(
        self,
        authorization: str | None,
        credentials: Callable[[_Request], Credentials],
        request: _Request,
    ) -> bool:
        """``satisfied``, deciding from the Authorization header alone where it can;
        ``credentials(request)`` is called only when a scheme needs more of the request."""
        if not self.required:
            return True
        if self.authorization_prefixes:
            return _well_formed(authorization, self.authorization_prefixes)
        return self.satisfied(credentials(request))

    def message(self) -> str:
        names = ", ".join(self.scheme_names)
        return f"Not authenticated. Supported authentication types: {names}."


def compile_security_check(
    requirements: tuple[SecurityRequirement, ...], schemes: Mapping[str, SecurityScheme]
) -> SecurityCheck:
    """Reduce an operation's effective security to per-request presence tests."""
    names: list[str] = []
    for alternative in requirements:
        names.extend(name for name in alternative if name not in names)
    challenges = [c for c in (_challenge(schemes.get(name)) for name in names) if c]
    return SecurityCheck(
        alternatives=tuple(
            tuple(_need_for(schemes.get(name)) for name in alternative)
            for alternative in requirements
        ),
        scheme_names=tuple(names),
        challenges=tuple(dict.fromkeys(challenges)),
    )
