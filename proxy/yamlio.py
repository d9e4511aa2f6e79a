"""The one YAML loader: YAML 1.2 core scalars, mapping keys kept as strings, key positions kept.

PyYAML follows YAML 1.1, where ``200:`` is an int, ``on:`` is True and ``2019-08-24`` is a
date. OpenAPI descriptions and our config mean strings there, as JSON would, so this module
resolves only the YAML 1.2 core schema (null, true/false, ints, floats) and always builds
mapping keys from their source text. Everything that reads YAML goes through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import yaml

__all__ = ["DuplicateKey", "YamlDocument", "YamlSyntaxError", "load_yaml", "load_yaml_document"]

if TYPE_CHECKING or not yaml.__with_libyaml__:  # noqa: SIM108  # mypy needs a statement here
    _BaseLoader = yaml.SafeLoader
else:  # libyaml's parser is ~10x faster; PyYAML's wheels ship it
    _BaseLoader = yaml.CSafeLoader

_CORE_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    ("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (
        "tag:yaml.org,2002:int",
        re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+.0123456789",
    ),
]


_FIRST_CHARACTER: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _regexp, _first in _CORE_RESOLVERS:
    for _character in _first:
        _FIRST_CHARACTER.setdefault(_character, []).append((_tag, _regexp))


MAX_DEPTH: Final = 512
"""The deepest nesting of mappings and sequences read: what reads the data later recurses."""


class YamlSyntaxError(ValueError):
    """The text is not well-formed YAML; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A mapping key written again: the later value replaced the earlier one in the data.

    ``path`` leads from the top to the key (a sequence item by its index, as a string);
    ``first`` and ``again`` are 1-based (line, column) of the two places.
    """

    path: tuple[str, ...]
    first: tuple[int, int]
    again: tuple[int, int]


@dataclass(slots=True)
class YamlDocument:
    """Loaded data plus the source position of every mapping key (for error messages), and
    the keys written twice in one mapping (found only where positions are kept)."""

    data: Any
    _key_marks: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    duplicates: list[DuplicateKey] = field(default_factory=list)

    def position(self, mapping: object, key: str) -> tuple[int, int] | None:
        """The 1-based (line, column) where ``key`` of ``mapping`` was written, if known."""
        return self._key_marks.get((id(mapping), key))


def _core_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The YAML 1.2 core-schema tag of an untagged scalar (PyYAML's resolver would apply YAML
    1.1's rules); called for every scalar, so kept short."""
    if implicit[0]:
        if value == "":
            return "tag:yaml.org,2002:null"
        for tag, regexp in _FIRST_CHARACTER.get(value[0], ()):
            if regexp.match(value):
                return tag
    return "tag:yaml.org,2002:str"


def _construct_core_int(loader: _BaseLoader, node: yaml.ScalarNode) -> int:
    """YAML 1.2 core ints: ``0o17`` octal, ``0x1F`` hex, anything else decimal (``0553391925``
    is 553391925; YAML 1.1's leading-zero octal made it a crash)."""
    text = str(loader.construct_scalar(node))
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    base = {"0o": 8, "0x": 16}.get(digits[:2], 10)
    try:
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not an integer", node.start_mark
        ) from None


_STR: Final = "tag:yaml.org,2002:str"
_SCALARS: Final[dict[str, Any]] = {  # dates stay strings, as in JSON
    "tag:yaml.org,2002:null": lambda loader, node: None,
    "tag:yaml.org,2002:bool": lambda loader, node: node.value.lower() == "true",
    "tag:yaml.org,2002:int": _construct_core_int,
    "tag:yaml.org,2002:timestamp": lambda loader, node: node.value,
}


