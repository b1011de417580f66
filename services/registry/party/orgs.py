"""The party organisation tree: create, rename, move, remove, list and the tree below one organisation."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.entities import get_or_404, referenced
from services.registry.party import schemas as s
from services.registry.party.domain import (
    LEVELS,
    PartyOrgLevel,
    check_inside_parent_place,
    check_no_cycle,
    check_parent_level,
    check_removable,
    place_kind_of,
)
from services.registry.party.kinds import PARTY_ORG, facts
from services.registry.party.models import PartyMember, PartyOrg
from services.registry.party.visibility import locate, org_readable
from services.registry.places.domain import normalise_name
from services.registry.scope import Reach, require_admin
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict


def _duplicate_org(e: PartyOrg) -> Conflict:
    level = PartyOrgLevel(e.level)
    return Conflict(
        f"该{level.label}已存在：{e.place_kind} {e.place_id} 上只能有一个{level.label}",
        f"{e.place_kind} {e.place_id} already has a {level.value}",
        code=ErrorCode.duplicate,
        details={"field": "place_id", "value": e.place_id, "level": e.level},
    )


async def _check_parent(session: AsyncSession, level: PartyOrgLevel, place_id: int, parent_id: int | None) -> None:
    located = await locate(session, level, place_id)
    parent: PartyOrg | None = None
    if parent_id is not None:
        parent = await referenced(session, PartyOrg, parent_id, "parent_id", "上级党组织")
    check_parent_level(level, PartyOrgLevel(parent.level) if parent is not None else None)
    if parent is not None:
        check_inside_parent_place(level, place_id, located.container_id, parent.place_id)


async def create_org(session: AsyncSession, body: s.PartyOrgCreate, principal: Principal) -> PartyOrg:
    level = body.level
    kind = place_kind_of(level, body.place_kind)
    located = await locate(session, level, body.place_id)
    await _check_parent(session, level, body.place_id, body.parent_id)
    org = PartyOrg(
        level=level.value,
        name=normalise_name(body.name),
        place_kind=kind,
        place_id=body.place_id,
        parent_id=body.parent_id,
    )
    facts(org)["compound_id"] = located.compound_id
    require_admin(principal, located.area)
    return await entities.create(session, PARTY_ORG, org, _duplicate_org(org))


async def ancestors(session: AsyncSession, org_id: int) -> list[int]:
    """`org_id` and the organisations above it, nearest first (bounded, so bad data cannot loop)."""
    chain: list[int] = []
    current: int | None = org_id
    while current is not None and current not in chain and len(chain) <= len(LEVELS):
        chain.append(current)
        current = await session.scalar(select(PartyOrg.parent_id).where(PartyOrg.id == current))
    return chain


async def update_org(session: AsyncSession, org_id: int, body: s.PartyOrgUpdate, principal: Principal) -> PartyOrg:
    org = await get_or_404(session, PARTY_ORG, org_id)
    level = PartyOrgLevel(org.level)
    located = await locate(session, level, org.place_id)
    require_admin(principal, located.area)
    facts(org)["compound_id"] = located.compound_id
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("name") is not None:
        changes["name"] = normalise_name(changes["name"])
    else:
        changes.pop("name", None)
    if "parent_id" in changes:
        new_parent = changes["parent_id"]
        if new_parent is not None:
            check_no_cycle(org.id, org.name, await ancestors(session, new_parent))
        await _check_parent(session, level, org.place_id, new_parent)
    return await entities.update(session, PARTY_ORG, org, body.version, changes, _duplicate_org(org))


async def remove_org(session: AsyncSession, org_id: int, version: int, principal: Principal) -> None:
    org = await get_or_404(session, PARTY_ORG, org_id)
    located = await locate(session, PartyOrgLevel(org.level), org.place_id)
    require_admin(principal, located.area)
    facts(org)["compound_id"] = located.compound_id
    children = await session.scalar(select(func.count()).where(PartyOrg.parent_id == org.id)) or 0
    members = await session.scalar(select(func.count()).where(PartyMember.party_org_id == org.id)) or 0
    entities.check_version(PARTY_ORG, org, version)
    check_removable(org.name, children, members)
    await entities.remove(session, PARTY_ORG, org, version)


async def list_orgs(
    session: AsyncSession,
    reach: Reach,
    *,
    parent_id: int | None,
    level: PartyOrgLevel | None,
    place_id: int | None,
    limit: int,
    offset: int,
) -> list[s.PartyOrgOut]:
    query = select(PartyOrg).where(org_readable(reach)).order_by(PartyOrg.id).limit(limit).offset(offset)
    if parent_id is not None:
        query = query.where(PartyOrg.parent_id == parent_id)
    if level is not None:
        query = query.where(PartyOrg.level == level.value)
    if place_id is not None:
        query = query.where(PartyOrg.place_id == place_id)
    return [s.PartyOrgOut.model_validate(e) for e in (await session.scalars(query)).all()]


async def org_tree(session: AsyncSession, reach: Reach, org_id: int) -> s.PartyOrgNode:
    """The organisation and everything below it, level by level, with member counts."""
    root = await entities.get_visible_or_404(session, PARTY_ORG, org_id, org_readable(reach))
    orgs: dict[int, PartyOrg] = {root.id: root}
    children: dict[int, list[int]] = defaultdict(list)
    frontier = [root.id]
    while frontier:
        below = (
            await session.scalars(select(PartyOrg).where(PartyOrg.parent_id.in_(frontier)).order_by(PartyOrg.id))
        ).all()
        frontier = []
        for org in below:
            if org.id in orgs:  # bad data: never loop
                continue
            orgs[org.id] = org
            assert org.parent_id is not None
            children[org.parent_id].append(org.id)
            frontier.append(org.id)
    counts = dict(
        (
            await session.execute(
                select(PartyMember.party_org_id, func.count())
                .where(PartyMember.party_org_id.in_(list(orgs)))
                .group_by(PartyMember.party_org_id)
            )
        ).all()
    )

    def node(org_id: int) -> s.PartyOrgNode:
        org = orgs[org_id]
        kids = [node(k) for k in children[org_id]]
        level = PartyOrgLevel(org.level)
        own = counts.get(org_id, 0)
        return s.PartyOrgNode(
            id=org.id,
            level=level,
            level_label=level.label,
            name=org.name,
            place_kind=org.place_kind,
            place_id=org.place_id,
            members=own,
            members_in_subtree=own + sum(k.members_in_subtree for k in kids),
            children=kids,
        )

    return node(root.id)
