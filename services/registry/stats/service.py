"""Coverage statistics per street or community, counted from the registry's own tables."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.committees.domain import DECIDING_BODIES
from services.registry.committees.models import Membership
from services.registry.pairings.domain import PairingKind
from services.registry.pairings.models import Pairing
from services.registry.party.domain import PartyLedger, PartyOrgLevel
from services.registry.party.models import CheckIn, PartyMember, PartyOrg
from services.registry.people.domain import HeadKind
from services.registry.people.models import Head, Person
from services.registry.places.models import Community, Compound, Street
from services.registry.stats import schemas as s
from services.registry.stats.domain import Coverage, total
from shared.auth import Place, Principal, Role, require_staff_of
from shared.clock import clock_of
from shared.errors import InvalidInput, NotFound


def figures(c: Coverage) -> dict[str, Any]:
    by_ledger = {ledger.value: c.members_by_ledger.get(ledger.value, 0) for ledger in PartyLedger}
    return {
        "compounds": c.compounds,
        "compounds_with_party_branch": c.with_party_branch,
        "party_branch_rate": c.party_branch_rate,
        "compounds_with_building_heads": c.with_building_heads,
        "building_head_rate": c.building_head_rate,
        "compounds_with_committee": c.with_committee,
        "committee_rate": c.committee_rate,
        "party_members": c.party_members,
        "party_members_by_ledger": by_ledger,
        "in_service_members": by_ledger[PartyLedger.in_service.value],
        "in_service_checked_in": c.in_service_checked_in,
        "check_in_rate": c.check_in_rate(PartyLedger.in_service.value),
        "pairings": c.pairings,
        "pairings_by_kind": {kind.value: c.pairings_by_kind.get(kind.value, 0) for kind in PairingKind},
    }


async def _communities(
    session: AsyncSession, street_id: int | None, community_id: int | None
) -> tuple[int, list[Community]]:
    if (street_id is None) == (community_id is None):
        raise InvalidInput(
            "请只指定 street_id 或 community_id 其中之一",
            "Give exactly one of street_id and community_id",
            details=[{"field": "street_id", "value": street_id}, {"field": "community_id", "value": community_id}],
        )
    if community_id is not None:
        community = await session.get(Community, community_id)
        if community is None:
            raise NotFound(
                f"社区 {community_id} 不存在",
                f"Community {community_id} not found",
                details={"field": "community_id", "value": community_id},
            )
        return community.street_id, [community]
    assert street_id is not None
    if await session.get(Street, street_id) is None:
        raise NotFound(
            f"街道 {street_id} 不存在",
            f"Street {street_id} not found",
            details={"field": "street_id", "value": street_id},
        )
    communities = (
        await session.scalars(select(Community).where(Community.street_id == street_id).order_by(Community.id))
    ).all()
    return street_id, list(communities)


async def _per_compound(session: AsyncSession, query: Any) -> dict[int, int]:
    return {compound_id: int(n) for compound_id, n in (await session.execute(query)).all()}


async def per_compound(session: AsyncSession, ids: list[int], as_of: date) -> dict[int, Coverage]:
    """The coverage counts of each compound (the rows every report sums)."""
    branches = set(
        (
            await session.scalars(
                select(PartyOrg.place_id).where(
                    PartyOrg.level == PartyOrgLevel.compound_branch.value,
                    PartyOrg.place_kind == "compound",
                    PartyOrg.place_id.in_(ids),
                )
            )
        ).all()
    )
    headed = set(
        (
            await session.scalars(
                select(Head.compound_id)
                .where(Head.kind == HeadKind.building.value, Head.compound_id.in_(ids))
                .distinct()
            )
        ).all()
    )
    committees = set(
        (
            await session.scalars(
                select(Membership.compound_id)
                .where(
                    Membership.body.in_([b.value for b in DECIDING_BODIES]),
                    Membership.until.is_(None),
                    Membership.compound_id.in_(ids),
                )
                .distinct()
            )
        ).all()
    )
    members: dict[int, dict[str, int]] = defaultdict(dict)
    for compound_id, ledger, n in (
        await session.execute(
            select(Person.compound_id, PartyMember.ledger, func.count())
            .join(Person, Person.id == PartyMember.person_id)
            .where(Person.compound_id.in_(ids))
            .group_by(Person.compound_id, PartyMember.ledger)
        )
    ).all():
        assert compound_id is not None
        members[compound_id][ledger] = int(n)
    checked_in = await _per_compound(
        session,
        select(CheckIn.compound_id, func.count(distinct(CheckIn.party_member_id)))
        .join(PartyMember, PartyMember.id == CheckIn.party_member_id)
        .where(
            CheckIn.compound_id.in_(ids),
            CheckIn.ended_at.is_(None),
            PartyMember.ledger == PartyLedger.in_service.value,
        )
        .group_by(CheckIn.compound_id),
    )
    pairings: dict[int, dict[str, int]] = defaultdict(dict)
    for compound_id, kind, n in (
        await session.execute(
            select(Pairing.compound_id, Pairing.kind, func.count())
            .where(Pairing.compound_id.in_(ids), or_(Pairing.until.is_(None), Pairing.until >= as_of))
            .group_by(Pairing.compound_id, Pairing.kind)
        )
    ).all():
        pairings[compound_id][kind] = int(n)

    return {
        compound_id: Coverage(
            compounds=1,
            with_party_branch=int(compound_id in branches),
            with_building_heads=int(compound_id in headed),
            with_committee=int(compound_id in committees),
            members_by_ledger=members.get(compound_id, {}),
            in_service_checked_in=checked_in.get(compound_id, 0),
            pairings_by_kind=pairings.get(compound_id, {}),
        )
        for compound_id in ids
    }


async def coverage(
    session: AsyncSession,
    principal: Principal,
    *,
    street_id: int | None,
    community_id: int | None,
    today: date | None = None,
) -> s.CoverageReport:
    """The coverage figures per community and in total, for staff of the street or community
    asked about (as the dashboard's figures are): another street's work is not theirs to read."""
    street, communities = await _communities(session, street_id, community_id)
    require_staff_of(principal, Place(street_id=street, community_id=community_id), Role.auditor)
    as_of = today or clock_of(session).today()
    compounds = dict(
        (
            await session.execute(
                select(Compound.id, Compound.community_id).where(Compound.community_id.in_([c.id for c in communities]))
            )
        ).all()
    )
    each = await per_compound(session, list(compounds), as_of)
    rows: dict[int, list[Coverage]] = defaultdict(list)
    for compound_id, in_community in compounds.items():
        rows[in_community].append(each[compound_id])
    per_community = {c.id: total(rows[c.id]) for c in communities}
    return s.CoverageReport(
        street_id=street,
        community_id=community_id,
        communities=[
            s.CommunityCoverage(community_id=c.id, community_name=c.name, **figures(per_community[c.id]))
            for c in communities
        ],
        totals=s.CoverageFigures(**figures(total(list(per_community.values())))),
    )
