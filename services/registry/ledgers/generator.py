"""A realistic street of N households for demos and benchmarks, deterministic for a seed.

plan_street draws it in memory (plain Python): compounds (old, commercial, resettlement, or
super-large beyond ~3,300 households), each with multi-storey (6 floors) and high-rise (18–33
floors) buildings of 2–4 entrances; dwellings of 45.00–160.00 m²; households of 2–4 people
(owners, co-owners, tenants and their families, ≈3% needy); ID-card numbers with their
GB 11643 check digits, mobiles for everyone over 16; ≈7% of people party members on the four
ledgers, with skills.

build_street writes it through the residents-ledger writer (set-based, with every created
event), plus the party organisation tree and the party members; write_residents_xlsx writes
one compound of it as a residents ledger file, the way a clerk would upload it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.ledgers.domain import BuildingPlan, ResidentRow
from services.registry.ledgers.service import WriteTotals, bulk_emit, write_rows
from services.registry.ledgers.sheets import write_workbook
from services.registry.ledgers.templates import cells_of_row, residents_sheet
from services.registry.ledgers.writer import Event, batches, insert_returning_ids, table_of
from services.registry.party.domain import PartyLedger, Skill
from services.registry.party.models import MemberSkill, PartyMember, PartyOrg
from services.registry.people.domain import Gender, ResidentKind, id_card_check_char
from services.registry.people.models import Person
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.domain import BuildingStructure
from services.registry.places.models import Cluster, Community, Compound, Grid, Street
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict
from shared.events.outbox import outbox
from shared.service_app import ServiceRuntime
from shared.settings import Settings

TODAY = date(2026, 11, 25)  # fixed, so a seed gives the same street on any day
MEMBERS = table_of(PartyMember)
PARTY_SHARE = 0.07
NEEDY_SHARE = 0.03
TENANT_SHARE = 0.22
CO_OWNER_SHARE = 0.45
HOUSEHOLDS_PER_COMPOUND = 600
SUPER_LARGE_HOUSEHOLDS = 3_300  # ≈ 10,000 people

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强玉兰海燕小红子涵浩然梓萱欣怡宇轩雨"
    "桐俊杰晓东春梅国庆淑珍凤英德明"
)
REGIONS = ("140107", "140105", "140106", "510183", "510521", "500108", "510115")
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "151", "158", "177", "186", "187", "189", "199")
COMPOUND_NAMES = "杏花岭 滨河 锦绣 和平 幸福 东风 桃园 翠微 文昌 长安 新华 青年 胜利 光明 阳光 紫荆 金桥 丽景 书香 春晓"
# The party service's skill catalogue (party/domain.py).
SKILLS = tuple(skill.value for skill in Skill if skill is not Skill.other)
LEDGERS = tuple(ledger.value for ledger in PartyLedger)


@dataclass(frozen=True)
class BuildingSpec:
    number: str
    structure: str
    floors: int
    entrances: int
    doors: int
    areas: tuple[Decimal, ...]


@dataclass(frozen=True)
class PartyPlan:
    id_card: str
    ledger: str
    skills: tuple[str, ...]


@dataclass
class CompoundPlan:
    name: str
    kind: str
    management_model: str
    grid: int
    households: int = 0
    buildings: list[BuildingSpec] = field(default_factory=list)
    rows: list[ResidentRow] = field(default_factory=list)
    party: list[PartyPlan] = field(default_factory=list)

    def building_plans(self) -> dict[str, BuildingPlan]:
        return {b.number: BuildingPlan(b.structure, b.floors, b.floors) for b in self.buildings}


@dataclass
class StreetPlan:
    street: str
    community: str
    grids: list[str]
    compounds: list[CompoundPlan]

    @property
    def households(self) -> int:
        return sum(cp.households for cp in self.compounds)

    @property
    def residents(self) -> int:
        return sum(len(cp.rows) for cp in self.compounds)


class _People:
    """Unique names on paper: ID-card numbers and mobiles never repeat within a street."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cards: set[str] = set()
        self.mobiles: set[str] = set()

    def name(self, surname: str | None = None) -> str:
        given_length = 1 if self.rng.random() < 0.3 else 2
        return (surname or self.rng.choice(SURNAMES)) + "".join(self.rng.choice(GIVEN) for _ in range(given_length))

    def birth(self, age_low: int, age_high: int) -> date:
        return TODAY - timedelta(days=self.rng.randint(age_low * 365 + 30, age_high * 365 + 300))

    def id_card(self, region: str, born: date, gender: Gender) -> str:
        while True:
            sequence = self.rng.randrange(0, 1000, 2) + (1 if gender is Gender.male else 0)
            if sequence > 999:
                continue
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            card = first17 + id_card_check_char(first17)
            if card not in self.cards:
                self.cards.add(card)
                return card

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _buildings(rng: random.Random, kind: str, households: int) -> list[BuildingSpec]:
    """Enough buildings for the households: old compounds are multi-storey, the others mostly
    high-rise with a few multi-storey blocks."""
    specs: list[BuildingSpec] = []
    capacity = 0
    while capacity < households:
        number = str(len(specs) + 1)
        high_rise = kind != "old" and (kind == "super_large" or rng.random() < 0.7)
        if high_rise:
            floors, entrances, doors = rng.randint(18, 33), rng.randint(2, 4), rng.randint(2, 4)
            areas = tuple(_area(rng, 70, 160) for _ in range(doors))
            structure = BuildingStructure.high_rise.value
        else:
            floors, entrances, doors = 6, rng.randint(2, 4), 2
            areas = tuple(_area(rng, 45, 120) for _ in range(doors))
            structure = BuildingStructure.multi_storey.value
        specs.append(BuildingSpec(number, structure, floors, entrances, doors, areas))
        capacity += floors * entrances * doors
    return specs


