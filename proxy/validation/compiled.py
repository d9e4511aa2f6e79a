"""Schemas compiled at load into verdicts (value -> valid?) that give jsonschema's own answer.

A verdict is built from keyword closures (``keywords.py``), a typed node's keywords joined in
one closure (``fused.py``), with every ``$ref`` resolved at compile time. It exists so that
valid requests, the common case, never reach jsonschema: the caller asks the verdict first and
runs ``RequestValidator.iter_errors`` only when it says no (or raises), which then lists the
errors as before. So a verdict never accepts what ``RequestValidator`` rejects, and never
rejects what it accepts.

Values are JSON values as ``json.loads`` and the parameter readers make them (dict, list, str,
int, float, bool, None; no subclasses). A subschema this module cannot judge exactly
(``unevaluated*``, a malformed keyword value, an unresolvable ``$ref``) is judged by jsonschema
itself, reached with the resolver it would have there; ``$id`` and ``$dynamicRef`` (whose
meaning depends on the path taken) leave the entire schema to jsonschema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jsonschema_specifications import (  # type: ignore[import-untyped]  # no py.typed marker
    REGISTRY as SPECIFICATIONS,  # the meta-schemas jsonschema joins to every registry
)
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from proxy.memo import META_SCHEMA_REGISTRIES, remember
from proxy.validation import fused as fuse
from proxy.validation import keywords as kw
from proxy.validation.dialect import (
    FORMAT_CHECKER,
    RequestValidator,
    branch_for,
    discriminator_name,
)
from proxy.validation.keywords import Unsupported, Verdict, accept, every, reject

if TYPE_CHECKING:  # referencing exports no name for its resolver class; annotations only
    from referencing._core import Resolver

__all__ = ["CompiledSchema", "Verdict", "compile_schema", "root_resolver"]


_WITH_META_SCHEMAS: dict[int, tuple[Registry[Any], Registry[Any]]] = {}


class _Whole(Exception):
    """The whole schema is left to jsonschema."""


@dataclass(frozen=True, slots=True)
class CompiledSchema:
    """A schema's verdict; ``nodes`` compiled, ``delegated`` subschemas left to jsonschema."""

    verdict: Verdict
    nodes: int
    delegated: int

    @property
    def complete(self) -> bool:
        return not self.delegated


def root_resolver(schema: Any, registry: Registry[Any]) -> Resolver[Any]:
    """The resolver ``RequestValidator(schema, registry=registry)`` starts from.

    jsonschema joins the registry with its meta-schemas for every validator it builds, which
    for a description of thousands of documents takes milliseconds; here it is joined once.
    """
    known = _WITH_META_SCHEMAS.get(id(registry))
    if known is None or known[0] is not registry:
        combined = (registry, SPECIFICATIONS.combine(registry))
        known = remember(_WITH_META_SCHEMAS, id(registry), combined, META_SCHEMA_REGISTRIES)
    return known[1].resolver_with_root(DRAFT202012.create_resource(schema))


def compile_schema(schema: Any, registry: Registry[Any]) -> CompiledSchema | None:
    """The verdict of ``RequestValidator(schema, registry=registry)``; None: left to it whole."""
    compiler = _Compiler(registry)
    try:
        verdict = compiler.schema(schema, root_resolver(schema, registry))
    except _Whole:
        return None
    return CompiledSchema(verdict, compiler.nodes, compiler.delegated)


def _not_a_schema(value: Any) -> bool:
    raise TypeError("a schema that is neither an object nor a boolean")  # jsonschema raises too


def _unresolvable(value: Any) -> bool:
    raise LookupError("a discriminator mapping names an unresolvable schema")


