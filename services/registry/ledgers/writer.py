"""Residents-ledger rows into the place tree and the people table, set-based: for each level
(building → entrance → dwelling → household → person → ownership) one SELECT finds what exists
by natural key, one multi-row INSERT adds what is missing and one executemany UPDATE changes
what differs. Nothing here loads ORM objects; the caller emits the returned events in the same
transaction and commits.

Upsert rules (re-importing a file changes nothing):
- building by number within the compound; a new one gets the ledger's structure / floors, or
  floors = the highest floor its rows mention; an existing one changes only when the ledger
  states structure or floors explicitly;
- entrance by number within the building; dwelling by room within the entrance (area, and
  exclusive area / floor when stated, default: exclusive = area, floor from the room number);
- one household per dwelling (the oldest if several), its needy flag changed only when stated;
- person by the keyed hash of the ID-card number; blank optional cells keep what is stored;
- owners: when a dwelling gains an owner the ledger names, its active owners' shares are split
  evenly (remainder to the first); owners already recorded keep their shares otherwise.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import bindparam

from services.registry.entities import EntityKind, Verb
from services.registry.ledgers.domain import BuildingPlan, DwellingKey, ResidentRow, split_shares
from services.registry.people.domain import ResidentKind
from services.registry.people.kinds import RESIDENT
from services.registry.people.models import Person
from services.registry.people.pii import PiiVault
from services.registry.places import service as places
from services.registry.places.domain import DwellingUsage, SaleStatus
from services.registry.places.models import Building, Dwelling, Entrance, Household, Ownership
from shared.events.envelope import EventData

Event = tuple[EventData, int | str, int | str | None]
"""An event to queue: its data, subject (entity id) and key (compound id)."""

SELECT_BATCH = 1000
COPY_FROM_ROWS = 50
PERSON_COLUMNS = ("name", "gender", "birth_date", "household_id", "compound_id", "kind", "relation", "moved_in")

T = TypeVar("T")


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


BUILDINGS = table_of(Building)
ENTRANCES = table_of(Entrance)
DWELLINGS = table_of(Dwelling)
HOUSEHOLDS = table_of(Household)
PEOPLE = table_of(Person)
OWNERSHIPS = table_of(Ownership)


def batches(values: Sequence[T], size: int = SELECT_BATCH) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class ChunkResult:
    """What one chunk of rows did."""

    events: list[Event] = field(default_factory=list)
    written_rows: int = 0
    unchanged_rows: int = 0
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _event(kind: EntityKind[Any], values: Mapping[str, Any], verb: Verb, result: ChunkResult) -> None:
    """The same event the entity's REST route emits, built from a plain row."""
    row = SimpleNamespace(**values)
    result.events.append((kind.event(row, verb), values["id"], kind.key(row)))
    (result.created if verb == "created" else result.updated)[kind.name_en] += 1


async def postgres_driver(session: AsyncSession) -> Any | None:
    """The asyncpg connection under the session's transaction, on PostgreSQL (else None)."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "asyncpg":
        return None
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    # The session has run a statement already, so the driver is inside its transaction.
    return driver if driver is not None and driver.is_in_transaction() else None


async def copy_rows(driver: Any, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY the rows into the table (PostgreSQL, inside the caller's transaction); a broken
    constraint surfaces as SQLAlchemy's IntegrityError, as an INSERT's would."""
    columns = list(rows[0])
    record = operator.itemgetter(*columns)
    try:
        await driver.copy_records_to_table(table.name, records=[record(r) for r in rows], columns=columns)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc


