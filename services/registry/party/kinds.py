"""The party entity kinds (organisation, member, check-in, center household) and the facts their events
carry beyond the entity's own row (a member's name, home and skills; a center household's mentored
households). They are loaded before the entity is saved and kept on the instance's SQLAlchemy state
(`facts`), where the entity kinds read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from services.registry.entities import EntityKind
from services.registry.party.models import CenterHousehold, CheckIn, PartyMember, PartyOrg
from shared.contracts import registry as c


def facts(entity: Any) -> dict[str, Any]:
    """What an entity's event needs beyond its own columns, loaded before it is saved."""
    info: dict[str, Any] = inspect(entity).info
    return info


def fact(entity: Any, name: str) -> Any:
    """One loaded fact; a clear error for code that saves the entity without loading them
    (use the functions of this module rather than `entities.create` directly)."""
    try:
        return facts(entity)[name]
    except KeyError:
        raise RuntimeError(
            f"{type(entity).__name__} {getattr(entity, 'id', None)}: {name!r} not loaded; "
            "save it through the use-case modules of services.registry.party"
        ) from None


def _org_key(e: PartyOrg) -> int:
    compound_id = facts(e).get("compound_id")
    return int(compound_id) if compound_id is not None else e.id


PARTY_ORG = EntityKind(
    PartyOrg,
    "党组织",
    "party organisation",
    c.PartyOrgFields,
    lambda e: {
        "party_org_id": e.id,
        "parent_id": e.parent_id,
        "level": e.level,
        "name": e.name,
        "place_kind": e.place_kind,
        "place_id": e.place_id,
        "version": e.version,
    },
    _org_key,
)


PARTY_MEMBER = EntityKind(
    PartyMember,
    "党员",
    "party member",
    c.PartyMemberFields,
    lambda e: {
        "party_member_id": e.id,
        "person_id": e.person_id,
        "ledger": e.ledger,
        "party_org_id": e.party_org_id,
        "on_duty": e.on_duty,
        "max_open_orders": e.max_open_orders,
        "version": e.version,
        "name": fact(e, "name"),
        "household_id": fact(e, "household_id"),
        "compound_id": fact(e, "compound_id"),
        "skills": [str(skill) for skill in fact(e, "skills")],
    },
    lambda e: fact(e, "compound_id") or e.id,
)


CHECK_IN = EntityKind(
    CheckIn,
    "报到",
    "check-in",
    c.CheckInFields,
    lambda e: {
        "check_in_id": e.id,
        "party_member_id": e.party_member_id,
        "person_id": fact(e, "person_id"),
        "compound_id": e.compound_id,
        "post": e.post,
        "active": e.ended_at is None,
        "version": e.version,
    },
    lambda e: e.compound_id,
)


CENTER_HOUSEHOLD = EntityKind(
    CenterHousehold,
    "党员中心户",
    "center household",
    c.CenterHouseholdFields,
    lambda e: {
        "center_household_id": e.id,
        "household_id": e.household_id,
        "party_member_id": e.party_member_id,
        "compound_id": e.compound_id,
        "mentored_household_ids": fact(e, "mentored"),
        "version": e.version,
    },
    lambda e: e.compound_id,
)
