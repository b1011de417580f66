"""People rules without a database: ID-card numbers (GB 11643-1999), mobiles, masking."""

from __future__ import annotations

from datetime import date

import pytest

from services.registry.people.domain import (
    ENUMS,
    Gender,
    GridWorkerKind,
    HeadKind,
    ResidentKind,
    birth_date_of,
    check_birth_date,
    check_stay,
    id_card_check_char,
    mask_id_card,
    mask_mobile,
    normalise_person_name,
    parse_id_card,
    parse_mobile,
)
from shared.errors import InvalidInput

# The day these checks are judged on (a birth date must not lie after it).
TODAY = date(2026, 11, 25)

WANG = "11010519491231002X"  # check character X
TAIYUAN = "140107196203150016"


def test_enums_carry_chinese_labels() -> None:
    assert [m.label for m in Gender] == ["男", "女"]
    assert ResidentKind.owner.label == "业主"
    assert ResidentKind.tenant.label == "租户"
    assert GridWorkerKind.full_time.label == "专职"
    assert GridWorkerKind.part_time.label == "兼职"
    assert [h.label for h in HeadKind] == ["楼栋长", "单元长", "院落长"]
    assert set(ENUMS) == {"gender", "resident_kind", "grid_worker_kind", "head_kind"}
    assert ENUMS["head_kind"].choices()[0] == {"value": "building", "label": "楼栋长"}


def test_the_check_character_follows_gb_11643() -> None:
    # The standard's own worked example: 11010519491231002X.
    assert id_card_check_char("11010519491231002") == "X"
    assert id_card_check_char("14010719620315001") == "6"
    with pytest.raises(ValueError, match="17 digits"):
        id_card_check_char("1101051949123100")


@pytest.mark.parametrize(
    ("raw", "kept"),
    [(WANG, WANG), ("11010519491231002x", WANG), (f"  {TAIYUAN} ", TAIYUAN)],
)
def test_valid_numbers_are_normalised(raw: str, kept: str) -> None:
    assert parse_id_card(raw, today=TODAY) == kept


def test_the_birth_date_is_read_from_the_number() -> None:
    assert birth_date_of(WANG) == date(1949, 12, 31)
    check_birth_date(WANG, date(1949, 12, 31))
    with pytest.raises(InvalidInput) as err:
        check_birth_date(WANG, date(1950, 1, 1))
    assert err.value.details == [{"field": "birth_date", "value": "1950-01-01"}]
    assert "1949-12-31" in err.value.message


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("110105194912310021", "校验位"),  # last digit mistyped
        ("11010519491231003X", "校验位"),  # a digit mistyped, check kept
        ("1101051949123100", "18 位"),  # too short
        ("11010519491231002Y", "18 位"),  # not 0-9 or X
        ("01010519491231002X", "18 位"),  # no region starts with 0
        ("１１０１０５１９４９１２３１００２Ｘ", "18 位"),  # full-width digits
        ("110105194902300011", "不是有效日期"),  # 30 February
        ("110105189912310011", "不是有效日期"),  # before 1900
    ],
)
def test_numbers_a_clerk_gets_wrong_are_refused_with_the_value(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_id_card(raw, today=TODAY)
    assert why in err.value.message
    assert "id_card" in err.value.message
    assert err.value.details == [{"field": "id_card", "value": raw}]


def test_a_birth_date_in_the_future_is_refused() -> None:
    future = "11010520990101001"
    with pytest.raises(InvalidInput, match="future") as err:
        parse_id_card(future + id_card_check_char(future), today=date(2026, 11, 25))
    assert "未来" in err.value.message


@pytest.mark.parametrize(
    "raw",
    ["13800000004", "138 0000 0004", "138-0000-0004", "+86 138 0000 0004", "8613800000004", "0086-13800000004"],
)
def test_mobiles_are_normalised_to_eleven_digits(raw: str) -> None:
    assert parse_mobile(raw) == "13800000004"


@pytest.mark.parametrize("raw", ["12800000004", "1380000000", "138000000041", "0351-1234567", "手机号", ""])
def test_wrong_mobiles_are_refused_with_the_value(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_mobile(raw)
    assert "手机号" in err.value.message
    assert err.value.details == [{"field": "mobile", "value": raw}]


def test_masks_keep_only_what_identifies_nobody() -> None:
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_id_card("110105194912311234") == "1101**********1234"
    assert mask_id_card(WANG) == "1101**********002X"
    assert mask_mobile("123") == "***"


def test_names_and_stays() -> None:
    assert normalise_person_name("  王  秀英 ") == "王 秀英"
    with pytest.raises(InvalidInput):
        normalise_person_name("  ")
    with pytest.raises(InvalidInput) as err:
        normalise_person_name("王" * 51)
    assert err.value.details[0]["field"] == "name"
    check_stay(date(2001, 5, 1), None)
    check_stay(date(2001, 5, 1), date(2001, 5, 1))
    with pytest.raises(InvalidInput) as err:
        check_stay(date(2001, 5, 1), date(2000, 1, 1))
    assert err.value.details == [{"field": "moved_out", "value": "2000-01-01"}]


def test_ascii_digits_only() -> None:
    # Python's \d would take these; a clerk's full-width digits are refused, not stored.
    with pytest.raises(InvalidInput):
        parse_id_card("1１010519491231002X", today=TODAY)
    with pytest.raises(InvalidInput):
        parse_mobile("138０0000004")
