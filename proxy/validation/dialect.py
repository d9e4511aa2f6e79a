"""The request dialect: JSON Schema 2020-12 plus ``readOnly`` and discriminator-aware choices.

``RequestValidator`` is the one jsonschema validator class requests are judged by: a request
must not send a ``readOnly: true`` property, and a ``oneOf``/``anyOf`` with an OpenAPI
``discriminator`` checks only the branch the discriminating property names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from jsonschema import Draft202012Validator, ValidationError, validators

__all__ = ["FORMAT_CHECKER", "RequestValidator", "branch_for", "discriminator_name"]

FORMAT_CHECKER: Final = Draft202012Validator.FORMAT_CHECKER
_ONE_OF: Final = Draft202012Validator.VALIDATORS["oneOf"]
_ANY_OF: Final = Draft202012Validator.VALIDATORS["anyOf"]


def _read_only(
    validator: Any, read_only: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if read_only is True:
        yield ValidationError("is readOnly and must not be sent in a request")


def discriminator_name(schema: Mapping[str, Any]) -> Any:
    """The discriminating property's name, or None when the schema has no discriminator."""
    discriminator = schema.get("discriminator")
    return discriminator.get("propertyName") if isinstance(discriminator, dict) else None


def branch_for(discriminator: Mapping[str, Any], branches: list[Any], value: Any) -> Any:
    """The branch a discriminator value selects: by ``mapping``, else by a ``$ref``'s name."""
    mapping = discriminator.get("mapping") or {}
    if value in mapping:
        target = str(mapping[value])
        return {
            "$ref": target if ("/" in target or "#" in target) else f"#/components/schemas/{target}"
        }
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str) and ref.rsplit("/", 1)[-1] == value:
            return branch
    return None


def _with_discriminator(original: Any) -> Any:
    def keyword(
        validator: Any, branches: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        name = discriminator_name(schema)
        if not (name and isinstance(instance, dict) and name in instance):
            yield from original(validator, branches, instance, schema)
            return
        branch = branch_for(schema["discriminator"], branches, instance[name])
        if branch is None:
            yield ValidationError(
                f"{instance[name]!r} is not a known {name}", path=[name], validator="discriminator"
            )
            return
        yield from validator.descend(instance, branch)

    return keyword


RequestValidator = validators.extend(  # type: ignore[no-untyped-call]  # untyped library
    Draft202012Validator,
    {
        "readOnly": _read_only,
        "oneOf": _with_discriminator(_ONE_OF),
        "anyOf": _with_discriminator(_ANY_OF),
    },
)
