"""What an operation's callbacks send: planned once at load, expanded per answered request.

A plan comes from the description's OpenAPI 3 ``callbacks`` or from the config (for
Swagger 2.0 and descriptions without them): a URL template of runtime expressions, a method,
and a body, which is the documented one (example, else generated from the schema), another
operation's documented response (``body: {response_of: getFaxStatus}``) or a literal value,
with ``set:`` values written over it at JSON pointers.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from proxy.callbacks.delivery import Delivery
from proxy.callbacks.expressions import (
    BodyPointer,
    Exchanged,
    MissingValue,
    expand,
    request_body_pointers,
    substitute,
)
from proxy.mock.generate import Direction, generate
from proxy.openapi.model import NO_EXAMPLE, ApiSpec, MediaType, Operation

__all__ = ["NO_VALUE", "CallbackPlan", "DeclaredCallback", "plans_for"]

NO_VALUE: Final[Any] = NO_EXAMPLE
_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DeclaredCallback:
    """A callback the config declares for an operation (``operations.<key>.callbacks``)."""

    name: str
    url: str
    method: str = "POST"
    response_of: str | None = None
    """The operation whose documented success response is the body."""
    value: Any = NO_VALUE
    """A literal body (its strings may hold expressions); used when ``response_of`` is None."""
    set_values: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """JSON pointer -> value (or expression) written over the body."""
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    delay_ms: float | None = None
    where: str = "config"


@dataclass(frozen=True, slots=True)
class CallbackPlan:
    """One callback request, ready to expand for an answered request."""

    name: str
    url: str
    method: str
    media: MediaType | None = None
    value: Any = NO_VALUE
    set_values: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    headers: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    delay_ms: float | None = None
    origin: str = "spec"
    url_reads: tuple[BodyPointer, ...] = field(init=False, repr=False, compare=False)
    """The request-body values the URL names, found once here."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "url_reads", request_body_pointers(self.url))

    def unmet(self, request_body: Any) -> str | None:
        """Why a request with this body (read as JSON; None if it is not) gets no such
        callback: it lacks a value the URL names (a fax job without a status push URL).
        None when the URL names none it lacks: then ``delivery`` is worth making."""
        for pointer in self.url_reads:
            reason = pointer.missing_from(request_body)
            if reason is not None:
                return reason
        return None

    def describe(self) -> dict[str, Any]:
        """For ``mockproxy check`` and ``/_mockproxy/routes``."""
        return {"name": self.name, "method": self.method, "url": self.url, "from": self.origin}

    def delivery(self, exchanged: Exchanged, api: str, operation: str, request_id: str) -> Delivery:
        """The request to send; raises MissingValue when the answered request lacks a value
        the URL or body names (then the callback is skipped). The URL is expanded first: a
        request that names no callback URL costs no body."""
        url = expand(self.url, exchanged)
        body, content_type = self._body(exchanged)
        headers = {name: expand(value, exchanged) for name, value in self.headers.items()}
        if content_type and body:
            headers.setdefault("Content-Type", content_type)
        return Delivery(
            name=self.name,
            api=api,
            operation=operation,
            request_id=request_id,
            method=self.method,
            url=url,
            headers=headers,
            body=body,
            delay_ms=self.delay_ms,
        )

    def _body(self, exchanged: Exchanged) -> tuple[bytes, str | None]:
        if self.value is not NO_VALUE:
            value, media_type = substitute(self.value, exchanged), "application/json"
        elif self.media is not None:
            value, media_type = _documented_value(self.media), self.media.media_type
        else:
            return b"", None
        if self.set_values:
            value = copy.deepcopy(value)  # the documented example stays as it is
        for pointer, given in self.set_values.items():
            value = _set(value, pointer, substitute(given, exchanged))
        if isinstance(value, str) and "json" not in media_type:
            return value.encode(), media_type
        return json.dumps(value, separators=(",", ":")).encode(), media_type


def _documented_value(media: MediaType) -> Any:
    """The media type's example, else its first named example, else static generated data."""
    if media.example is not NO_EXAMPLE:
        return media.example
    if media.examples:
        return media.examples[0].value
    if media.schema is None:
        return None
    return generate(media.schema, direction=Direction.REQUEST)


def _set(document: Any, pointer: str, value: Any) -> Any:
    """``document`` with ``value`` at ``pointer``; missing objects on the way are made."""
    if pointer in ("", "/"):
        return value
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    root = document if isinstance(document, dict | list) else {}
    node: Any = root
    for index, token in enumerate(tokens):
        last = index == len(tokens) - 1
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            if last:
                node[int(token)] = value
            else:
                node = node[int(token)]
        elif isinstance(node, dict):
            if last:
                node[token] = value
            else:
                node = node.setdefault(token, {})
        else:
            raise MissingValue(f"set {pointer}: the body has no object at {token!r}")
    return root


def _json_media(content: tuple[MediaType, ...]) -> MediaType | None:
    for media in content:
        if "json" in media.media_type:
            return media
    return content[0] if content else None


def _response_media(operation: Operation) -> MediaType | None:
    """The body of the operation's lowest documented 2xx response (else ``default``)."""
    success = sorted(r.status for r in operation.responses if r.status.startswith("2"))
    chosen = next(
        (r for r in operation.responses if r.status == (success[0] if success else "default")),
        None,
    )
    return _json_media(chosen.content) if chosen is not None else None


def plans_for(
    operation: Operation, spec: ApiSpec, declared: tuple[DeclaredCallback, ...]
) -> tuple[tuple[CallbackPlan, ...], list[str]]:
    """The operation's callback plans (the description's, then the config's) and the
    config mistakes found making them (an unknown ``response_of``)."""
    plans = []
    for callback in operation.callbacks:
        body = callback.operation.request_body
        plans.append(
            CallbackPlan(
                name=callback.name,
                url=callback.expression,
                method=callback.operation.method,
                media=_json_media(body.content) if body is not None else None,
                origin="spec",
            )
        )
    errors = []
    for item in declared:
        media = None
        if item.response_of is not None:
            source = next((op for op in spec.operations if op.key == item.response_of), None)
            if source is None:
                errors.append(
                    f"{item.where}.body.response_of: no operation {item.response_of!r} in "
                    f"{spec.source}"
                )
                continue
            media = _response_media(source)
        plans.append(
            CallbackPlan(
                name=item.name,
                url=item.url,
                method=item.method,
                media=media,
                value=item.value,
                set_values=item.set_values,
                headers=item.headers,
                delay_ms=item.delay_ms,
                origin="config",
            )
        )
    return tuple(plans), errors
