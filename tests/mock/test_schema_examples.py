"""Property examples that break their own schema are listed for spec authors."""

from __future__ import annotations

from pathlib import Path

from proxy.mock.schema_examples import unfit_property_examples
from proxy.openapi.loader import load_spec

SPEC = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      properties:
        flag: {type: boolean, example: 'false'}
        fine: {type: string, example: yes}
        tags: {type: array, items: {type: integer, example: one}}
      example: {flag: 'false'}
"""


def test_unfit_property_and_item_examples_are_listed(tmp_path: Path) -> None:
    """Each unfit property or item example is named by pointer; the whole example is not."""
    path = tmp_path / "api.yaml"
    path.write_text(SPEC)
    where = f"{path}#/components/schemas/Thing/properties"
    assert unfit_property_examples(load_spec(path)) == [
        f"{where}/flag/example: 'false' does not meet the property's own schema; "
        "generated bodies use a valid value instead",
        f"{where}/tags/items/example: 'one' does not meet the property's own schema; "
        "generated bodies use a valid value instead",
    ]
