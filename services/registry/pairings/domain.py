"""Pairing rules (包联), plain Python: who pairs with what, by kind, and which pairings the
compound's wall shows (上墙公示: public and still running)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from shared.error_codes import ErrorCode
from shared.errors import InvalidInput
from shared.labels import LabeledEnum


class PairingKind(LabeledEnum):
    """The three pairing mechanisms of seed 002."""

    cadre_compound = "cadre_compound", "干部包联小区"
    member_household = "member_household", "在职党员包联住户"
    center_needy = "center_needy", "党员中心户包联困难户"


ENUMS: dict[str, type[LabeledEnum]] = {"pairing_kind": PairingKind}

PARTIES = ("cadre_person_id", "party_member_id", "center_household_id", "household_id")

# The fields each kind needs; every other party field must be empty.
REQUIRED: dict[PairingKind, tuple[str, ...]] = {
    PairingKind.cadre_compound: ("cadre_person_id",),
    PairingKind.member_household: ("party_member_id", "household_id"),
    PairingKind.center_needy: ("center_household_id", "household_id"),
}

# Who does the pairing, as the wall names them.
PAIRER_LABEL: dict[PairingKind, str] = {
    PairingKind.cadre_compound: "包联干部",
    PairingKind.member_household: "在职党员",
    PairingKind.center_needy: "党员中心户",
}

_FIELD_LABEL = {
    "cadre_person_id": "包联干部 (cadre_person_id)",
    "party_member_id": "党员 (party_member_id)",
    "center_household_id": "党员中心户 (center_household_id)",
    "household_id": "住户 (household_id)",
}


def check_parties(kind: PairingKind, given: Mapping[str, int | None]) -> None:
    """Each kind names exactly its own parties: a cadre and no household for a compound
    pairing, a member and a household, or a center household and a household."""
    missing = [f for f in REQUIRED[kind] if given.get(f) is None]
    if missing:
        raise InvalidInput(
            f"{kind.label}需要填写：{'、'.join(_FIELD_LABEL[f] for f in missing)}",
            f"A {kind.value} pairing needs {', '.join(missing)}",
            details=[{"field": f, "value": None, "kind": kind.value} for f in missing],
        )
    extra = [f for f in PARTIES if f not in REQUIRED[kind] and given.get(f) is not None]
    if extra:
        raise InvalidInput(
            f"{kind.label}不能填写：{'、'.join(_FIELD_LABEL[f] for f in extra)}",
            f"A {kind.value} pairing must not name {', '.join(extra)}",
            details=[{"field": f, "value": given[f], "kind": kind.value} for f in extra],
        )


def check_needy(household_id: int, needy: bool) -> None:
    """党员中心户包联困难户: the paired household is flagged needy."""
    if not needy:
        raise InvalidInput(
            f"住户 {household_id} 未登记为困难户，不能作为党员中心户包联困难户的对象",
            f"Household {household_id} is not flagged needy",
            code=ErrorCode.not_needy,
            details=[{"field": "household_id", "value": household_id}],
        )


def check_in_compound(field: str, entity_id: int, its_compound_id: int, compound_id: int) -> None:
    """Both sides of a pairing lie in the pairing's compound."""
    if its_compound_id != compound_id:
        raise InvalidInput(
            f"{_FIELD_LABEL[field]} {entity_id} 不在小区 {compound_id} 内（在小区 {its_compound_id}）",
            f"{field} {entity_id} lies in compound {its_compound_id}, not {compound_id}",
            details=[{"field": field, "value": entity_id, "compound_id": its_compound_id}],
        )


def check_period(since: date | None, until: date | None) -> None:
    """A pairing cannot end before it starts."""
    if since is not None and until is not None and until < since:
        raise InvalidInput(
            f"包联结束日期 {until} 早于开始日期 {since}",
            f"until {until} is before since {since}",
            details=[{"field": "until", "value": str(until)}],
        )


def is_active(until: date | None, today: date) -> bool:
    """A pairing runs until the end of its last day; without an end it runs on."""
    return until is None or until >= today
