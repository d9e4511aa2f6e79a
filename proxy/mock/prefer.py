"""What the client asks the mock for: ``Prefer`` preferences and their ``__`` query twins.

Prism's conventions: ``Prefer: code=404, example=accepted, dynamic=true`` or the query
parameters ``__code``, ``__example``, ``__dynamic``; mockproxy adds ``seed`` and ``validate``.
A Prefer preference wins over its query form. The ``__`` parameters are the mock's, not the
API's: ``control.strip_control_parameters`` removes them before the query is validated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, NamedTuple
from urllib.parse import parse_qsl

from proxy.config_reader import FALSE_WORDS, TRUE_WORDS
from proxy.control import CONTROL_PREFIX as _QUERY_PREFIX
from proxy.problems import ProblemError

__all__ = ["PREFER", "Preferences", "flag", "parse_preferences", "preference_pairs"]

PREFER: Final = "Prefer"

_KNOWN: Final = frozenset({"code", "example", "dynamic", "seed", "validate"})
_TRUE: Final = TRUE_WORDS | {""}  # a bare flag (``Prefer: dynamic``) says true
_FINAL_STATUS: Final = re.compile("[2-5][0-9][0-9]")
"""A status that can end an answer: ``default`` takes any code, but 000 or 999 are no HTTP
status and a 1xx is interim (the client goes on waiting for the final one)."""


class Preferences(NamedTuple):
    """The client's wishes; ``None`` means "not asked" (the config's default applies).

    A tuple: it is part of the reply cache's key, and a tuple hashes in C.
    """

    code: str | None = None
    example: str | None = None
    dynamic: bool | None = None
    seed: int | None = None
    validate: bool | None = None


def preference_pairs(
    prefer_headers: Iterable[str], query_string: str, names: frozenset[str]
) -> dict[str, tuple[str, str]]:
    """The preferences among ``names`` the client stated: name -> (value, where it was said).

    RFC 7240's ``token[=value][; params]``, comma-separated, in any ``Prefer`` header, then
    the ``__name`` query parameters; the first statement of a name wins, a Prefer one over
    its query twin.
    """
    pairs: dict[str, tuple[str, str]] = {}
    for header in prefer_headers:
        for item in header.split(","):
            name, _, value = item.split(";", 1)[0].strip().partition("=")
            name = name.strip().lower()
            if name in names and name not in pairs:
                pairs[name] = (value.strip().strip('"'), PREFER)
    if _QUERY_PREFIX in query_string:
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            key = name[len(_QUERY_PREFIX) :].lower() if name.startswith(_QUERY_PREFIX) else ""
            if key in names and key not in pairs:
                pairs[key] = (value, f"query {_QUERY_PREFIX}{key}")
    return pairs


def flag(name: str, value: str, source: str) -> bool:
    """A true/false preference (``true``, ``1``, ``yes``, ``on`` or empty; ``false``, ...)."""
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ProblemError(
        400, "bad-preference", f"{source} {name}={value!r}: expected true or false", pointer=source
    )


_NOTHING_ASKED: Final = Preferences()


def parse_preferences(prefer_headers: Iterable[str], query_string: str) -> Preferences:
    """Preferences from all ``Prefer`` header values and the raw query string."""
    if not prefer_headers and not query_string:  # the usual request: nothing asked
        return _NOTHING_ASKED
    return _parse(prefer_headers, query_string)


def _parse(prefer_headers: Iterable[str], query_string: str) -> Preferences:
    said = preference_pairs(prefer_headers, query_string, _KNOWN)
    if not said:
        return Preferences()
    merged = {name: value for name, (value, _) in said.items()}

    def source(name: str) -> str:
        return said[name][1]

    code = merged.get("code")
    if code is not None and not _FINAL_STATUS.fullmatch(code):
        raise ProblemError(
            400,
            "bad-preference",
            f"{source('code')} code={code!r}: expected a 3-digit status from 200 to 599",
        )
    seed_text = merged.get("seed")
    seed: int | None = None
    if seed_text is not None:
        try:
            seed = int(seed_text)
        except ValueError:
            raise ProblemError(
                400, "bad-preference", f"{source('seed')} seed={seed_text!r}: expected an integer"
            ) from None
    dynamic = merged.get("dynamic")
    validate = merged.get("validate")
    return Preferences(
        code=code,
        example=merged.get("example") or None,
        dynamic=None if dynamic is None else flag("dynamic", dynamic, source("dynamic")),
        seed=seed,
        validate=None if validate is None else flag("validate", validate, source("validate")),
    )