def _flats(specs: list[BuildingSpec]) -> Iterator[tuple[BuildingSpec, str, int, str, Decimal]]:
    for b in specs:
        for entrance in range(1, b.entrances + 1):
            for floor in range(1, b.floors + 1):
                for door in range(1, b.doors + 1):
                    yield b, str(entrance), floor, f"{floor}{door:02d}", b.areas[door - 1]


def _household(
    rng: random.Random,
    people: _People,
    region: str,
    flat: tuple[BuildingSpec, str, int, str, Decimal],
    row: int,
    room_left: int,
) -> list[ResidentRow]:
    building, entrance, floor, room, area = flat
    size = min(room_left, rng.choices((2, 3, 4), weights=(35, 40, 25))[0])
    tenants = rng.random() < TENANT_SHARE
    needy = rng.random() < NEEDY_SHARE
    exclusive = (area * Decimal(rng.randint(76, 86)) / 100).quantize(Decimal("0.01"))
    moved_in = TODAY - timedelta(days=rng.randint(200, 30 * 365))
    head_gender = rng.choice((Gender.male, Gender.female))
    head_born = people.birth(28, 82)
    surname = rng.choice(SURNAMES)
    members: list[tuple[str, date, Gender, str, str]] = []
    head_kind = ResidentKind.tenant if tenants else ResidentKind.owner
    members.append((people.name(surname), head_born, head_gender, "本人", head_kind.value))
    spouse_kind = ResidentKind.owner if not tenants and rng.random() < CO_OWNER_SHARE else ResidentKind.family
    spouse_gender = Gender.female if head_gender is Gender.male else Gender.male
    spouse_born = min(TODAY - timedelta(days=20 * 365), head_born + timedelta(days=rng.randint(-5 * 365, 5 * 365)))
    members.append((people.name(), spouse_born, spouse_gender, "配偶", spouse_kind.value))
    for _ in range(size - 2):
        head_age = (TODAY - head_born).days // 365
        if head_age < 45 and rng.random() < 0.35:
            born, relation = head_born - timedelta(days=rng.randint(22 * 365, 32 * 365)), "父母"
        else:
            latest = min(TODAY - timedelta(days=365), head_born + timedelta(days=40 * 365))
            earliest = head_born + timedelta(days=20 * 365)
            span = max(1, (latest - earliest).days)
            born, relation = earliest + timedelta(days=rng.randint(0, span)), "子女"
        gender = rng.choice((Gender.male, Gender.female))
        members.append((people.name(surname if relation == "子女" else None), born, gender, relation, "family"))
    rows = []
    for index, (name, born, gender, relation, kind) in enumerate(members):
        adult = (TODAY - born).days >= 16 * 365
        rows.append(
            ResidentRow(
                row=row + index,
                building=building.number,
                entrance=entrance,
                room=room,
                area_m2=area,
                exclusive_area_m2=exclusive,
                floor=floor,
                name=name,
                gender=gender.value,
                id_card=people.id_card(region, born, gender),
                birth_date=born,
                mobile=people.mobile() if adult else None,
                relation=relation,
                kind=kind,
                needy=needy,
                moved_in=moved_in,
                structure=building.structure,
                building_floors=building.floors,
            )
        )
    return rows


