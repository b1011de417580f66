"""What the supervisory committee discloses (公示), plain Python."""

from __future__ import annotations

from shared.labels import LabeledEnum


class DisclosureKind(LabeledEnum):
    decision = "decision", "决定公示"
    tally = "tally", "计票结果公示"
    spending = "spending", "收支公示"
    classification = "classification", "表决事项定性公示"
