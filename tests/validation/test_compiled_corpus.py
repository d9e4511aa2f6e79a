"""The compiled verdict equals jsonschema's over real descriptions' request schemas.

Every request-body and parameter schema of the shared real-world descriptions (and of the
scenario specs) is compiled; values generated from each schema, and mutations of them (a
required property dropped, a type changed, numbers out of range, strings too long, an enum
missed, an extra property, null), are judged by both and must get the same verdict.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proxy.mock.generate import Direction, generate
from proxy.openapi.loader import load_spec
from proxy.openapi.model import ApiSpec, Schema
from proxy.validation.compiled import CompiledSchema, compile_schema
from proxy.validation.dialect import FORMAT_CHECKER, RequestValidator
from tests.conformance.harness import SHARED, entry_files

TESTS = Path(__file__).resolve().parents[1]
SCENARIOS = [TESTS / "openapi/scenarios/external/api.yaml", TESTS / "validation/styles.yaml"]
SCHEMAS_PER_DESCRIPTION = 40
NESTED_MUTATIONS = 3
TRICKY: list[Any] = [None, True, False, 0, 1, 1.0, 1.5, -1, "", "a", "1", [], {}, [1, 1]]


def request_schemas(spec: ApiSpec) -> list[Schema]:
    found: list[Schema] = []
    for operation in spec.operations:
        for parameter in operation.parameters:
            schema = parameter.schema or (
                parameter.content[0].schema if parameter.content else None
            )
            if schema is not None:
                found.append(schema)
        if operation.request_body:
            found.extend(m.schema for m in operation.request_body.content if m.schema)
    return found


def positions(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every value inside ``value``, itself first."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from positions(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from positions(item, (*path, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    copy = list(value)
    copy[head] = replaced(value[head], rest, new)
    return copy


def mutations(value: Any) -> Iterator[Any]:
    """Simple ways to make ``value`` wrong (or, now and then, still right)."""
    yield None
    if isinstance(value, dict):
        for key in list(value)[:3]:
            yield {k: v for k, v in value.items() if k != key}
        yield {**value, "zz_extra": 1}
        yield []
    elif isinstance(value, list):
        yield [*value, *value[:1]]
        yield value[:-1]
        yield {}
    elif isinstance(value, bool):
        yield int(value)
        yield not value
    elif isinstance(value, int | float):
        yield value + 10**9
        yield value - 10**9
        yield float(value)
        yield value + 0.5
        yield str(value)
        yield True
    elif isinstance(value, str):
        yield value * 40 + "x" * 300
        yield ""
        yield "zz-not-in-any-enum"
        yield 5
        yield value + "\u00e9"


def instances(schema: Schema, seed: int) -> Iterator[Any]:
    rng = random.Random(seed)
    for draw in range(2):
        value = generate(schema, rng=random.Random(seed * 7 + draw), direction=Direction.REQUEST)
        yield value
        yield from mutations(value)
        inner = list(positions(value))[1:]
        for path in rng.sample(inner, min(NESTED_MUTATIONS, len(inner))):
            target: Any = value
            for key in path:
                target = target[key]
            for new in mutations(target):
                yield replaced(value, path, new)
    yield from TRICKY


def jsonschema_says(validator: Any, value: Any) -> bool | None:
    """jsonschema's verdict, None when it raises."""
    try:
        return bool(validator.is_valid(value))
    except Exception:
        return None


def compiled_says(compiled: CompiledSchema, value: Any) -> bool | None:
    try:
        return compiled.verdict(value)
    except Exception:
        return None


def judge_corpus(paths: list[Path]) -> tuple[int, int, int, list[str]]:
    """Schemas seen, compiled completely, values judged valid, and every disagreement.

    Every schema is compiled; a sample of them is judged on generated values by both.
    """
    seen = complete = valid = 0
    disagreements: list[str] = []
    for path in paths:
        spec = load_spec(path)
        schemas = list({s.uri: s for s in request_schemas(spec)}.values())
        compiled = [compile_schema({"$ref": s.uri}, spec.registry) for s in schemas]
        seen += len(schemas)
        complete += sum(1 for c in compiled if c is not None and c.complete)
        pairs = [(s, c) for s, c in zip(schemas, compiled, strict=True) if c is not None]
        sample = random.Random(path.name).sample(pairs, min(SCHEMAS_PER_DESCRIPTION, len(pairs)))
        for index, (schema, verdict) in enumerate(sample):
            validator = RequestValidator(
                {"$ref": schema.uri}, registry=spec.registry, format_checker=FORMAT_CHECKER
            )
            for value in instances(schema, index):
                expected = jsonschema_says(validator, value)
                got = compiled_says(verdict, value)
                valid += expected is True
                if expected != got and not (expected is None and got is False):
                    disagreements.append(f"{path.name} {schema.uri}: {value!r} {expected}/{got}")
    return seen, complete, valid, disagreements


def test_scenario_schemas_agree_with_jsonschema() -> None:
    """Every request schema of the scenario specs compiles and agrees with jsonschema."""
    seen, complete, valid, disagreements = judge_corpus(SCENARIOS)
    assert disagreements == []
    assert seen > 10 and complete == seen and valid > seen


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared real-world descriptions are absent")
def test_real_world_schemas_agree_with_jsonschema() -> None:
    """Request schemas of real descriptions: nearly all compile whole; sampled, same verdicts."""
    seen, complete, valid, disagreements = judge_corpus(entry_files())
    assert disagreements[:10] == []
    assert seen > 2000
    assert complete >= math.ceil(0.9 * seen)
    assert valid > 1000  # generated values are mostly valid: both verdicts are exercised
