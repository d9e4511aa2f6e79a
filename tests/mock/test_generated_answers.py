"""Generated mock answers hold to their response schema, served end to end on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.mock.test_prism_fidelity import serve

PET_IN_ANOTHER_FILE = """\
Pet:
  type: object
  properties:
    id: {type: integer, example: 7}
    tags:
      type: array
      items: {$ref: "#/Tag"}
Tag:
  type: object
  properties:
    name: {type: string, example: indoor}
"""

REQUIRED_BESIDE_EXTERNAL_ALL_OF = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: a pet
          content:
            application/json:
              schema:
                allOf:
                  - $ref: models.yaml#/Pet
                required: [id, tags]
"""


async def test_required_beside_an_all_of_from_another_file_keeps_its_properties(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """``allOf: [$ref other file]`` with ``required`` beside it answers the properties the
    other file defines, not a placeholder string for each required name."""
    (tmp_path / "models.yaml").write_text(PET_IN_ANOTHER_FILE)
    client = await serve(aiohttp_client, tmp_path, REQUIRED_BESIDE_EXTERNAL_ALL_OF)
    response = await client.get("/pets/1")
    assert (response.status, await response.json()) == (
        200,
        {"id": 7, "tags": [{"name": "indoor"}]},
    )


UNIQUE_SCOPES = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /install:
    get:
      responses:
        '200':
          description: install parameters
          content:
            application/json:
              schema:
                type: object
                required: [scopes]
                properties:
                  scopes:
                    type: array
                    uniqueItems: true
                    items: {type: string, enum: [applications.commands, bot]}
"""


async def test_dynamic_unique_items_array_stops_when_its_values_run_out(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A dynamic ``uniqueItems`` array of a two-value enum never repeats a value, whatever
    length the seed draws."""
    client = await serve(aiohttp_client, tmp_path, UNIQUE_SCOPES)
    repeated = []
    for seed in range(12):
        response = await client.get("/install", headers={"Prefer": f"dynamic=true, seed={seed}"})
        scopes = (await response.json())["scopes"]
        if len(set(scopes)) != len(scopes):
            repeated.append((seed, scopes))
    assert repeated == []


WRITE_ONLY_THROUGH_ALL_OF = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users/me:
    get:
      responses:
        '200':
          description: the user
          content:
            application/json:
              schema:
                type: object
                properties:
                  name: {type: string}
                  password:
                    allOf:
                      - $ref: '#/components/schemas/Secret'
                      - writeOnly: true
components:
  schemas:
    Secret: {type: string, minLength: 8}
"""


async def test_write_only_said_in_an_all_of_member_stays_out_of_answers(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A property made writeOnly by an ``allOf`` member (DigitalOcean's way of marking a
    reused schema) is left out of generated answers, as a writeOnly schema of its own is."""
    client = await serve(aiohttp_client, tmp_path, WRITE_ONLY_THROUGH_ALL_OF)
    response = await client.get("/users/me")
    assert (response.status, await response.json()) == (200, {"name": "string"})


FIREWALL_IN_ANOTHER_FILE = """\
Firewall:
  type: object
  properties:
    name: {type: string, example: web}
    inbound_rules:
      type: array
      items: {$ref: "#/Rule"}
    outbound_rules:
      type: array
      items: {$ref: "#/Rule"}
Rule:
  type: object
  properties:
    ports: {type: string, example: "80"}
"""

RULES_REQUIRED_BY_A_CHOICE = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /firewall:
    get:
      responses:
        '200':
          description: the firewall
          content:
            application/json:
              schema:
                allOf:
                  - $ref: models.yaml#/Firewall
                  - anyOf:
                      - {title: Inbound Rules, required: [inbound_rules]}
                      - {title: Outbound Rules, required: [outbound_rules]}
"""


async def test_name_required_by_a_choice_beside_an_all_of_from_another_file_keeps_its_value(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A name an ``anyOf`` branch requires (DigitalOcean's firewall: inbound or outbound
    rules) answers the value the other file's schema gives it, not a placeholder string."""
    (tmp_path / "models.yaml").write_text(FIREWALL_IN_ANOTHER_FILE)
    client = await serve(aiohttp_client, tmp_path, RULES_REQUIRED_BY_A_CHOICE)
    response = await client.get("/firewall")
    assert (response.status, await response.json()) == (
        200,
        {"name": "web", "inbound_rules": [{"ports": "80"}], "outbound_rules": [{"ports": "80"}]},
    )


INT64_STRINGS = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /jobs:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [lines]
              properties:
                lines: {type: string, format: int64}
      responses:
        '201':
          description: made
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string, format: int64}
"""


async def test_strings_of_integer_formats_are_generated_as_digits(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """A ``{type: string, format: int64}`` value is generated as digits, so the body the
    explorer starts with is one the mock accepts, and the answer meets its own schema."""
    client = await serve(aiohttp_client, tmp_path, INT64_STRINGS)
    reference = await client.get(
        "/_mockproxy/explorer/api/operation", params={"api": "api", "key": "POST /jobs"}
    )
    start = (await reference.json())["body"]["media_types"][0]["start"]
    response = await client.post("/jobs", json=start)
    assert (start, response.status, await response.json()) == ({"lines": "0"}, 201, {"id": "0"})


DEFAULT_OUTSIDE_ITS_CHOICE = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /completion:
    get:
      responses:
        '200':
          description: the settings used
          content:
            application/json:
              schema:
                type: object
                properties:
                  stop:
                    default: null
                    oneOf:
                      - type: string
                      - {type: array, minItems: 1, items: {type: string}}
"""


async def test_default_that_no_branch_of_its_choice_takes_is_passed_over(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """``default: null`` beside a ``oneOf`` of a string and an array (DigitalOcean's chat
    completion ``stop``) is passed over for a value of one of the branches."""
    client = await serve(aiohttp_client, tmp_path, DEFAULT_OUTSIDE_ITS_CHOICE)
    response = await client.get("/completion")
    assert (response.status, await response.json()) == (200, {"stop": "string"})
