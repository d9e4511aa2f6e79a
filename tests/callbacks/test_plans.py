"""Callback plans: the documented body, another operation's response, literal values, set:."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from proxy.callbacks.expressions import ExchangedValues, MissingValue
from proxy.callbacks.plans import DeclaredCallback, plans_for
from proxy.openapi.loader import load_spec

SPECS = Path(__file__).with_name("specs")
FAX = Path(__file__).resolve().parents[2] / "config" / "specs" / "fax.yaml"
EXCHANGED = ExchangedValues(
    url="http://127.0.0.1/subscriptions",
    method="POST",
    status=201,
    query={"notify": "http://127.0.0.1:9/audit"},
    request_body={"callbackUrl": "http://127.0.0.1:9/hook", "event": "created"},
    response_body={"id": "sub-42"},
)


def test_the_spec_callback_sends_its_documented_example() -> None:
    """The callback's URL is expanded and its body is the documented example."""
    spec = load_spec(SPECS / "webhooks.yaml")
    plans, errors = plans_for(spec.operations[0], spec, ())
    delivery = plans[0].delivery(EXCHANGED, "hooks", "subscribe", "r-1")
    assert errors == []
    assert (delivery.method, delivery.url) == (
        "POST",
        "http://127.0.0.1:9/hook?subscription=sub-42",
    )
    assert json.loads(delivery.body) == {"id": "sub-42", "event": "created"}
    assert delivery.headers["Content-Type"] == "application/json"


def test_a_callback_without_example_gets_generated_data() -> None:
    """With no example the body is generated from the schema, valid against its pattern."""
    spec = load_spec(SPECS / "webhooks.yaml")
    plans, _ = plans_for(spec.operations[0], spec, ())
    delivery = plans[1].delivery(EXCHANGED, "hooks", "subscribe", "r-1")
    assert (delivery.method, delivery.url) == ("PUT", "http://127.0.0.1:9/audit")
    assert json.loads(delivery.body)["auditId"][0] == "A"


def test_another_operations_response_with_values_set() -> None:
    """A config callback's body is another operation's documented response, with set: applied."""
    spec = load_spec(FAX)
    declared = DeclaredCallback(
        name="statusPush",
        url="{$request.body#/callbackUrl}",
        response_of="getFaxStatus",
        set_values={"/jobId": "{$response.body#/id}", "/recipientStatus/0/status": "OK"},
    )
    send = next(op for op in spec.operations if op.key == "sendFaxJob")
    plans, errors = plans_for(send, spec, (declared,))
    body = json.loads(plans[0].delivery(EXCHANGED, "fax", "sendFaxJob", "r-1").body)
    assert errors == [] and body["jobId"] == "sub-42"
    assert body["recipientStatus"][0]["status"] == "OK" and "number" in body["recipientStatus"][0]


def test_a_literal_body_takes_typed_values() -> None:
    """A literal body's whole-expression strings keep the value's type."""
    spec = load_spec(FAX)
    declared = DeclaredCallback(
        name="n",
        url="http://127.0.0.1:9/",
        value={"status": "{$statusCode}", "id": "job-{$response.body#/id}"},
    )
    plans, _ = plans_for(spec.operations[0], spec, (declared,))
    assert json.loads(plans[0].delivery(EXCHANGED, "fax", "x", "r").body) == {
        "status": 201,
        "id": "job-sub-42",
    }


@pytest.mark.parametrize(
    ("request_body", "reason"),
    [
        ({"callbackUrl": "http://127.0.0.1:9/hook"}, None),
        ({"event": "created"}, "$request.body#/callbackUrl: the body has nothing at /callbackUrl"),
        (["http://127.0.0.1:9/hook"], "$request.body#/callbackUrl: the body has nothing at"),
        (None, "$request.body#/callbackUrl: the request has no JSON body"),
    ],
    ids=["present", "absent", "array", "not-json"],
)
def test_a_plan_tells_a_body_without_its_url_apart(request_body: Any, reason: str | None) -> None:
    """``unmet`` says what ``delivery`` would raise for a body lacking the URL, else None."""
    declared = DeclaredCallback(name="n", url="{$request.body#/callbackUrl}?k={$method}")
    spec = load_spec(FAX)
    (plan,), _ = plans_for(spec.operations[0], spec, (declared,))
    exchanged = dataclasses.replace(EXCHANGED, request_body=request_body)
    found = plan.unmet(request_body)
    if reason is None:
        assert found is None and plan.delivery(exchanged, "fax", "x", "r").url.endswith("?k=POST")
    else:
        assert found is not None and found.startswith(reason)
        with pytest.raises(MissingValue) as raised:
            plan.delivery(exchanged, "fax", "x", "r")
        assert str(raised.value) == found