def _party(rng: random.Random, rows: list[ResidentRow]) -> list[PartyPlan]:
    adults = [r for r in rows if (TODAY - r.birth_date).days >= 18 * 365]
    chosen = rng.sample(adults, min(len(adults), round(len(rows) * PARTY_SHARE)))
    chosen.sort(key=lambda r: r.row)
    members = []
    for r in chosen:
        age = (TODAY - r.birth_date).days // 365
        retired = age >= 60 and rng.random() < 0.85
        ledger = "retired" if retired else rng.choices(LEDGERS, weights=(80, 5, 10, 5))[0]
        skills = tuple(sorted(rng.sample(SKILLS, rng.choices((0, 1, 2), weights=(40, 45, 15))[0])))
        members.append(PartyPlan(r.id_card, ledger, skills))
    return members


def plan_street(
    households: int, seed: int, *, compounds: int | None = None, residents_limit: int | None = None
) -> StreetPlan:
    """The street on paper. `residents_limit` stops at exactly that many residents (the last
    household cut short), for benchmarks that want a round number of rows."""
    rng = random.Random(seed)
    people = _People(rng)
    count = compounds or max(1, round(households / HOUSEHOLDS_PER_COMPOUND))
    names = COMPOUND_NAMES.split()
    grids = [f"第{i + 1}网格" for i in range(max(2, (count + 3) // 4))]
    plan = StreetPlan(street=f"示范街道{seed}", community=f"示范社区{seed}", grids=grids, compounds=[])
    left = households
    for index in range(count):
        quota = left // (count - index)
        if index < count - 1:
            quota = max(1, min(left - (count - index - 1), int(quota * rng.uniform(0.8, 1.2))))
        left -= quota
        if quota >= SUPER_LARGE_HOUSEHOLDS:
            kind = "super_large"
        else:
            kind = rng.choices(("old", "commercial", "resettlement"), weights=(45, 40, 15))[0]
        model = {"old": "community_custody", "resettlement": "self_managed"}.get(kind, "professional")
        name = names[index % len(names)] + ("小区" if index < len(names) else f"{index // len(names) + 1}期小区")
        compound = CompoundPlan(name, kind, model, grid=index % len(grids))
        compound.buildings = _buildings(rng, kind, quota)
        region = rng.choice(REGIONS)
        flats = _flats(compound.buildings)
        row = 2
        for _ in range(quota):
            room_left = 4 if residents_limit is None else residents_limit - plan.residents - len(compound.rows)
            if room_left < 1:
                break
            members = _household(rng, people, region, next(flats), row, room_left)
            compound.rows.extend(members)
            compound.households += 1
            row += len(members)
        compound.party = _party(rng, compound.rows)
        plan.compounds.append(compound)
    return plan


def write_residents_xlsx(path: Path, compound: CompoundPlan) -> None:
    """One compound as the residents ledger a clerk would upload (blocking; large files are
    written row by row)."""
    specs = {b.number: b for b in compound.buildings}
    rows = (cells_of_row(r, specs[r.building].structure, specs[r.building].floors) for r in compound.rows)
    write_workbook([residents_sheet(rows)], path)


# --- into the database ---------------------------------------------------------------------


async def build_street(
    target: ServiceRuntime | AsyncSession,
    households: int,
    seed: int,
    *,
    compounds: int | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Build the street of `plan_street(households, seed)` in the registry and queue every
    created event. With a ServiceRuntime each compound is committed on its own (and the relay
    woken); with an AsyncSession nothing is committed (the caller does). Refuses (409) a seed
    whose street already exists."""
    plan = plan_street(households, seed, compounds=compounds)
    if isinstance(target, AsyncSession):
        return await _build(target, plan, PiiVault(settings or Settings()), commit=None)
    # Each compound is committed as it is built; the relay wakes when the street is done.
    async with target.transaction() as session:
        return await _build(session, plan, PiiVault(target.settings), commit=session)


async def _build(session: AsyncSession, plan: StreetPlan, pii: PiiVault, commit: AsyncSession | None) -> dict[str, Any]:
    if await session.scalar(select(func.count()).select_from(Street).where(Street.name == plan.street)):
        raise Conflict(
            f"街道“{plan.street}”已存在（换一个种子）",
            f"Street {plan.street!r} already exists (use another seed)",
            code=ErrorCode.duplicate,
        )
    queued_before = await _queued_events(session)
    street = await entities.create(session, places.STREET, Street(name=plan.street))
    community = await entities.create(session, places.COMMUNITY, Community(street_id=street.id, name=plan.community))
    grids = [
        await entities.create(session, places.GRID, Grid(community_id=community.id, name=name)) for name in plan.grids
    ]
    cluster = None
    if any(cp.kind == "old" for cp in plan.compounds):
        cluster = await entities.create(
            session, places.CLUSTER, Cluster(community_id=community.id, name=f"{plan.community}老旧小区片区")
        )
    orgs: list[dict[str, Any]] = []
    top = await _org(session, orgs, None, "street_committee", f"{plan.street}党工委", "street", street.id)
    middle = await _org(session, orgs, top, "community_committee", f"{plan.community}党委", "community", community.id)
    grid_orgs = [
        await _org(session, orgs, middle, "grid_branch_general", f"{g.name}党总支", "grid", g.id) for g in grids
    ]
    await _announce_orgs(session, orgs)
    totals = WriteTotals()
    compound_ids: list[int] = []
    members = 0
    for cp in plan.compounds:
        compound = await entities.create(
            session,
            places.COMPOUND,
            Compound(
                name=cp.name,
                community_id=community.id,
                grid_id=grids[cp.grid].id,
                cluster_id=cluster.id if cluster is not None and cp.kind == "old" else None,
                kind=cp.kind,
                management_model=cp.management_model,
            ),
        )
        compound_ids.append(compound.id)
        branch = await _org(
            session, orgs, grid_orgs[cp.grid], "compound_branch", f"{cp.name}党支部", "compound", compound.id
        )
        await write_rows(session, compound.id, cp.rows, cp.building_plans(), pii, totals)
        await _announce_orgs(session, orgs)
        members += await _party_members(session, cp, compound.id, branch, pii)
        if commit is not None:
            await commit.commit()
    return {
        "street_id": street.id,
        "community_id": community.id,
        "grid_ids": [g.id for g in grids],
        "compound_ids": compound_ids,
        "households": plan.households,
        "residents": plan.residents,
        "needy_households": len({(cp.name, r.dwelling) for cp in plan.compounds for r in cp.rows if r.needy}),
        "party_members": members,
        "buildings": sum(len(cp.buildings) for cp in plan.compounds),
        "events": await _queued_events(session) - queued_before,
    }


async def _queued_events(session: AsyncSession) -> int:
    """Outbox rows so far: every event the build queued, whichever path queued it."""
    return int(await session.scalar(select(func.count()).select_from(outbox)) or 0)


async def _announce_orgs(session: AsyncSession, orgs: list[dict[str, Any]]) -> None:
    await bulk_emit(session, [(c.PartyOrgCreated.model_validate(o), o["party_org_id"], o["key"]) for o in orgs])
    orgs.clear()


async def _org(
    session: AsyncSession,
    orgs: list[dict[str, Any]],
    parent: int | None,
    level: str,
    name: str,
    place_kind: str,
    place_id: int,
) -> int:
    values = {
        "parent_id": parent,
        "level": level,
        "name": name[:100],
        "place_kind": place_kind,
        "place_id": place_id,
        "version": 1,
    }
    org_id = int((await session.execute(insert(PartyOrg).returning(PartyOrg.id), [values])).scalar_one())
    orgs.append({**values, "party_org_id": org_id, "key": place_id})
    return org_id


async def _party_members(session: AsyncSession, cp: CompoundPlan, compound_id: int, org_id: int, pii: PiiVault) -> int:
    if not cp.party:
        return 0
    by_hash = {pii.search_hash(p.id_card): p for p in cp.party}
    people: dict[str, Any] = {}
    for hashes in batches(list(by_hash)):
        for row in await session.execute(
            select(Person.id, Person.id_card_hash, Person.name, Person.household_id).where(
                Person.id_card_hash.in_(hashes)
            )
        ):
            people[row.id_card_hash] = row
    values = [
        {
            "person_id": people[h].id,
            "ledger": p.ledger,
            "party_org_id": org_id,
            "on_duty": True,
            "max_open_orders": 3,
            "version": 1,
        }
        for h, p in by_hash.items()
    ]
    hash_of_person = {row.id: h for h, row in people.items()}
    events: list[Event] = []
    skills: list[dict[str, Any]] = []
    for member in await insert_returning_ids(session, MEMBERS, values, ("person_id",)):
        member_id = member["id"]
        hash_ = hash_of_person[member["person_id"]]
        plan = by_hash[hash_]
        skills.extend({"party_member_id": member_id, "skill": s} for s in plan.skills)
        person = people[hash_]
        events.append(
            (
                c.PartyMemberCreated(
                    party_member_id=member_id,
                    person_id=person.id,
                    name=person.name,
                    ledger=plan.ledger,
                    party_org_id=org_id,
                    household_id=person.household_id,
                    compound_id=compound_id,
                    skills=list(plan.skills),
                    on_duty=True,
                    max_open_orders=3,
                    version=1,
                ),
                member_id,
                compound_id,
            )
        )
    for chunk in batches(skills):
        await session.execute(insert(MemberSkill), list(chunk))
    await bulk_emit(session, events)
    return len(values)
