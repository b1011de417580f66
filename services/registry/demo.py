"""Demo data for embedded mode: a street modelled on seed 002 (Xinghualing, Taiyuan), with
accounts a newcomer can log in as (README lists them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.accounts import schemas as account_schemas
from services.registry.accounts import service as accounts
from services.registry.committees import schemas as committee_schemas
from services.registry.committees import service as committees
from services.registry.committees.domain import Body, MemberRole
from services.registry.pairings import schemas as pairing_schemas
from services.registry.pairings import service as pairings
from services.registry.pairings.domain import PairingKind
from services.registry.party import centers, check_ins, members, orgs
from services.registry.party import schemas as party_schemas
from services.registry.party.domain import PartyLedger, PartyOrgLevel
from services.registry.people import grid_workers, heads, residents
from services.registry.people import schemas as people_schemas
from services.registry.people.domain import GridWorkerKind, HeadKind, ResidentKind, id_card_check_char
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.models import (
    Building,
    Cluster,
    Community,
    Compound,
    Dwelling,
    Entrance,
    Grid,
    Household,
    Ownership,
    Street,
)
from shared.auth import Grant, Principal, Role
from shared.service_app import ServiceRuntime
from shared.settings import Settings

# The operator who seeds: every check passes for ops, so the demo goes through the same rules.
SEEDER = Principal(None, (Grant(Role.ops),))


@dataclass
class DemoStreet:
    street_id: int = 0
    community_id: int = 0
    grid_ids: list[int] = field(default_factory=list)
    old_compound_id: int = 0
    high_rise_compound_id: int = 0
    resettlement_compound_id: int = 0
    # (compound id, building number, room) -> (dwelling id, household id)
    homes: dict[tuple[int, str, str], tuple[int, int]] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoPerson:
    mobile: str
    name: str
    gender: str
    born: date
    role_zh: str


DEMO_PEOPLE = (
    DemoPerson("13800000001", "李建国", "male", date(1975, 3, 12), "街道管理员"),
    DemoPerson("13800000002", "张丽", "female", date(1988, 6, 2), "网格员"),
    DemoPerson("13800000003", "赵师傅", "male", date(1969, 11, 20), "党员（水电工）"),
    DemoPerson("13800000004", "王秀英", "female", date(1956, 1, 8), "居民、业主"),
    DemoPerson("13800000005", "刘建华", "male", date(1962, 9, 30), "业委会委员"),
    DemoPerson("13800000006", "陈淑芬", "female", date(1960, 4, 17), "监委会委员"),
)


def demo_id_card(person: DemoPerson, serial: int) -> str:
    """A valid (GB 11643) Taiyuan Xinghualing ID-card number for a demo person."""
    first17 = f"140107{person.born:%Y%m%d}{serial:03d}"
    return first17 + id_card_check_char(first17)


async def seed_demo(runtime: ServiceRuntime) -> None:
    """Add the demo street to an empty registry (a no-op afterwards, and never in production)."""
    settings = runtime.settings
    if not settings.seed_demo or settings.environment == "production":
        return
    async with runtime.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Street)):
            return
        demo = await build_demo_street(session)
        await add_demo_people(session, settings, demo)
        await add_demo_organisation(session, demo)
        if settings.demo_size > 0:
            # Imported here: the history module builds on this one.
            from services.registry.demo_history import add_demo_members, add_demo_owners

            await add_demo_members(session, settings, demo)
            await add_demo_owners(session, settings, demo)


async def build_demo_street(session: AsyncSession) -> DemoStreet:
    """三桥街道 → 杏花岭社区 → two grids; an old compound merged into a cluster, a high-rise
    compound and a resettlement compound; buildings, entrances and dwellings with real areas."""
    demo = DemoStreet()
    street = await entities.create(session, places.STREET, Street(name="三桥街道"))
    community = await entities.create(session, places.COMMUNITY, Community(street_id=street.id, name="杏花岭社区"))
    grid_one = await entities.create(session, places.GRID, Grid(community_id=community.id, name="第一网格"))
    grid_two = await entities.create(session, places.GRID, Grid(community_id=community.id, name="第二网格"))
    cluster = await entities.create(session, places.CLUSTER, Cluster(community_id=community.id, name="三桥片区"))
    old = await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="杏花岭片区·老旧小区",
            community_id=community.id,
            grid_id=grid_one.id,
            cluster_id=cluster.id,
            kind="old",
            management_model="community_custody",
        ),
    )
    high_rise = await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="滨河花园",
            community_id=community.id,
            grid_id=grid_two.id,
            kind="commercial",
            management_model="professional",
        ),
    )
    resettlement = await entities.create(
        session,
        places.COMPOUND,
        Compound(
            name="城东安置小区",
            community_id=community.id,
            grid_id=grid_two.id,
            kind="resettlement",
            management_model="self_managed",
        ),
    )
    demo.street_id, demo.community_id, demo.grid_ids = street.id, community.id, [grid_one.id, grid_two.id]
    demo.old_compound_id, demo.high_rise_compound_id = old.id, high_rise.id
    demo.resettlement_compound_id = resettlement.id
    for compound, structure, floors, number_of_buildings, areas in (
        (old, "multi_storey", 6, 2, (Decimal("86.50"), Decimal("62.30"))),
        (high_rise, "high_rise", 18, 1, (Decimal("118.00"), Decimal("96.40"))),
    ):
        for b in range(1, number_of_buildings + 1):
            building = await entities.create(
                session,
                places.BUILDING,
                Building(compound_id=compound.id, number=str(b), structure=structure, floors=floors),
            )
            entrance = await entities.create(
                session, places.ENTRANCE, Entrance(building_id=building.id, compound_id=compound.id, number="1")
            )
            for floor in range(1, 4):
                for door, area in enumerate(areas, start=1):
                    room = f"{floor}0{door}"
                    dwelling = await entities.create(
                        session,
                        places.DWELLING,
                        Dwelling(
                            entrance_id=entrance.id,
                            building_id=building.id,
                            compound_id=compound.id,
                            room=room,
                            floor=floor,
                            area_m2=area,
                            exclusive_area_m2=area - Decimal("8.00"),
                            usage="residential",
                            sale_status="sold",
                            delivered=True,
                        ),
                    )
                    household = await entities.create(
                        session,
                        places.HOUSEHOLD,
                        Household(dwelling_id=dwelling.id, compound_id=compound.id, needy=(floor == 1 and door == 2)),
                    )
                    demo.homes[(compound.id, str(b), room)] = (dwelling.id, household.id)
    return demo


async def add_demo_people(session: AsyncSession, settings: Settings, demo: DemoStreet) -> None:
    """The six demo people with their accounts, the grid worker's grid, 王秀英's ownership."""
    vault = PiiVault(settings)
    password = settings.linli_demo_password.get_secret_value()
    old = demo.old_compound_id
    homes = {
        "13800000001": None,
        "13800000002": demo.homes[(old, "2", "101")],
        "13800000003": demo.homes[(old, "1", "201")],
        "13800000004": demo.homes[(old, "1", "301")],
        "13800000005": demo.homes[(old, "2", "301")],
        "13800000006": demo.homes[(old, "2", "201")],
    }
    for serial, person in enumerate(DEMO_PEOPLE, start=1):
        home = homes[person.mobile]
        created = await residents.create_resident(
            session,
            vault,
            SEEDER,
            people_schemas.ResidentCreate(
                name=person.name,
                gender=person.gender,
                id_card=demo_id_card(person, serial),
                mobile=person.mobile,
                household_id=home[1] if home else None,
                compound_id=None if home else old,
                kind=ResidentKind.owner if home else ResidentKind.other,
                relation="户主" if home else None,
            ),
        )
        demo.people[person.mobile] = created.id
        await accounts.create_account(
            session,
            settings,
            vault,
            SEEDER,
            account_schemas.AccountCreate(person_id=created.id, mobile=person.mobile, password=password),
            demo=True,
        )
        if home is not None:
            await entities.create(
                session,
                places.OWNERSHIP,
                Ownership(
                    dwelling_id=home[0], compound_id=old, person_id=created.id, share_bp=10_000, since=date(2003, 5, 1)
                ),
            )
    await accounts.create_admin_grant(
        session,
        SEEDER,
        account_schemas.AdminGrantCreate(
            person_id=demo.people["13800000001"], role="street_admin", scope=f"street:{demo.street_id}"
        ),
    )
    await grid_workers.create_grid_worker(
        session,
        SEEDER,
        people_schemas.GridWorkerCreate(
            person_id=demo.people["13800000002"], kind=GridWorkerKind.full_time, grid_ids=[demo.grid_ids[0]]
        ),
    )
    building_one = await session.scalar(select(Building.id).where(Building.compound_id == old, Building.number == "1"))
    assert building_one is not None
    await heads.create_head(
        session,
        SEEDER,
        people_schemas.HeadCreate(kind=HeadKind.building, place_id=building_one, person_id=demo.people["13800000004"]),
    )


async def add_demo_organisation(session: AsyncSession, demo: DemoStreet) -> None:
    """Five party levels down to the old compound's branch; 赵师傅, an in-service plumber, checked
    in with a post; the owners' and supervisory committees; a center household paired with a
    needy neighbour and the street admin paired with the compound, both on the public wall."""
    old, grid_one = demo.old_compound_id, demo.grid_ids[0]
    building_one = await session.scalar(select(Building.id).where(Building.compound_id == old, Building.number == "1"))
    parent: int | None = None
    branch = 0
    for level, name, place_id in (
        (PartyOrgLevel.street_committee, "三桥街道党工委", demo.street_id),
        (PartyOrgLevel.community_committee, "杏花岭社区党委", demo.community_id),
        (PartyOrgLevel.grid_branch_general, "第一网格党总支", grid_one),
        (PartyOrgLevel.compound_branch, "杏花岭片区小区党支部", old),
        (PartyOrgLevel.building_group, "1号楼党小组", building_one),
    ):
        org = await orgs.create_org(
            session, party_schemas.PartyOrgCreate(level=level, name=name, place_id=place_id, parent_id=parent), SEEDER
        )
        parent = org.id
        if level == PartyOrgLevel.compound_branch:
            branch = org.id
    plumber = await members.create_member(
        session,
        party_schemas.PartyMemberCreate(
            person_id=demo.people["13800000003"],
            ledger=PartyLedger.in_service,
            party_org_id=branch,
            skills=["plumber", "electrician", "repair"],
        ),
        SEEDER,
    )
    await check_ins.create_check_in(
        session, party_schemas.CheckInCreate(party_member_id=plumber.id, compound_id=old, post="水电维修服务岗"), SEEDER
    )
    for mobile, body, role in (
        ("13800000005", Body.owners_committee, MemberRole.chair),
        ("13800000006", Body.supervisory_committee, MemberRole.chair),
        ("13800000004", Body.council, MemberRole.member),
    ):
        await committees.create_membership(
            session,
            committee_schemas.MembershipCreate(
                person_id=demo.people[mobile], body=body, compound_id=old, role=role, since=date(2024, 3, 1)
            ),
            SEEDER,
        )
    plumber_home = demo.homes[(old, "1", "201")][1]
    needy_neighbour = demo.homes[(old, "1", "102")][1]
    center = await centers.create_center(
        session,
        party_schemas.CenterHouseholdCreate(
            household_id=plumber_home,
            party_member_id=plumber.id,
            mentored_household_ids=[demo.homes[(old, "1", room)][1] for room in ("101", "102", "202")],
        ),
        SEEDER,
    )
    for pairing in (
        pairing_schemas.PairingCreate(
            kind=PairingKind.center_needy, compound_id=old, center_household_id=center.id, household_id=needy_neighbour
        ),
        pairing_schemas.PairingCreate(
            kind=PairingKind.cadre_compound, compound_id=old, cadre_person_id=demo.people["13800000001"]
        ),
    ):
        await entities.create(session, pairings.PAIRING, await pairings.build_pairing(session, pairing))
