"""Enums whose members carry a Chinese display label, served by the API beside the value."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, computed_field


class LabeledEnum(StrEnum):
    """Members are declared as `value = "value", "中文标签"`; `.label` gives the label."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabeledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def choices(cls) -> list[dict[str, str]]:
        """[{"value": …, "label": …}] for the enums endpoint."""
        return [{"value": m.value, "label": m.label} for m in cls]


def label_of(field: str, *, nullable: bool = False) -> Any:
    """A response field that answers the Chinese label of the model's enum field `field`, so a
    response is built from its row alone: `kind_label = label_of("kind")` beside `kind: CompoundKind`
    in a model with `ConfigDict(from_attributes=True)`, then `CompoundOut.model_validate(row)`.
    It is a read-only computed field (listed in the OpenAPI as required and readOnly); with
    `nullable=True` it is null where the enum field is null."""

    def label(self: BaseModel) -> str | None:
        value = getattr(self, field)
        return None if value is None else str(value.label)

    label.__doc__ = f"The Chinese label of {field} (中文标签)"
    return computed_field(property(label), return_type=str | None if nullable else str)  # type: ignore[prop-decorator]
