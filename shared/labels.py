"""Enums whose members carry a Chinese display label, served by the API beside the value."""

from __future__ import annotations

from enum import StrEnum


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
