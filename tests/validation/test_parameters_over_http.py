"""Parameters through a real server: what their schemas' annotations mean for a request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.mock.test_prism_fidelity import serve

KEY_BY_ID_OR_FINGERPRINT = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /keys/{key}:
    get:
      parameters:
        - name: key
          in: path
          required: true
          schema:
            anyOf:
              - $ref: '#/components/schemas/KeyId'
              - $ref: '#/components/schemas/Fingerprint'
      responses:
        '200': {description: the key}
components:
  schemas:
    KeyId: {type: integer, readOnly: true}
    Fingerprint: {type: string, pattern: '^[0-9a-f]{2}(:[0-9a-f]{2})+$', readOnly: true}
"""


@pytest.mark.parametrize("key", ["512189", "3b:16:bf:e4"], ids=["id", "fingerprint"])
async def test_read_only_schema_of_a_parameter_refuses_nothing(
    key: str, aiohttp_client: Any, tmp_path: Path
) -> None:
    """A parameter whose schema reuses readOnly attributes (DigitalOcean's SSH key id or
    fingerprint) is valid: readOnly speaks of properties sent in a body, not of parameters."""
    client = await serve(aiohttp_client, tmp_path, KEY_BY_ID_OR_FINGERPRINT)
    response = await client.get(f"/keys/{key}")
    assert (response.status, response.headers.get("X-Mockproxy-Violations")) == (200, None)


ACCEPT_AS_A_PARAMETER = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /apps:
    get:
      parameters:
        - name: Accept
          in: header
          schema: {type: string, enum: [application/json, application/yaml]}
        - name: Authorization
          in: header
          required: true
          schema: {type: string, pattern: '^Bearer '}
      responses:
        '200':
          description: the apps
          content:
            application/json: {schema: {type: array}}
"""


async def test_accept_content_type_and_authorization_parameters_are_ignored(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """Header parameters named Accept, Content-Type or Authorization are ignored, as OpenAPI
    says: curl's ``Accept: */*`` to DigitalOcean's apps is not a 422."""
    client = await serve(aiohttp_client, tmp_path, ACCEPT_AS_A_PARAMETER)
    response = await client.get("/apps", headers={"Accept": "*/*"})
    assert (response.status, response.headers.get("X-Mockproxy-Violations")) == (200, None)
