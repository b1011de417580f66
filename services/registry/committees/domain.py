"""Committee rules, plain Python: the compound's bodies (the 131 model's council, owners' or
property or self-management committee, supervisory committee), roles, one chair per body."""

from __future__ import annotations

from datetime import date

from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput
from shared.labels import LabeledEnum


class Body(LabeledEnum):
    """A compound's self-governing bodies."""

    council = "council", "议事会"
    owners_committee = "owners_committee", "业委会"
    property_committee = "property_committee", "物管会"
    self_management_committee = "self_management_committee", "自管委"
    supervisory_committee = "supervisory_committee", "监委会"


class MemberRole(LabeledEnum):
    chair = "chair", "主任"
    deputy = "deputy", "副主任"
    member = "member", "委员"


ENUMS: dict[str, type[LabeledEnum]] = {"committee_body": Body, "committee_role": MemberRole}

# The bodies that decide and execute: a compound with one of them "has a committee" in the
# coverage figures (业委会 / 物管会 / 自管委).
DECIDING_BODIES: tuple[Body, ...] = (Body.owners_committee, Body.property_committee, Body.self_management_committee)


def check_one_chair(body: Body, compound_id: int, sitting_chair_id: int | None) -> None:
    """A body has at most one sitting chair per compound."""
    if sitting_chair_id is not None:
        raise Conflict(
            f"小区 {compound_id} 的{body.label}已有主任（任职 {sitting_chair_id}），请先卸任再任命",
            f"The {body.value} of compound {compound_id} already has a chair (membership {sitting_chair_id})",
            code=ErrorCode.chair_taken,
            details={"field": "role", "value": MemberRole.chair.value, "existing_id": sitting_chair_id},
        )


def check_term(since: date | None, until: date | None) -> None:
    """A term cannot end before it starts."""
    if since is not None and until is not None and until < since:
        raise InvalidInput(
            f"卸任日期 {until} 早于任职日期 {since}",
            f"until {until} is before since {since}",
            details=[{"field": "until", "value": str(until)}],
        )