def _position(event: yaml.Event) -> tuple[int, int]:
    """The 1-based (line, column) where an event starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


class _Open:
    """A mapping or sequence being filled, and (for a mapping) the key waiting for its value."""

    __slots__ = ("container", "key", "mark")

    def __init__(self, container: dict[str, Any] | list[Any]) -> None:
        self.container = container
        self.key: str | None = None
        self.mark: tuple[int, int] = (0, 0)


class _Builder:
    """Plain data straight from libyaml's events, with key positions into ``marks``.

    PyYAML first composes the whole node tree, then constructs the data from it: for a large
    description the tree takes several times the data's memory, and the data, allocated
    among the tree's freed parts, keeps that memory from the system. Built from the event
    stream, nothing lives but the data. The plain tags (maps, sequences, the core scalars)
    are built here; other scalar tags go to the loader's own constructors. An alias yields
    the object already built for its anchor, as PyYAML does. Equal strings are built once,
    as ``json.loads`` does for keys: a description repeats its keys and values thousands of
    times.
    """

    def __init__(self, loader: _BaseLoader, marks: dict[Any, Any] | None) -> None:
        self.loader, self.marks = loader, marks
        self.strings: dict[str, str] = {}
        self.anchors: dict[str, Any] = {}
        self.open: list[_Open] = []
        self.root: Any = None
        self.duplicates: list[DuplicateKey] = []

    def document(self) -> Any:
        """The stream's one document (None for an empty stream)."""
        self._next()  # stream start
        if self.loader.check_event(yaml.StreamEndEvent):
            return None
        self._next()  # document start
        while not isinstance(event := self._next(), yaml.DocumentEndEvent):
            self._take(event)
        if not self.loader.check_event(yaml.StreamEndEvent):
            line, column = _position(self._next())
            message = "expected a single document in the stream, but found another document"
            raise YamlSyntaxError(message, line, column)
        return self.root

    def _next(self) -> yaml.Event:
        event: yaml.Event = self.loader.get_event()  # type: ignore[no-untyped-call]
        return event

    def _take(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._add(self._scalar(event), event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            if len(self.open) == MAX_DEPTH:
                line, column = _position(event)
                detail = (
                    f"nested too deeply: more than {MAX_DEPTH} levels of mappings and sequences"
                )
                raise YamlSyntaxError(detail, line, column)
            if event.anchor is not None:
                self.anchors[event.anchor] = container
            self.open.append(_Open(container))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._add(self.open.pop().container, event)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                line, column = _position(event)
                raise YamlSyntaxError(f"found undefined alias {event.anchor!r}", line, column)
            self._add(self.anchors[event.anchor], event)

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _core_tag(event.value, event.implicit)
        if tag == _STR:
            value: Any = self.strings.setdefault(event.value, event.value)
        else:
            start: Any = event.start_mark  # libyaml's Mark, which PyYAML's stub does not name
            end: Any = event.end_mark
            node = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
            scalar = _SCALARS.get(tag)
            value = scalar(self.loader, node) if scalar else self.loader.construct_object(node)
        if event.anchor is not None:
            self.anchors[event.anchor] = value
        return value

    def _add(self, value: Any, event: yaml.Event) -> None:
        """Put a finished value where it belongs: the root, a sequence, a key or its value."""
        if not self.open:
            self.root = value
            return
        parent = self.open[-1]
        container = parent.container
        if isinstance(container, list):
            container.append(value)
        elif parent.key is None:
            key = str(value)
            parent.key = self.strings.setdefault(key, key)
            parent.mark = _position(event)
            if self.marks is not None and key in container:
                self._note_duplicate(key, self.marks[(id(container), key)], parent.mark)
        else:
            container[parent.key] = value
            if self.marks is not None:
                self.marks[(id(container), parent.key)] = parent.mark
            parent.key = None

    def _note_duplicate(self, key: str, first: tuple[int, int], again: tuple[int, int]) -> None:
        outer = self.open[:-1]
        path = [str(len(o.container)) if isinstance(o.container, list) else o.key for o in outer]
        self.duplicates.append(DuplicateKey((*map(str, path), key), first, again))


def _tab_hint(text: str | bytes, mark: Any) -> str:
    """What to do when the fault is a tab: libyaml only says the character starts no token."""
    if mark is None:
        return ""
    lines = (text.decode("utf-8", "replace") if isinstance(text, bytes) else text).splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if line[mark.column : mark.column + 1] != "\t":
        return ""
    return "; this is a tab: YAML indents with spaces only"


def load_yaml_document(
    text: str | bytes, source: str = "<string>", *, positions: bool = True
) -> YamlDocument:
    """Parse one YAML document; raise YamlSyntaxError with the position of the fault. Without
    ``positions`` the document keeps no key positions (a large description has 100,000)."""
    loader = _BaseLoader(text)
    marks: dict[tuple[int, str], tuple[int, int]] = {}
    builder = _Builder(loader, marks if positions else None)
    try:
        data = builder.document()
    except YamlSyntaxError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(part for part in (error.context, error.problem) if part)
        message = message or "invalid YAML"
        if "tab" not in message:
            message += _tab_hint(text, mark)
        raise YamlSyntaxError(message, line, column) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(str(error), 0, 0) from None
    except (ValueError, TypeError) as error:  # a tagged scalar PyYAML cannot convert
        raise YamlSyntaxError(f"cannot read a value: {error}", 0, 0) from None
    finally:
        loader.dispose()
    return YamlDocument(data=data, _key_marks=marks, duplicates=builder.duplicates)


def load_yaml(text: str | bytes, source: str = "<string>") -> Any:
    """Parse one YAML document into plain data (dicts with string keys, lists, scalars)."""
    return load_yaml_document(text, source, positions=False).data
