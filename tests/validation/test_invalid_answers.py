"""Which answer an invalid request gets: documented 422, else 400, else default, else a problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import settings_for_spec

SPEC = Path(__file__).with_name("answers.yaml")


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/documents-422", 422, {"from": "422"}),
        ("/documents-400", 400, {"from": "400"}),
        ("/documents-default", 422, {"from": "default"}),
    ],
    ids=["422-first", "then-400", "then-default"],
)
async def test_documented_answer_is_used(
    aiohttp_client: Any, path: str, status: int, body: Any
) -> None:
    """The spec's own error answer, with its example, so the body is the real API's."""
    settings = settings_for_spec(SPEC)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get(path + "?n=x")
    assert (response.status, await response.json()) == (status, body)
    assert json.loads(response.headers["X-Mockproxy-Violations"]) == [
        {"in": "request", "pointer": "/query/n", "detail": '"x" is not of type "integer"'}
    ]


async def test_undocumented_answer_is_a_problem_listing_errors(aiohttp_client: Any) -> None:
    """With no documented error answer, a 422 problem carries the errors."""
    settings = settings_for_spec(SPEC)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get("/documents-nothing")
    assert response.status == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    body = await response.json()
    assert body["errors"] == [
        {"pointer": "/query/n", "detail": 'required query parameter "n" is missing'}
    ]
    assert body["operation_id"] == "withNothing"


async def test_prefer_validate_false_skips_validation(aiohttp_client: Any) -> None:
    """`Prefer: validate=false` answers normally and reports nothing."""
    settings = settings_for_spec(SPEC)
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get("/documents-nothing", headers={"Prefer": "validate=false"})
    assert response.status == 200
    assert "X-Mockproxy-Violations" not in response.headers


async def test_warn_mode_answers_normally_and_reports(aiohttp_client: Any) -> None:
    """validation: warn answers as if valid, with the findings in the header."""
    import dataclasses

    from proxy.settings import ValidationMode

    settings = settings_for_spec(SPEC)
    [name] = settings.apis
    api = dataclasses.replace(settings.apis[name], validation=ValidationMode.WARN)
    settings = dataclasses.replace(settings, apis={name: api})
    client = await aiohttp_client(create_app(settings, build_catalog(settings)))
    response = await client.get("/documents-nothing")
    assert response.status == 200
    assert json.loads(response.headers["X-Mockproxy-Violations"]) == [
        {
            "in": "request",
            "pointer": "/query/n",
            "detail": 'required query parameter "n" is missing',
        }
    ]
