"""大写金额 on a receipt, by the rules a bank teller checks (one 零 for a run of zeros, 整 after
元 or 角 but never after 分, 壹拾 for the tens)."""

from __future__ import annotations

import pytest

from services.billing.payments.receipt import yuan_in_capitals
from shared.masking import mask_name


@pytest.mark.parametrize(
    ("fen", "capitals"),
    [
        (10_001, "壹佰元零壹分"),
        (30_000, "叁佰元整"),
        (1_050, "壹拾元伍角整"),
        (1, "壹分"),
        (10, "壹角整"),
        (0, "零元整"),
        (140_950, "壹仟肆佰零玖元伍角整"),
        (600_714, "陆仟零柒元壹角肆分"),
        (32_504, "叁佰贰拾伍元零肆分"),
        (10_700_053, "壹拾万柒仟元伍角叁分"),
        (100_005_000, "壹佰万零伍拾元整"),
        (6_000_000, "陆万元整"),
        (10_001_000_000, "壹亿零壹万元整"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
    ],
)
def test_amounts_in_chinese_capitals(fen: int, capitals: str) -> None:
    assert yuan_in_capitals(fen) == capitals


def test_a_typed_payer_name_is_masked_like_the_registry_masks_it() -> None:
    assert [mask_name(n) for n in ("王秀英", "李明", "欧阳娜娜", "王", "")] == ["王*英", "李*", "欧**娜", "王", "*"]
