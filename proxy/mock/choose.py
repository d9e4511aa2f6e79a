"""Which documented response the mock sends: status, media type and example, chosen purely.

Status: the client's ``code`` preference when documented (an exact code, a range such as
``4XX``, or ``default``), else the lowest documented 2xx (an exact code before ``2XX``), else
``default``, else the lowest documented class (exact before range). What is asked for and not
documented is a 404 problem, as Prism answers. A named example may pick the response by
itself. The media type comes from ``Accept`` (q-values, wildcards) among the response's
documented types, JSON first on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from proxy.media_types import is_json, media_base
from proxy.mock.prefer import Preferences
from proxy.openapi.model import NO_EXAMPLE, Example, MediaType, Operation, Response, find_response
from proxy.problems import ProblemError

__all__ = [
    "Choice",
    "checked_example",
    "choose_media_type",
    "choose_response",
    "default_response",
    "parse_accept",
    "status_of",
]


@dataclass(frozen=True, slots=True)
class Choice:
    """The response to send: its status, the documented response, and a named example."""

    status: int
    response: Response
    example_name: str | None = None


def status_of(response: Response) -> int:
    """The HTTP status a documented response is sent with (``2XX`` -> 200, default -> 200)."""
    status = response.status
    if status.isdigit():
        return int(status)
    if len(status) == 3 and status[0].isdigit() and status[1:].upper() == "XX":
        return int(status[0]) * 100
    return 200


def _sort_key(response: Response) -> tuple[int, int, int]:
    """Class first, then an exact code before its range (``201`` before ``2XX``), then code."""
    code = status_of(response)
    return (code // 100, 0 if response.status.isdigit() else 1, code)


def default_response(operation: Operation) -> Response | None:
    """The lowest documented 2xx, else ``default``, else the lowest documented code."""
    explicit = [r for r in operation.responses if r.status != "default"]
    success = [r for r in explicit if 200 <= status_of(r) < 300]
    if success:
        return min(success, key=_sort_key)
    fallback = next((r for r in operation.responses if r.status == "default"), None)
    if fallback is not None:
        return fallback
    return min(explicit, key=_sort_key) if explicit else None


def _documented_codes(operation: Operation) -> list[str]:
    return [r.status for r in operation.responses]


def _example_names(response: Response) -> list[str]:
    return [example.name for media in response.content for example in media.examples]


def _response_with_example(operation: Operation, name: str) -> Response | None:
    preferred = default_response(operation)
    ordered = [preferred] if preferred else []
    ordered += [r for r in operation.responses if r is not preferred]
    return next((r for r in ordered if name in _example_names(r)), None)


def choose_response(operation: Operation, preferences: Preferences) -> Choice:
    """Apply the code and example preferences; raise a 404 problem for what is not documented
    (Prism's answer when the asked-for response or example is not there)."""
    if preferences.code is not None:
        code = int(preferences.code)
        response = find_response(operation, code)
        if response is None:
            codes = _documented_codes(operation)
            raise ProblemError(
                404,
                "undocumented-status",
                f"status {code} is not documented for {operation.key}; "
                f"documented: {', '.join(codes) or 'none'}",
                documented_codes=codes,
            )
        if response.status.upper() == "DEFAULT" or not response.status.isdigit():
            status = code
        else:
            status = status_of(response)
        return Choice(status, response, checked_example(operation, response, preferences.example))
    if preferences.example is not None:
        response = _response_with_example(operation, preferences.example)
        if response is None:
            _raise_unknown_example(operation, None, preferences.example)
        assert response is not None
        return Choice(status_of(response), response, preferences.example)
    response = default_response(operation)
    if response is None:
        raise ProblemError(
            500, "no-response-documented", f"{operation.key} documents no response to mock"
        )
    return Choice(status_of(response), response)


def checked_example(operation: Operation, response: Response, name: str | None) -> str | None:
    """``name`` when ``response`` has an example of that name; else a 404 problem."""
    if name is not None and name not in _example_names(response):
        _raise_unknown_example(operation, response, name)
    return name


def _raise_unknown_example(operation: Operation, response: Response | None, name: str) -> None:
    scope = [response] if response else list(operation.responses)
    names = [f"{r.status}:{n}" if response is None else n for r in scope for n in _example_names(r)]
    where = f"response {response.status} of {operation.key}" if response else operation.key
    raise ProblemError(
        404,
        "unknown-example",
        f"no example named {name!r} in {where}; available: {', '.join(names) or 'none'}",
        available_examples=names,
    )


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (stable for equal q)."""
    if not accept:
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for item in accept.split(","):
        parts = [part.strip() for part in item.split(";")]
        if not parts[0]:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((parts[0].lower(), quality))
    return sorted(ranges, key=lambda pair: -pair[1])


def _range_matches(media_range: str, media_type: str) -> bool:
    if media_range in ("*/*", "*"):
        return True
    base = media_base(media_type)
    wanted = media_range.split(";", 1)[0]
    if wanted.endswith("/*"):
        return base.split("/", 1)[0] == wanted[:-2]
    if base == wanted:
        return True
    # a documented wildcard (application/*) can serve a concrete request
    return base.endswith("/*") and wanted.split("/", 1)[0] == base.split("/", 1)[0]


def _specificity(media_range: str) -> int:
    if media_range in ("*/*", "*"):
        return 0
    return 1 if media_range.endswith("/*") else 2


def _quality(accept: list[tuple[str, float]], media_type: str) -> float:
    """The q-value of the most specific range that matches (RFC 9110 12.5.1)."""
    matching = [(r, q) for r, q in accept if _range_matches(r, media_type)]
    if not matching:
        return 0.0
    return max(matching, key=lambda pair: _specificity(pair[0]))[1]


def choose_media_type(
    content: Sequence[MediaType], accept: list[tuple[str, float]], example: str | None = None
) -> MediaType | None:
    """The documented media type that best fits Accept; None when none is acceptable.

    On equal preference a type that holds the requested named example wins, then one with
    any documented example (Swagger 2.0 ``examples`` are per media type: the example is what
    the API sends), then JSON, then document order.
    """
    best: tuple[float, int, int, int, int] | None = None
    chosen: MediaType | None = None
    for index, media in enumerate(content):
        quality = _quality(accept, media.media_type)
        if quality <= 0:
            continue
        has_example = example is not None and any(e.name == example for e in media.examples)
        documented = media.example is not NO_EXAMPLE or bool(media.examples)
        json_type = is_json(media_base(media.media_type))
        key = (quality, int(has_example), int(documented), int(json_type), -index)
        if best is None or key > best:
            best, chosen = key, media
    return chosen


def example_named(media: MediaType, name: str | None) -> Example | None:
    """The media type's example called ``name``."""
    if name is None:
        return None
    return next((example for example in media.examples if example.name == name), None)
