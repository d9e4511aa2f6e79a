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

__all__ = ["YamlDocument", "YamlSyntaxError", "load_yaml", "load_yaml_document"]

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


class YamlSyntaxError(ValueError):
    """The text is not well-formed YAML; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(slots=True)
class YamlDocument:
    """Loaded data plus the source position of every mapping key (for error messages)."""

    data: Any
    _key_marks: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)

    def position(self, mapping: object, key: str) -> tuple[int, int] | None:
        """The 1-based (line, column) where ``key`` of ``mapping`` was written, if known."""
        return self._key_marks.get((id(mapping), key))


class _StringKeyLoader(_BaseLoader):
    """Safe loader with YAML 1.2 core scalars and string keys; records key positions."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  # own table, not YAML 1.1's
    key_marks: dict[tuple[int, str], tuple[int, int]]

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """The core-schema tag of a node: PyYAML's ``resolve`` without path resolvers (we have
        none), called by libyaml for every node, so kept short."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value == "":
                    return "tag:yaml.org,2002:null"
                for tag, regexp in _FIRST_CHARACTER.get(value[0], ()):
                    if regexp.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:map" if kind is yaml.MappingNode else "tag:yaml.org,2002:seq"

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""

    def construct_string_key_map(self, node: yaml.MappingNode) -> Any:
        data: dict[str, Any] = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
            else:
                key = str(self.construct_object(key_node, deep=True))
            data[key] = self.construct_object(value_node, deep=True)
            self.key_marks[(id(data), key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )


def _construct_core_int(loader: _StringKeyLoader, node: yaml.ScalarNode) -> int:
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


_StringKeyLoader.add_constructor(
    "tag:yaml.org,2002:map",
    _StringKeyLoader.construct_string_key_map,
)
_StringKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_core_int)
_StringKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _StringKeyLoader.construct_yaml_str,  # type: ignore[type-var]  # stub: SafeConstructor method
)  # dates stay strings, as in JSON


_STR: Final = "tag:yaml.org,2002:str"
_MAP: Final = "tag:yaml.org,2002:map"
_SEQ: Final = "tag:yaml.org,2002:seq"
_SCALARS: Final[dict[str, Any]] = {
    "tag:yaml.org,2002:null": lambda loader, node: None,
    "tag:yaml.org,2002:bool": lambda loader, node: node.value.lower() == "true",
    "tag:yaml.org,2002:int": _construct_core_int,
    "tag:yaml.org,2002:timestamp": lambda loader, node: node.value,
}


def _build(loader: _StringKeyLoader, root: yaml.Node) -> Any:
    """Plain data from libyaml's node tree in one direct walk.

    Does what ``get_single_data`` does for the plain tags (maps, sequences, the core scalars)
    without PyYAML's generator-per-node construction, which cost most of the time of a large
    description; other tags go to the loader's own constructors. An alias yields the object
    already built for its anchor, as PyYAML does.
    """
    built: dict[int, Any] = {}
    marks = loader.key_marks

    def build(node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR:
                return node.value
            scalar = _SCALARS.get(node.tag)
            return scalar(loader, node) if scalar else loader.construct_object(node, deep=True)
        if id(node) in built:
            return built[id(node)]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            data: dict[str, Any] = {}
            built[id(node)] = data
            loader.flatten_mapping(node)
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else build(key_node)
                key = str(key)
                data[key] = build(value_node)
                mark = key_node.start_mark
                marks[(id(data), key)] = (mark.line + 1, mark.column + 1)
            return data
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items: list[Any] = []
            built[id(node)] = items
            items.extend(build(child) for child in node.value)
            return items
        return loader.construct_object(node, deep=True)

    return build(root)


def load_yaml_document(text: str | bytes, source: str = "<string>") -> YamlDocument:
    """Parse one YAML document; raise YamlSyntaxError with the position of the fault."""
    loader = _StringKeyLoader(text)
    loader.key_marks = {}
    try:
        node = loader.get_single_node()
        data = None if node is None else _build(loader, node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(part for part in (error.context, error.problem) if part)
        raise YamlSyntaxError(message or "invalid YAML", line, column) from None
    except yaml.YAMLError as error:
        raise YamlSyntaxError(str(error), 0, 0) from None
    except (ValueError, TypeError) as error:  # a tagged scalar PyYAML cannot convert
        raise YamlSyntaxError(f"cannot read a value: {error}", 0, 0) from None
    except RecursionError:
        raise YamlSyntaxError("nested too deeply", 0, 0) from None
    finally:
        loader.dispose()
    return YamlDocument(data=data, _key_marks=loader.key_marks)


def load_yaml(text: str | bytes, source: str = "<string>") -> Any:
    """Parse one YAML document into plain data (dicts with string keys, lists, scalars)."""
    return load_yaml_document(text, source).data
