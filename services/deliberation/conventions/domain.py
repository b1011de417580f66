"""Conventions (公约) at four levels, plain Python: which decisions may become clauses."""

from __future__ import annotations

from services.deliberation.proposals.domain import Status
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.labels import LabeledEnum


class Level(LabeledEnum):
    compound = "compound", "小区公约"
    courtyard = "courtyard", "院落公约"
    building = "building", "楼栋公约"
    entrance = "entrance", "单元公约"


# A clause records a decision that stands (一制管一事): passed, being executed or evaluated.
CODIFIABLE = frozenset({Status.passed, Status.executing, Status.evaluated})


def check_codifiable(status: Status) -> None:
    """Only a decision that stands becomes a clause."""
    if status not in CODIFIABLE:
        raise Conflict(
            f"议题当前为「{status.label}」，只有已通过的决定才能纳入公约",
            "Only a decision that passed can become a clause of a convention",
            code=ErrorCode.not_decided,
        )
