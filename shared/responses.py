"""Responses read from rows (docs/architecture.md, "Responses from rows"): the base every `…Out`
model that mirrors a row derives from, and the one type a column that keeps JSON as text needs."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import BaseModel, BeforeValidator, ConfigDict


class FromRow(BaseModel):
    """`XOut.model_validate(row)` reads an ORM object or a Core row by its attributes; labels and
    derived figures are computed fields, so no function copies the row field by field."""

    model_config = ConfigDict(from_attributes=True)


def _parsed(value: object) -> object:
    return json.loads(value) if isinstance(value, str | bytes) else value


# Billing's Core tables keep lists and documents as JSON text: parsed when the row is read, so the
# answer's schema is the list or the object itself: `evidence: Annotated[list[str], JsonText]`.
JsonText = BeforeValidator(_parsed)


class _Beside:
    """A row read by its attributes, with the values it lacks (a name from another table) given
    beside it; those win over the row's own."""

    def __init__(self, row: object, more: Mapping[str, object]) -> None:
        self._row = row
        self._more = more

    def __getattr__(self, name: str) -> object:
        if name in self._more:
            return self._more[name]
        return getattr(self._row, name)


def row_with(row: object, **more: object) -> object:
    """`HeadOut.model_validate(row_with(head, person_name=name))`: the answer is validated whole,
    so what comes from elsewhere stays a required field rather than a default filled in later."""
    return _Beside(row, more)
