"""OpenAPI 3 callbacks are read from the description into the operation model."""

from __future__ import annotations

from pathlib import Path

from proxy.openapi.loader import load_spec

SPECS = Path(__file__).with_name("specs")


def test_callbacks_are_loaded_with_expression_method_and_body() -> None:
    """Each callback request keeps its name, URL expression, method and documented body."""
    spec = load_spec(SPECS / "webhooks.yaml")
    (operation,) = spec.operations
    found = [(c.name, c.expression, c.operation.method) for c in operation.callbacks]
    assert found == [
        ("onEvent", "{$request.body#/callbackUrl}?subscription={$response.body#/id}", "POST"),
        ("onAudit", "{$request.query.notify}", "PUT"),
    ]
    body = operation.callbacks[0].operation.request_body
    assert body is not None and body.content[0].example == {"id": "sub-42", "event": "created"}


def test_callbacks_are_not_served_as_operations() -> None:
    """A callback is a request mockproxy sends, not a path it answers."""
    spec = load_spec(SPECS / "webhooks.yaml")
    assert [op.key for op in spec.operations] == ["subscribe"]
