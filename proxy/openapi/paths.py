"""Path matching: OpenAPI path templates compiled into a segment tree, concrete before templated.

OpenAPI says a concrete path (``/pets/mine``) wins over a templated one (``/pets/{id}``) that
would also match. The tree walks one segment at a time, trying the literal child first, then
templated children (most literal characters first), and backtracks, so the most concrete
template wins segment by segment. A segment may hold several parameters (``{a}.{b}``,
``report-{id}.pdf``). Parameter values are returned raw (still percent-encoded); literal
segments are compared after percent-decoding. Matching costs one dict lookup per literal
segment, whatever the number of templates.

Twin templates (``/links/{optionId}`` for POST, ``/links/{id}`` for GET) share their tree
nodes and both stay: ``match`` may be given what the value must offer (a method), and then
looks across every template that matches before settling for the first. A required
parameter's segment left empty (``/links//details``) matches last of all, without that
parameter, so that validation reports it missing rather than the path unknown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar
from urllib.parse import unquote

__all__ = ["PathMatch", "PathRouter"]

T = TypeVar("T")

_PARAMETER = re.compile(r"\{([^{}/]+)\}")


class PathMatch(NamedTuple, Generic[T]):
    """The template that matched, its value, and the raw parameter values (made per request:
    a tuple is cheaper to build than a frozen dataclass)."""

    template: str
    value: T
    params: dict[str, str]


@dataclass(slots=True)
class _TemplatedSegment(Generic[T]):
    """A segment with parameters; shared by every template with the same shape there."""

    pattern: re.Pattern[str]
    literal_weight: int
    node: _Node[T]
    whole: bool  # the segment is one parameter and nothing else: any non-empty text matches


@dataclass(slots=True)
class _Node(Generic[T]):
    literal: dict[str, _Node[T]] = field(default_factory=dict)
    templated: list[_TemplatedSegment[T]] = field(default_factory=list)
    endpoints: list[tuple[str, T, tuple[str, ...]]] = field(default_factory=list)


def _split(path: str) -> list[str]:
    """``"/a/b/"`` -> ``["a", "b", ""]``: a trailing slash is an empty last segment."""
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def _compile_segment(segment: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    names: list[str] = []
    parts: list[str] = []
    position = 0
    matches = list(_PARAMETER.finditer(segment))
    for index, match in enumerate(matches):
        parts.append(re.escape(segment[position : match.start()]))
        names.append(match.group(1))
        is_last = index == len(matches) - 1 and match.end() == len(segment)
        parts.append(f"(?P<p{index}>[^/]+)" if is_last else f"(?P<p{index}>[^/]+?)")
        position = match.end()
    parts.append(re.escape(segment[position:]))
    literal_weight = len(_PARAMETER.sub("", segment))
    return re.compile("".join(parts) + r"\Z"), tuple(names), literal_weight


class PathRouter(Generic[T]):
    """Maps request paths to the values registered under OpenAPI path templates."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._root: _Node[T] = _Node()
        for template, value in entries:
            self._add(template, value)

    def _add(self, template: str, value: T) -> None:
        node = self._root
        names: list[str] = []
        for segment in _split(template):
            if "{" not in segment:
                node = node.literal.setdefault(unquote(segment), _Node())
                continue
            pattern, segment_names, weight = _compile_segment(segment)
            names.extend(segment_names)
            existing = next(
                (t for t in node.templated if t.pattern.pattern == pattern.pattern), None
            )
            if existing is None:
                whole = _PARAMETER.fullmatch(segment) is not None
                existing = _TemplatedSegment(pattern, weight, _Node(), whole)
                node.templated.append(existing)
                node.templated.sort(key=lambda t: (-t.literal_weight, t.pattern.groups))
            node = existing.node
        if all(existing[0] != template for existing in node.endpoints):
            node.endpoints.append((template, value, tuple(names)))

    def match(self, path: str, wanted: Callable[[T], bool] | None = None) -> PathMatch[T] | None:
        """The best match for a raw request path; a trailing slash is tolerated either way.

        With ``wanted``, the first match whose value it accepts, else the first match.
        """
        segments = _split(path)
        shapes = [segments]
        if len(segments) > 1 and segments[-1] == "":
            shapes.append(segments[:-1])
        shapes.append([*segments, ""])
        for allow_empty in (False, True):
            for accept in (wanted, None) if wanted is not None else (None,):
                for shape in shapes:
                    found = self._walk(self._root, shape, 0, (), accept, allow_empty)
                    if found is not None:
                        return found
        return None

    def _walk(
        self,
        node: _Node[T],
        segments: list[str],
        index: int,
        values: tuple[str, ...],
        wanted: Callable[[T], bool] | None,
        allow_empty: bool,
    ) -> PathMatch[T] | None:
        if index == len(segments):
            return _endpoint(node, values, wanted, allow_empty)
        segment = segments[index]
        child = node.literal.get(unquote(segment) if "%" in segment else segment)
        if child is not None:
            found = self._walk(child, segments, index + 1, values, wanted, allow_empty)
            if found is not None:
                return found
        for templated in node.templated:
            if templated.whole:  # no regular expression needed for a plain {name} segment
                if not segment and not allow_empty:
                    continue
                captured: tuple[str, ...] = (segment,)
            else:
                matched = templated.pattern.match(segment)
                if matched is None:
                    continue
                captured = matched.groups()
                if not all(captured):
                    continue
            found = self._walk(
                templated.node, segments, index + 1, values + captured, wanted, allow_empty
            )
            if found is not None:
                return found
        return None


def _endpoint(
    node: _Node[T], values: tuple[str, ...], wanted: Callable[[T], bool] | None, allow_empty: bool
) -> PathMatch[T] | None:
    """The first template ending at ``node`` whose value ``wanted`` accepts."""
    for template, value, names in node.endpoints:
        if wanted is None or wanted(value):
            params = dict(zip(names, values, strict=True))
            if allow_empty:  # an empty segment: the parameter was not given
                params = {name: text for name, text in params.items() if text}
            return PathMatch(template, value, params)
    return None
