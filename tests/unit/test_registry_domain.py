"""Registry rules without a database."""

import pytest

from services.registry.domain import CompoundKind, ManagementModel, check_version, normalise_compound_name
from shared.errors import Conflict, InvalidInput


def test_every_enum_value_has_a_chinese_label() -> None:
    assert CompoundKind.resettlement.label == "集中居住区"
    assert ManagementModel.community_custody.label == "社区托管"
    assert all(k.label for k in CompoundKind) and all(m.label for m in ManagementModel)


def test_compound_names_are_trimmed_and_refused_when_blank() -> None:
    assert normalise_compound_name("  杏花岭   小区 ") == "杏花岭 小区"
    with pytest.raises(InvalidInput) as err:
        normalise_compound_name("   ")
    assert err.value.details == [{"field": "name", "value": "   "}]


def test_a_stale_version_is_a_conflict_naming_both_versions() -> None:
    check_version(3, 3)
    with pytest.raises(Conflict) as err:
        check_version(4, 3)
    assert err.value.code == "stale_version"
    assert err.value.details == {"current_version": 4, "your_version": 3}