class _Compiler:
    """One schema's compilation: ``$ref`` targets compiled once, recursion through a cell."""

    def __init__(self, registry: Registry[Any]) -> None:
        self._registry = registry
        self._targets: dict[tuple[int, str], Verdict] = {}
        self.nodes = 0
        self.delegated = 0

    def schema(self, node: Any, resolver: Resolver[Any]) -> Verdict:
        if node is True:
            return accept
        if node is False:
            return reject
        if not isinstance(node, dict):
            return _not_a_schema
        if "$id" in node or "$dynamicRef" in node:
            raise _Whole
        try:
            verdict = self._node(node, resolver)
        except Unsupported:
            self.delegated += 1
            validator = RequestValidator(
                node, registry=self._registry, format_checker=FORMAT_CHECKER, _resolver=resolver
            )
            delegated: Verdict = validator.is_valid
            return delegated
        self.nodes += 1
        return verdict

    def _node(self, node: dict[str, Any], resolver: Resolver[Any]) -> Verdict:
        for key in node:
            if key in kw.KNOWN and key not in kw.HANDLED:
                raise Unsupported(key)
        if node.get("readOnly") is True:
            return reject
        typed = kw.type_check(node["type"]) if "type" in node else None
        others = self._always(node, resolver)
        single = kw.single_kind(node.get("type"))
        if single is not None:
            kind, with_null = single
            rest = every(others)
            if kind == "object":
                fused = self._object(node, resolver, rest)
            elif kind == "array":
                fused = self._array(node, resolver, rest)
            else:
                fused = _string(node, rest)
            if fused is accept:  # no keyword but the type itself
                fused = kw.TYPES[kind]
            return fuse.nullable(fused, rest) if with_null else fused
        numbers = every(kw.number_checks(node))
        by_type = {
            dict: self._object(node, resolver, accept),
            list: self._array(node, resolver, accept),
            str: _string(node, accept),
            int: numbers,
            float: numbers,
        }
        by_type = {k: v for k, v in by_type.items() if v is not accept}
        return fuse.dispatch(every([typed, *others] if typed else others), by_type)

    def _always(self, node: dict[str, Any], resolver: Resolver[Any]) -> list[Verdict]:
        """Keywords for every type, but ``type``."""
        checks: list[Verdict] = []
        if "enum" in node:
            checks.append(kw.enum_check(node["enum"]))
        if "const" in node:
            checks.append(kw.equal_to(node["const"]))
        if "format" in node:
            checks.append(kw.format_check(node["format"]))
        if "$ref" in node:
            checks.append(self._ref(node["$ref"], resolver))
        if "allOf" in node:
            checks.append(every(self._list(node, "allOf", resolver)))
        for key in ("anyOf", "oneOf"):
            if key in node:
                checks.append(self._choice(node, key, resolver))
        if "not" in node:
            negated = self.schema(node["not"], resolver)
            checks.append(lambda value: not negated(value))
        if "if" in node:
            checks.append(self._condition(node, resolver))
        return checks

    def _list(self, node: dict[str, Any], key: str, resolver: Resolver[Any]) -> list[Verdict]:
        members = node[key]
        if not isinstance(members, list):
            raise Unsupported(key)
        return [self.schema(member, resolver) for member in members]

    def _ref(self, ref: Any, resolver: Resolver[Any]) -> Verdict:
        if not isinstance(ref, str):
            raise Unsupported("$ref")
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable:
            raise Unsupported("$ref") from None
        key = (id(resolved.contents), str(resolved.resolver._base_uri))
        if key in self._targets:
            return self._targets[key]
        cell: list[Verdict] = []
        self._targets[key] = lambda value: cell[0](value)  # a recursive schema meets itself
        verdict = self.schema(resolved.contents, resolved.resolver)
        cell.append(verdict)
        self._targets[key] = verdict
        return verdict

    def _choice(self, node: dict[str, Any], key: str, resolver: Resolver[Any]) -> Verdict:
        """``anyOf``/``oneOf``; with a discriminator, the named branch decides, as in dialect."""
        branches = self._list(node, key, resolver)
        plain = fuse.any_of(branches) if key == "anyOf" else fuse.one_of(branches)
        name = discriminator_name(node)
        if not name:
            return plain
        mapping = node["discriminator"].get("mapping") or {}
        if not isinstance(name, str) or not isinstance(mapping, dict):
            raise Unsupported("discriminator")
        chosen: dict[str, Verdict] = {}
        for value in mapping:
            if not isinstance(value, str):
                raise Unsupported("discriminator")
            target = branch_for(node["discriminator"], node[key], value)["$ref"]
            try:
                chosen[value] = self._ref(target, resolver)
            except Unsupported:
                chosen[value] = _unresolvable
        for raw, verdict in zip(node[key], branches, strict=True):
            ref = raw.get("$ref") if isinstance(raw, dict) else None
            if isinstance(ref, str):
                chosen.setdefault(ref.rsplit("/", 1)[-1], verdict)
        pick = chosen.get

        def discriminated(value: Any) -> bool:
            if type(value) is dict and name in value:
                check = pick(value[name])  # unhashable raises, as in dialect
                return check is not None and check(value)
            return plain(value)

        return discriminated

    def _condition(self, node: dict[str, Any], resolver: Resolver[Any]) -> Verdict:
        condition = self.schema(node["if"], resolver)
        then = self.schema(node["then"], resolver) if "then" in node else accept
        otherwise = self.schema(node["else"], resolver) if "else" in node else accept
        return lambda value: then(value) if condition(value) else otherwise(value)

    def _object(self, node: dict[str, Any], resolver: Resolver[Any], rest: Verdict) -> Verdict:
        """Object keywords; ``accept`` when there are none (and ``rest`` is ``accept``)."""
        wanted = kw.required_names(node["required"]) if "required" in node else ()
        checks = kw.counts(node, "minProperties", "maxProperties")
        properties: dict[str, Verdict] | None = None
        extra: Verdict | None = None
        if any(k in node for k in ("properties", "patternProperties", "additionalProperties")):
            listed, patterns, extra, listed_search = self._members(node, resolver)
            if patterns:
                checks.append(fuse.patterned_members(listed, patterns, extra, listed_search))
                extra = None
            else:
                properties = listed
        if "propertyNames" in node:
            names = self.schema(node["propertyNames"], resolver)
            checks.append(lambda value: all(names(name) for name in value))
        if "dependentRequired" in node:
            checks.append(kw.dependent_required(node["dependentRequired"]))
        if "dependentSchemas" in node:
            checks.append(self._dependent_schemas(node["dependentSchemas"], resolver))
        if not wanted and properties is None and not checks and rest is accept:
            return accept
        return fuse.typed_object(wanted, properties, extra, every([*checks, rest]))

    def _schema_map(self, node: dict[str, Any], key: str, resolver: Resolver[Any]) -> Any:
        members = node.get(key, {})
        if not isinstance(members, dict):
            raise Unsupported(key)
        return {name: self.schema(schema, resolver) for name, schema in members.items()}

    def _members(self, node: dict[str, Any], resolver: Resolver[Any]) -> Any:
        """``properties``, ``patternProperties`` and ``additionalProperties``, compiled."""
        properties: dict[str, Verdict] = self._schema_map(node, "properties", resolver)
        patterns = [
            (kw.pattern(text), verdict)
            for text, verdict in self._schema_map(node, "patternProperties", resolver).items()
        ]
        extra: Verdict | None = None
        listed = None
        if "additionalProperties" in node:
            additional = node["additionalProperties"]
            if isinstance(additional, dict):
                extra = self.schema(additional, resolver)
            elif not additional:
                extra = reject
            if patterns:  # as jsonschema finds extras: one search over the joined patterns
                listed = kw.pattern("|".join(node["patternProperties"])).search
        return properties, patterns, extra, listed

    def _dependent_schemas(self, dependents: Any, resolver: Resolver[Any]) -> Verdict:
        if not isinstance(dependents, dict):
            raise Unsupported("dependentSchemas")
        checks = tuple((name, self.schema(schema, resolver)) for name, schema in dependents.items())
        return lambda value: all(name not in value or check(value) for name, check in checks)

    def _array(self, node: dict[str, Any], resolver: Resolver[Any], rest: Verdict) -> Verdict:
        """Array keywords; ``accept`` when there are none (and ``rest`` is ``accept``)."""
        checks: list[Verdict] = []
        each = None
        prefix = self._list(node, "prefixItems", resolver) if "prefixItems" in node else []
        if prefix or "items" in node:
            items = node.get("items", True)
            if not isinstance(items, bool | dict):
                raise Unsupported("items")
            after = None if items is True else self.schema(items, resolver)
            if prefix:
                checks.append(fuse.items(prefix, after))
            else:
                each = after
        least = kw.number(node, "minItems")
        most = kw.number(node, "maxItems")
        if node.get("uniqueItems"):
            checks.append(kw.unique)
        if "contains" in node:
            checks.append(self._contains(node, resolver))
        if least is None and most is None and each is None and not checks and rest is accept:
            return accept
        return fuse.typed_array(least, most, each, every([*checks, rest]))

    def _contains(self, node: dict[str, Any], resolver: Resolver[Any]) -> Verdict:
        matches = self.schema(node["contains"], resolver)
        least = kw.number(node, "minContains", 1)
        most = kw.number(node, "maxContains")

        def contains(value: Any) -> bool:
            limit = len(value) if most is None else most
            found = 0
            for item in value:
                if matches(item):
                    found += 1
                    if found > limit:
                        return False
            return not found < least

        return contains


def _string(node: dict[str, Any], rest: Verdict) -> Verdict:
    """String keywords; ``accept`` when there are none (and ``rest`` is ``accept``)."""
    least = kw.number(node, "minLength")
    most = kw.number(node, "maxLength")
    search = kw.pattern(node["pattern"]).search if "pattern" in node else None
    if least is None and most is None and search is None and rest is accept:
        return accept
    return fuse.typed_string(least, most, search, rest)