async def _copy_with_ids(driver: Any, table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ids drawn from the table's sequence in one round trip, then one COPY: on PostgreSQL
    several times faster than multi-row INSERT … RETURNING for thousands of rows."""
    ids = await driver.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table.name, len(rows)
    )
    out = [{"id": row_id, **r} for (row_id,), r in zip(ids, rows, strict=True)]
    await copy_rows(driver, table, out)
    return out


async def insert_returning_ids(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], key: Sequence[str]
) -> list[dict[str, Any]]:
    """Multi-row INSERT … RETURNING id and the natural key; the rows come back with their ids.

    Matching by natural key rather than asking for RETURNING in parameter order keeps the
    statement batched on SQLite too (there SQLAlchemy would fall back to one row per INSERT).
    On PostgreSQL, beyond a few dozen rows, ids come from the sequence and the rows by COPY."""
    if not rows:
        return []
    driver = await postgres_driver(session)
    if driver is not None and len(rows) >= COPY_FROM_ROWS:
        return await _copy_with_ids(driver, table, rows)
    out: list[dict[str, Any]] = []
    returned = [table.c.id, *(table.c[k] for k in key)]
    for chunk in batches(rows):
        by_key = {tuple(r[k] for k in key): r for r in chunk}
        for row_id, *natural in (await session.execute(insert(table).returning(*returned), list(chunk))).all():
            out.append({**by_key[tuple(natural)], "id": row_id})
    return out


async def _update(session: AsyncSession, table: Table, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    """executemany UPDATE … SET columns, version = version + 1 WHERE id = :id (rows are locked)."""
    if not rows:
        return
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in columns} | {"version": table.c.version + 1})
    )
    params = [{"b_id": r["id"], **{f"b_{name}": r[name] for name in columns}} for r in rows]
    for chunk in batches(params):
        await session.execute(statement, list(chunk), execution_options={"synchronize_session": False})


async def _existing(session: AsyncSession, query: Any, column: Any, keys: Sequence[Any]) -> list[Any]:
    """Rows of `query` whose `column` is among `keys`, locked for update, in batches."""
    rows: list[Any] = []
    for chunk in batches(sorted(set(keys))):
        rows.extend((await session.execute(query.where(column.in_(chunk)).with_for_update())).mappings().all())
    return rows


def _first(values: Iterable[T | None]) -> T | None:
    for v in values:
        if v is not None:
            return v
    return None


@dataclass
class _Chunk:
    """One chunk on its way down the place tree: what each step found or created for the next."""

    session: AsyncSession
    compound_id: int
    rows: Sequence[ResidentRow]
    result: ChunkResult = field(default_factory=ChunkResult)
    # Natural keys of what this chunk created or changed, to count the rows that wrote something.
    changed: set[object] = field(default_factory=set)
    building_ids: dict[str, int] = field(default_factory=dict)
    entrance_ids: dict[tuple[int, str], int] = field(default_factory=dict)
    dwelling_ids: dict[DwellingKey, int] = field(default_factory=dict)
    households: dict[DwellingKey, dict[str, Any]] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)

    def by_dwelling(self) -> dict[DwellingKey, list[ResidentRow]]:
        groups: dict[DwellingKey, list[ResidentRow]] = defaultdict(list)
        for r in self.rows:
            groups[r.dwelling].append(r)
        return groups


async def upsert_residents(
    session: AsyncSession,
    compound_id: int,
    rows: Sequence[ResidentRow],
    buildings: Mapping[str, BuildingPlan],
    pii: PiiVault,
) -> ChunkResult:
    """Write one chunk of good rows (never splitting a dwelling) in the caller's transaction."""
    chunk = _Chunk(session, compound_id, rows)
    await _write_buildings(chunk, buildings)
    await _write_entrances(chunk)
    await _write_dwellings(chunk)
    await _write_households(chunk)
    await _write_people(chunk, pii)
    await _write_ownerships(chunk)
    _count_rows(chunk)
    return chunk.result


async def _write_buildings(c: _Chunk, buildings: Mapping[str, BuildingPlan]) -> None:
    """Buildings by number; an existing one changes only when the ledger states structure or floors."""
    plans = {r.building: buildings.get(r.building) or BuildingPlan() for r in c.rows}
    found = await _existing(
        c.session,
        select(*BUILDINGS.c).where(BUILDINGS.c.compound_id == c.compound_id),
        BUILDINGS.c.number,
        list(plans),
    )
    c.building_ids = {b["number"]: b["id"] for b in found}
    building_updates = []
    for b in found:
        plan = plans[b["number"]]
        wanted = {"structure": plan.structure or b["structure"], "floors": plan.floors or b["floors"]}
        if (wanted["structure"], wanted["floors"]) != (b["structure"], b["floors"]):
            building_updates.append({**b, **wanted, "version": b["version"] + 1})
    new_buildings = []
    for number, plan in plans.items():
        if number not in c.building_ids:
            structure, floors = plan.resolved()
            new_buildings.append(
                {
                    "compound_id": c.compound_id,
                    "courtyard_id": None,
                    "number": number,
                    "structure": structure,
                    "floors": floors,
                    "version": 1,
                }
            )
    for b in await insert_returning_ids(c.session, BUILDINGS, new_buildings, ("number",)):
        c.building_ids[b["number"]] = b["id"]
        c.changed.add(("b", b["number"]))
        _event(places.BUILDING, b, "created", c.result)
    await _update(c.session, BUILDINGS, building_updates, ("structure", "floors"))
    for b in building_updates:
        c.changed.add(("b", b["number"]))
        _event(places.BUILDING, b, "updated", c.result)


async def _write_entrances(c: _Chunk) -> None:
    """Entrances by number within their building; never changed, only added."""
    number_of_building = {v: k for k, v in c.building_ids.items()}
    wanted_entrances = {(c.building_ids[r.building], r.entrance) for r in c.rows}
    found = await _existing(c.session, select(*ENTRANCES.c), ENTRANCES.c.building_id, [b for b, _ in wanted_entrances])
    c.entrance_ids = {(e["building_id"], e["number"]): e["id"] for e in found}
    new_entrances = [
        {"building_id": b, "compound_id": c.compound_id, "number": n, "version": 1}
        for b, n in sorted(wanted_entrances)
        if (b, n) not in c.entrance_ids
    ]
    for e in await insert_returning_ids(c.session, ENTRANCES, new_entrances, ("building_id", "number")):
        c.entrance_ids[(e["building_id"], e["number"])] = e["id"]
        c.changed.add(("e", number_of_building[e["building_id"]], e["number"]))
        _event(places.ENTRANCE, e, "created", c.result)


async def _write_dwellings(c: _Chunk) -> None:
    """Dwellings by room within their entrance: area, and exclusive area / floor when stated."""
    by_dwelling = c.by_dwelling()
    entrance_of = {key: c.entrance_ids[(c.building_ids[key[0]], key[1])] for key in by_dwelling}
    found = await _existing(c.session, select(*DWELLINGS.c), DWELLINGS.c.entrance_id, list(set(entrance_of.values())))
    stored = {(d["entrance_id"], d["room"]): d for d in found}
    new_dwellings, dwelling_updates = [], []
    for key, group in by_dwelling.items():
        area = group[0].area_m2
        exclusive = _first(r.exclusive_area_m2 for r in group)
        floor = _first(r.floor for r in group)
        if floor is None:
            floor = group[0].dwelling_floor
        current = stored.get((entrance_of[key], key[2]))
        if current is None:
            new_dwellings.append(
                {
                    "entrance_id": entrance_of[key],
                    "building_id": c.building_ids[key[0]],
                    "compound_id": c.compound_id,
                    "room": key[2],
                    "floor": floor,
                    "area_m2": area,
                    "exclusive_area_m2": exclusive if exclusive is not None else area,
                    "usage": DwellingUsage.residential.value,
                    "sale_status": SaleStatus.sold.value,
                    "delivered": True,
                    "version": 1,
                }
            )
            continue
        c.dwelling_ids[key] = current["id"]
        if exclusive is None:
            kept = Decimal(current["exclusive_area_m2"])
            exclusive = kept if kept <= area else area
        wanted = {
            "area_m2": area,
            "exclusive_area_m2": exclusive,
            "floor": floor if floor is not None else current["floor"],
        }
        if any(_differs(current[k], v) for k, v in wanted.items()):
            dwelling_updates.append({**current, **wanted, "version": current["version"] + 1})
            c.changed.add(("d", *key))
    number_of_building = {v: k for k, v in c.building_ids.items()}
    number_of_entrance = {ident: number for (_, number), ident in c.entrance_ids.items()}
    for d in await insert_returning_ids(c.session, DWELLINGS, new_dwellings, ("entrance_id", "room")):
        key = (number_of_building[d["building_id"]], number_of_entrance[d["entrance_id"]], d["room"])
        c.dwelling_ids[key] = d["id"]
        c.changed.add(("d", *key))
        _event(places.DWELLING, d, "created", c.result)
    await _update(c.session, DWELLINGS, dwelling_updates, ("area_m2", "exclusive_area_m2", "floor"))
    for d in dwelling_updates:
        _event(places.DWELLING, d, "updated", c.result)


async def _write_households(c: _Chunk) -> None:
    """One household per dwelling (the oldest if several); its needy flag changed only when stated."""
    key_of_dwelling = {v: k for k, v in c.dwelling_ids.items()}
    found = await _existing(
        c.session,
        select(*HOUSEHOLDS.c).order_by(HOUSEHOLDS.c.id),
        HOUSEHOLDS.c.dwelling_id,
        list(c.dwelling_ids.values()),
    )
    for h in found:
        c.households.setdefault(key_of_dwelling[h["dwelling_id"]], h)
    new_households, household_updates = [], []
    for key, group in c.by_dwelling().items():
        needy = _first(r.needy for r in group)
        current = c.households.get(key)
        if current is None:
            new_households.append(
                {
                    "dwelling_id": c.dwelling_ids[key],
                    "compound_id": c.compound_id,
                    "needy": bool(needy),
                    "note": None,
                    "version": 1,
                }
            )
        elif needy is not None and bool(current["needy"]) != needy:
            household_updates.append({**current, "needy": needy, "version": current["version"] + 1})
            c.changed.add(("h", *key))
    for h in await insert_returning_ids(c.session, HOUSEHOLDS, new_households, ("dwelling_id",)):
        key = key_of_dwelling[h["dwelling_id"]]
        c.households[key] = h
        c.changed.add(("h", *key))
        _event(places.HOUSEHOLD, h, "created", c.result)
    await _update(c.session, HOUSEHOLDS, household_updates, ("needy",))
    for h in household_updates:
        _event(places.HOUSEHOLD, h, "updated", c.result)


async def _write_people(c: _Chunk, pii: PiiVault) -> None:
    """People by the keyed hash of their ID-card number; blank optional cells keep what is stored."""
    hashes = {r.id_card: pii.search_hash(r.id_card) for r in c.rows}
    found = await _existing(c.session, select(*PEOPLE.c), PEOPLE.c.id_card_hash, list(hashes.values()))
    people = {p["id_card_hash"]: p for p in found}
    new_people, people_updates = [], []
    for r in c.rows:
        mobile_hash = pii.search_hash(r.mobile) if r.mobile else None
        household_id = c.households[r.dwelling]["id"]
        current = people.get(hashes[r.id_card])
        if current is None:
            new_people.append(
                {
                    "name": r.name,
                    "gender": r.gender,
                    "birth_date": r.birth_date,
                    "id_card_enc": pii.encrypt(r.id_card),
                    "id_card_hash": hashes[r.id_card],
                    "mobile_enc": pii.encrypt(r.mobile) if r.mobile else None,
                    "mobile_hash": mobile_hash,
                    "household_id": household_id,
                    "compound_id": c.compound_id,
                    "kind": r.kind,
                    "relation": r.relation,
                    "moved_in": r.moved_in,
                    "moved_out": None,
                    "anonymised": False,
                    "version": 1,
                }
            )
            continue
        c.person_ids[r.id_card] = current["id"]
        person: dict[str, Any] = {
            "name": r.name,
            "gender": r.gender,
            "birth_date": r.birth_date,
            "household_id": household_id,
            "compound_id": c.compound_id,
            "kind": r.kind,
            "relation": r.relation if r.relation is not None else current["relation"],
            "moved_in": r.moved_in if r.moved_in is not None else current["moved_in"],
            "mobile_hash": mobile_hash if mobile_hash is not None else current["mobile_hash"],
            "mobile_enc": current["mobile_enc"],
        }
        if mobile_hash is not None and mobile_hash != current["mobile_hash"]:
            person["mobile_enc"] = pii.encrypt(r.mobile or "")
        if any(_differs(current[k], v) for k, v in person.items() if k != "mobile_enc"):
            people_updates.append({**current, **person, "version": current["version"] + 1})
            c.changed.add(("p", r.id_card))
    card_of_hash = {h: card for card, h in hashes.items()}
    for p in await insert_returning_ids(c.session, PEOPLE, new_people, ("id_card_hash",)):
        c.person_ids[card_of_hash[p["id_card_hash"]]] = p["id"]
        c.changed.add(("p", card_of_hash[p["id_card_hash"]]))
        _event(RESIDENT, p, "created", c.result)
    await _update(
        c.session,
        PEOPLE,
        people_updates,
        (*PERSON_COLUMNS, "mobile_hash", "mobile_enc"),
    )
    for p in people_updates:
        _event(RESIDENT, p, "updated", c.result)


async def _write_ownerships(c: _Chunk) -> None:
    """Owners the ledger names join a dwelling's active owners, the shares split evenly."""
    owners: dict[DwellingKey, list[int]] = defaultdict(list)
    for r in c.rows:
        if r.kind == ResidentKind.owner.value:
            owners[r.dwelling].append(c.person_ids[r.id_card])
    if not owners:
        return
    found = await _existing(
        c.session,
        select(*OWNERSHIPS.c).where(OWNERSHIPS.c.until.is_(None)).order_by(OWNERSHIPS.c.id),
        OWNERSHIPS.c.dwelling_id,
        [c.dwelling_ids[k] for k in owners],
    )
    active: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for o in sorted(found, key=lambda o: o["id"]):
        active[o["dwelling_id"]].append(dict(o))
    new_ownerships, ownership_updates = [], []
    for key, person_list in owners.items():
        dwelling_id = c.dwelling_ids[key]
        holders = active[dwelling_id]
        held = {o["person_id"] for o in holders}
        joining = [p for p in dict.fromkeys(person_list) if p not in held]
        if not joining:
            continue
        c.changed.add(("o", *key))
        shares = split_shares(len(holders) + len(joining))
        for o, share in zip(holders, shares, strict=False):
            if o["share_bp"] != share:
                ownership_updates.append({**o, "share_bp": share, "version": o["version"] + 1})
        for person_id, share in zip(joining, shares[len(holders) :], strict=True):
            new_ownerships.append(
                {
                    "dwelling_id": dwelling_id,
                    "compound_id": c.compound_id,
                    "person_id": person_id,
                    "share_bp": share,
                    "since": None,
                    "until": None,
                    "version": 1,
                }
            )
    # Shares shrink before new owners join, so no moment holds more than 100%.
    await _update(c.session, OWNERSHIPS, ownership_updates, ("share_bp",))
    for o in ownership_updates:
        _event(places.OWNERSHIP, o, "updated", c.result)
    for o in await insert_returning_ids(c.session, OWNERSHIPS, new_ownerships, ("dwelling_id", "person_id")):
        _event(places.OWNERSHIP, o, "created", c.result)


def _count_rows(c: _Chunk) -> None:
    """A row wrote something when anything it names (or, for an owner, its ownership) changed."""
    for r in c.rows:
        touched = (
            ("b", r.building) in c.changed
            or ("e", r.building, r.entrance) in c.changed
            or ("d", *r.dwelling) in c.changed
            or ("h", *r.dwelling) in c.changed
            or ("p", r.id_card) in c.changed
            or (r.kind == ResidentKind.owner.value and ("o", *r.dwelling) in c.changed)
        )
        if touched:
            c.result.written_rows += 1
        else:
            c.result.unchanged_rows += 1


def _differs(stored: object, wanted: object) -> bool:
    """Compare a stored column with the ledger's value (Decimal vs str/float from SQLite,
    dates vs ISO strings)."""
    if isinstance(wanted, Decimal):
        return stored is None or Decimal(str(stored)) != wanted
    if isinstance(wanted, date) and isinstance(stored, str):
        return stored != wanted.isoformat()
    if isinstance(wanted, bool):
        return bool(stored) != wanted
    return stored != wanted
