"""More of the demo street for the console's dashboard (embedded mode, `demo_size` above 0):
滨河花园 gets its own party branch under the second grid's general branch, with members of its
households on all four ledgers (在职, 离退休, 流动, 直管), the in-service ones checked in with a
post, and a building head; the old compound's remaining dwellings get owners, so its votes
(deliberation's demo) have a roll worth the name. Names and ID cards are drawn from a seeded list: the same size gives
the same people. The base demo (demo.py) stays as the tests know it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.demo import SEEDER, DemoPerson, DemoStreet, demo_id_card
from services.registry.party import check_ins, members, orgs
from services.registry.party import schemas as party_schemas
from services.registry.party.domain import PartyLedger, PartyOrgLevel
from services.registry.party.models import PartyOrg
from services.registry.people import heads, residents
from services.registry.people import schemas as people_schemas
from services.registry.people.domain import HeadKind, ResidentKind
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.models import Building, Ownership
from shared.settings import Settings

NAMES = (
    "孙志刚",
    "周秀兰",
    "吴国平",
    "郑丽华",
    "冯建军",
    "陈玉珍",
    "褚永强",
    "卫桂英",
    "蒋德明",
    "沈美玲",
    "韩立新",
    "杨春燕",
)
LEDGERS = (PartyLedger.in_service, PartyLedger.retired, PartyLedger.mobile, PartyLedger.directly_managed)
POSTS = ("楼道文明劝导岗", "邻里纠纷调解岗", "老年人关爱岗", "环境卫生监督岗")


async def add_demo_members(session: AsyncSession, settings: Settings, demo: DemoStreet) -> None:
    vault = PiiVault(settings)
    high_rise = demo.high_rise_compound_id
    community_committee = await session.scalar(
        select(PartyOrg.id).where(PartyOrg.level == PartyOrgLevel.community_committee.value)
    )
    general = await orgs.create_org(
        session,
        party_schemas.PartyOrgCreate(
            level=PartyOrgLevel.grid_branch_general,
            name="第二网格党总支",
            place_id=demo.grid_ids[1],
            parent_id=community_committee,
        ),
        SEEDER,
    )
    branch = await orgs.create_org(
        session,
        party_schemas.PartyOrgCreate(
            level=PartyOrgLevel.compound_branch, name="滨河花园党支部", place_id=high_rise, parent_id=general.id
        ),
        SEEDER,
    )
    homes = [home for (compound, _, _), home in sorted(demo.homes.items()) if compound == high_rise]
    count = min(len(homes), 4 * settings.demo_size + 2)
    for i in range(count):
        person = DemoPerson(
            f"139{i:08d}", NAMES[i % len(NAMES)], "male" if i % 2 else "female", date(1970 + i, 5, 1), ""
        )
        created = await residents.create_resident(
            session,
            vault,
            SEEDER,
            people_schemas.ResidentCreate(
                name=person.name,
                gender=person.gender,
                id_card=demo_id_card(person, 100 + i),
                household_id=homes[i][1],
                kind=ResidentKind.owner,
                relation="户主",
            ),
        )
        member = await members.create_member(
            session,
            party_schemas.PartyMemberCreate(person_id=created.id, ledger=LEDGERS[i % 4], party_org_id=branch.id),
            SEEDER,
        )
        if LEDGERS[i % 4] == PartyLedger.in_service:
            await check_ins.create_check_in(
                session,
                party_schemas.CheckInCreate(party_member_id=member.id, compound_id=high_rise, post=POSTS[i % 4]),
                SEEDER,
            )
        if i == 0:
            building = await session.scalar(select(Building.id).where(Building.compound_id == high_rise))
            if building is not None:
                await heads.create_head(
                    session,
                    SEEDER,
                    people_schemas.HeadCreate(kind=HeadKind.building, place_id=building, person_id=created.id),
                )


OWNER_NAMES = ("马秀珍", "高建平", "罗桂芳", "梁志华", "宋玉兰", "唐国庆", "许文静")


async def add_demo_owners(session: AsyncSession, settings: Settings, demo: DemoStreet) -> None:
    """An owner for each dwelling of the old compound that the demo people do not own (no
    accounts: they vote in deliberation's demo, they do not log in)."""
    vault = PiiVault(settings)
    old = demo.old_compound_id
    owned = set(await session.scalars(select(Ownership.dwelling_id).where(Ownership.compound_id == old)))
    free = [home for (compound, _, _), home in sorted(demo.homes.items()) if compound == old and home[0] not in owned]
    for i, (dwelling_id, household_id) in enumerate(free):
        person = DemoPerson(
            "", OWNER_NAMES[i % len(OWNER_NAMES)], "female" if i % 2 else "male", date(1958 + i, 3, 1), ""
        )
        created = await residents.create_resident(
            session,
            vault,
            SEEDER,
            people_schemas.ResidentCreate(
                name=person.name,
                gender=person.gender,
                id_card=demo_id_card(person, 200 + i),
                household_id=household_id,
                kind=ResidentKind.owner,
                relation="户主",
            ),
        )
        await entities.create(
            session,
            places.OWNERSHIP,
            Ownership(
                dwelling_id=dwelling_id, compound_id=old, person_id=created.id, share_bp=10_000, since=date(2005, 6, 1)
            ),
        )
