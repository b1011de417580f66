"""Care zones, one household one zone (一户一区, seed 000): the ground in front of and behind the
houses divided among the households, each zone kept by one household; the building or courtyard
head inspects it with photos and a result, and the result is the household's points (积分) and so
its place on the environmental red and black list."""

from __future__ import annotations

from services.dispatch.credit.domain import CreditReason
from shared.labels import LabeledEnum


class InspectionResult(LabeledEnum):
    passed = "passed", "合格"
    failed = "failed", "不合格"


POINTS_REASON: dict[InspectionResult, CreditReason] = {
    InspectionResult.passed: CreditReason.zone_passed,
    InspectionResult.failed: CreditReason.zone_failed,
}

MAX_PHOTOS = 3

ENUMS: dict[str, type[LabeledEnum]] = {"inspection_result": InspectionResult}
