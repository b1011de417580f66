"""Registry rules without a database."""

from decimal import Decimal

import pytest

from services.registry.places.domain import (
    BuildingStructure,
    CompoundKind,
    ManagementModel,
    check_exclusive_area,
    check_shares,
    normalise_name,
    parse_area,
)
from shared.errors import InvalidInput


def test_every_enum_value_has_a_chinese_label() -> None:
    assert CompoundKind.resettlement.label == "集中居住区"
    assert ManagementModel.community_custody.label == "社区托管"
    assert BuildingStructure.high_rise.label == "高层"
    assert CompoundKind("old") is CompoundKind.old
    assert CompoundKind.old == "old"
    assert [c["label"] for c in ManagementModel.choices()] == ["专业物业", "自管", "社区托管"]


def test_names_are_trimmed_and_refused_when_blank() -> None:
    assert normalise_name("  杏花岭   小区 ") == "杏花岭 小区"
    with pytest.raises(InvalidInput) as err:
        normalise_name("   ")
    assert err.value.details == [{"field": "name", "value": "   "}]


@pytest.mark.parametrize("raw", ["86.5", "86.50", 86.5, "0.01"])
def test_areas_with_at_most_two_decimals_are_kept_exactly(raw: object) -> None:
    assert parse_area(raw) == Decimal(str(raw)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("0", "大于 0"),
        ("-3", "大于 0"),
        ("86.505", "两位小数"),
        ("八十", "数字"),
        ("NaN", "大于 0"),
        ("250000", "过大"),
    ],
)
def test_areas_a_clerk_gets_wrong_are_refused_with_the_value(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_area(raw)
    assert why in err.value.message
    assert err.value.details == [{"field": "area_m2", "value": raw}]


def test_exclusive_area_cannot_exceed_building_area() -> None:
    check_exclusive_area(Decimal("86.50"), Decimal("78.50"))
    with pytest.raises(InvalidInput, match="exclusive_area_m2"):
        check_exclusive_area(Decimal("86.50"), Decimal("90.00"))


def test_co_owners_shares_add_up_to_at_most_one_hundred_percent() -> None:
    check_shares(5_000, 5_000)
    with pytest.raises(InvalidInput) as err:
        check_shares(6_000, 5_000)
    assert "超过 100%" in err.value.message
