"""Routes of the party organisation (five levels), party members and their four ledgers,
check-ins (在职党员报到) and center households (党员中心户, 1+N)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from services.registry.entities import get_visible_or_404
from services.registry.party import centers, check_ins, kinds, ledgers, members, orgs, visibility
from services.registry.party import schemas as s
from services.registry.party.domain import PartyLedger, PartyOrgLevel, Skill
from services.registry.scope import CallerReach
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit

router = service_router("/api/v1/registry", tags=["registry"])

Offset = Annotated[int, Query(ge=0)]
Version = Annotated[int, Query(description="你看到的版本号 (the version you read)")]
OptionalId = Annotated[int | None, Query(gt=0)]

ORGS = "党组织 (party organisation)"
MEMBERS = "党员 (party member)"
CHECK_INS = "报到 (check-in)"
CENTERS = "党员中心户 (center household)"


# --- organisations ------------------------------------------------------------------------


@router.post(
    "/party-orgs",
    status_code=status.HTTP_201_CREATED,
    response_model=s.PartyOrgOut,
    summary="新建党组织，只能建在上一级之下 (create a party organisation under the level above)",
    tags=[ORGS],
)
async def create_org(body: s.PartyOrgCreate, session: Session, principal: CurrentPrincipal) -> s.PartyOrgOut:
    return s.PartyOrgOut.model_validate(await orgs.create_org(session, body, principal))


@router.get("/party-orgs", response_model=list[s.PartyOrgOut], summary="党组织列表 (list)", tags=[ORGS])
async def list_orgs(
    session: Session,
    reach: CallerReach,
    parent_id: OptionalId = None,
    level: PartyOrgLevel | None = None,
    place_id: OptionalId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.PartyOrgOut]:
    return await orgs.list_orgs(
        session, reach, parent_id=parent_id, level=level, place_id=place_id, limit=limit, offset=offset
    )


@router.get("/party-orgs/{entity_id}", response_model=s.PartyOrgOut, summary="党组织详情 (one)", tags=[ORGS])
async def get_org(entity_id: int, session: Session, reach: CallerReach) -> s.PartyOrgOut:
    return s.PartyOrgOut.model_validate(
        await get_visible_or_404(session, kinds.PARTY_ORG, entity_id, visibility.org_readable(reach))
    )


@router.get(
    "/party-orgs/{entity_id}/tree",
    response_model=s.PartyOrgNode,
    summary="党组织及其全部下级，含党员人数 (the subtree with member counts)",
    tags=[ORGS],
)
async def org_tree(entity_id: int, session: Session, reach: CallerReach) -> s.PartyOrgNode:
    return await orgs.org_tree(session, reach, entity_id)


@router.patch(
    "/party-orgs/{entity_id}",
    response_model=s.PartyOrgOut,
    summary="修改党组织名称或上级 (rename or move)",
    tags=[ORGS],
)
async def update_org(
    entity_id: int, body: s.PartyOrgUpdate, session: Session, principal: CurrentPrincipal
) -> s.PartyOrgOut:
    return s.PartyOrgOut.model_validate(await orgs.update_org(session, entity_id, body, principal))


@router.delete(
    "/party-orgs/{entity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="删除党组织（须无下级组织和党员） (remove; only when empty)",
    tags=[ORGS],
)
async def remove_org(entity_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    await orgs.remove_org(session, entity_id, version, principal)


# --- members ------------------------------------------------------------------------------


@router.post(
    "/party-members",
    status_code=status.HTTP_201_CREATED,
    response_model=s.PartyMemberOut,
    summary="登记党员 (register a party member with ledger and skills)",
    tags=[MEMBERS],
)
async def create_member(body: s.PartyMemberCreate, session: Session, principal: CurrentPrincipal) -> s.PartyMemberOut:
    return members.show_member(await members.create_member(session, body, principal))


@router.get("/party-members", response_model=list[s.PartyMemberOut], summary="党员列表 (list)", tags=[MEMBERS])
async def list_members(
    session: Session,
    reach: CallerReach,
    party_org_id: OptionalId = None,
    compound_id: Annotated[int | None, Query(gt=0, description="居住小区 (where the member lives)")] = None,
    ledger: PartyLedger | None = None,
    skill: Skill | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.PartyMemberOut]:
    return await members.list_members(
        session,
        reach,
        party_org_id=party_org_id,
        compound_id=compound_id,
        ledger=ledger,
        skill=skill,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/party-members/ledgers",
    response_model=s.CompoundLedgers,
    summary="小区四类党员台账 (the four member ledgers of a compound)",
    tags=[MEMBERS],
)
async def compound_ledgers(
    session: Session, reach: CallerReach, compound_id: Annotated[int, Query(gt=0)]
) -> s.CompoundLedgers:
    return await ledgers.compound_ledgers(session, reach, compound_id)


@router.get("/party-members/{entity_id}", response_model=s.PartyMemberOut, summary="党员详情 (one)", tags=[MEMBERS])
async def get_member(entity_id: int, session: Session, reach: CallerReach) -> s.PartyMemberOut:
    member = await get_visible_or_404(session, kinds.PARTY_MEMBER, entity_id, visibility.member_readable(reach))
    return members.show_member(await members.load_member(session, member))


@router.patch(
    "/party-members/{entity_id}",
    response_model=s.PartyMemberOut,
    summary="修改党员台账、组织、技能、接单 (update; skills replace the set)",
    tags=[MEMBERS],
)
async def update_member(
    entity_id: int, body: s.PartyMemberUpdate, session: Session, principal: CurrentPrincipal
) -> s.PartyMemberOut:
    return members.show_member(await members.update_member(session, entity_id, body, principal))


@router.delete(
    "/party-members/{entity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="删除党员登记 (remove)",
    tags=[MEMBERS],
)
async def remove_member(entity_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    await members.remove_member(session, entity_id, version, principal)


# --- check-ins ----------------------------------------------------------------------------


@router.post(
    "/check-ins",
    status_code=status.HTTP_201_CREATED,
    response_model=s.CheckInOut,
    summary="在职党员到居住地小区报到并认领岗位 (an in-service member checks in and takes a post)",
    tags=[CHECK_INS],
)
async def create_check_in(body: s.CheckInCreate, session: Session, principal: CurrentPrincipal) -> s.CheckInOut:
    return check_ins.show_check_in(await check_ins.create_check_in(session, body, principal))


@router.get("/check-ins", response_model=list[s.CheckInOut], summary="报到列表 (list)", tags=[CHECK_INS])
async def list_check_ins(
    session: Session,
    reach: CallerReach,
    compound_id: OptionalId = None,
    party_member_id: OptionalId = None,
    active: bool | None = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.CheckInOut]:
    return await check_ins.list_check_ins(
        session,
        reach,
        compound_id=compound_id,
        party_member_id=party_member_id,
        active=active,
        limit=limit,
        offset=offset,
    )


@router.get("/check-ins/{entity_id}", response_model=s.CheckInOut, summary="报到详情 (one)", tags=[CHECK_INS])
async def get_check_in(entity_id: int, session: Session, reach: CallerReach) -> s.CheckInOut:
    return check_ins.show_check_in(await check_ins.get_check_in(session, reach, entity_id))


@router.post(
    "/check-ins/{entity_id}/end",
    response_model=s.CheckInOut,
    summary="结束报到 (end a check-in)",
    tags=[CHECK_INS],
)
async def end_check_in(
    entity_id: int, body: s.CheckInEnd, session: Session, principal: CurrentPrincipal
) -> s.CheckInOut:
    return check_ins.show_check_in(await check_ins.end_check_in(session, entity_id, body.version, principal))


# --- center households --------------------------------------------------------------------


@router.post(
    "/center-households",
    status_code=status.HTTP_201_CREATED,
    response_model=s.CenterHouseholdOut,
    summary="设立党员中心户及其 1+N 帮带住户 (a center household and the households it mentors)",
    tags=[CENTERS],
)
async def create_center(
    body: s.CenterHouseholdCreate, session: Session, principal: CurrentPrincipal
) -> s.CenterHouseholdOut:
    return centers.show_center(await centers.create_center(session, body, principal))


@router.get(
    "/center-households", response_model=list[s.CenterHouseholdOut], summary="党员中心户列表 (list)", tags=[CENTERS]
)
async def list_centers(
    session: Session,
    reach: CallerReach,
    compound_id: OptionalId = None,
    party_member_id: OptionalId = None,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[s.CenterHouseholdOut]:
    return await centers.list_centers(
        session, reach, compound_id=compound_id, party_member_id=party_member_id, limit=limit, offset=offset
    )


@router.get(
    "/center-households/{entity_id}",
    response_model=s.CenterHouseholdOut,
    summary="党员中心户详情 (one)",
    tags=[CENTERS],
)
async def get_center(entity_id: int, session: Session, reach: CallerReach) -> s.CenterHouseholdOut:
    center = await get_visible_or_404(session, kinds.CENTER_HOUSEHOLD, entity_id, visibility.center_readable(reach))
    return centers.show_center(await centers.load_center(session, center))


@router.patch(
    "/center-households/{entity_id}",
    response_model=s.CenterHouseholdOut,
    summary="修改帮带住户 (replace the mentored households)",
    tags=[CENTERS],
)
async def update_center(
    entity_id: int, body: s.CenterHouseholdUpdate, session: Session, principal: CurrentPrincipal
) -> s.CenterHouseholdOut:
    return centers.show_center(await centers.update_center(session, entity_id, body, principal))


@router.delete(
    "/center-households/{entity_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="撤销党员中心户 (remove)",
    tags=[CENTERS],
)
async def remove_center(entity_id: int, session: Session, principal: CurrentPrincipal, version: Version) -> None:
    await centers.remove_center(session, entity_id, version, principal)
