"""People use cases: residents with their encrypted personal data (registered, found by exact
value, masked, read in full only by the roles that need it and logged, anonymised on removal),
grid workers with their grids, building / entrance / courtyard heads, resident units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from services.registry import entities
from services.registry.accounts import sessions
from services.registry.accounts.models import Account
from services.registry.entities import EntityKind, get_or_404
from services.registry.notifications import service as notifications
from services.registry.people import schemas as s
from services.registry.people.domain import (
    ANONYMISED_NAME,
    Gender,
    GridWorkerKind,
    HeadKind,
    ResidentKind,
    birth_date_of,
    check_birth_date,
    check_stay,
    mask_id_card,
    mask_mobile,
    normalise_person_name,
    parse_id_card,
    parse_mobile,
)
from services.registry.people.models import GridAssignment, GridWorker, Head, Person, PersonalDataAccess, ResidentUnit
from services.registry.people.pii import PiiVault
from services.registry.places.domain import normalise_name
from services.registry.places.models import Building, Community, Compound, Courtyard, Entrance, Grid, Household
from services.registry.scope import Area, Reach, community_area, compound_area, require_admin
from shared.auth import Principal, Role
from shared.clock import clock_of
from shared.contracts import registry as c
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.outbox import emit
from shared.masking import mask_name

# --- kinds ---------------------------------------------------------------------------------

RESIDENT = EntityKind(
    Person,
    "居民",
    "resident",
    c.ResidentFields,
    # Never the ID-card or mobile number, nor the full name: events leave the service and
    # outlive an erasure (docs/personal-data.md). Billing's arrears list shows the masked name.
    lambda e: {
        "person_id": e.id,
        "masked_name": "" if getattr(e, "anonymised", False) else mask_name(e.name),
        "household_id": e.household_id,
        "compound_id": e.compound_id,
        "kind": e.kind,
        "moved_in": e.moved_in,
        "moved_out": e.moved_out,
        "version": e.version,
    },
    lambda e: e.compound_id if e.compound_id is not None else e.id,
)


def _head_fields(e: Head) -> dict[str, Any]:
    return {
        "head_id": e.id,
        "kind": e.kind,
        "person_id": e.person_id,
        "compound_id": e.compound_id,
        "building_id": e.place_id if e.kind == HeadKind.building else None,
        "entrance_id": e.place_id if e.kind == HeadKind.entrance else None,
        "courtyard_id": e.place_id if e.kind == HeadKind.courtyard else None,
        "version": e.version,
    }


HEAD = EntityKind(Head, "负责人", "head", c.HeadFields, _head_fields, lambda e: e.compound_id)
RESIDENT_UNIT = EntityKind(
    ResidentUnit,
    "驻地单位",
    "resident unit",
    c.ResidentUnitFields,
    lambda e: {"resident_unit_id": e.id, "community_id": e.community_id, "name": e.name, "version": e.version},
    lambda e: e.community_id,
)


def _no_sync_worker_fields(e: GridWorker) -> dict[str, Any]:
    # A grid worker's event carries the person's name and the grids, which live in other rows
    # and cannot be loaded synchronously: announce_grid_worker builds it instead.
    raise TypeError("grid worker events are built by announce_grid_worker")


# Used for lookups and version checks; events go through announce_grid_worker.
GRID_WORKER = EntityKind(
    GridWorker, "网格员", "grid worker", c.GridWorkerFields, _no_sync_worker_fields, lambda e: e.id
)


# --- who may do what -----------------------------------------------------------------------

STAFF_ROLES = (Role.street_admin, Role.community_admin, Role.grid_worker, Role.ops)


async def area_of_person(session: AsyncSession, person: Person) -> Area | None:
    """The compound a person lives in with its community, street and grid; None for people
    registered without one (cadres and workers from outside)."""
    return await compound_area(session, person.compound_id) if person.compound_id is not None else None


def is_area_staff(principal: Principal, area: Area | None) -> bool:
    """The area's admins (as scope.require_admin has them), the grid worker of the compound's
    grid, and ops. People outside any compound: any street or community admin."""
    if principal.holds_everywhere(Role.ops):
        return True
    if area is None:
        return principal.holds_anywhere(Role.street_admin) or principal.holds_anywhere(Role.community_admin)
    if area.grid_id is not None and principal.has(Role.grid_worker, "grid", area.grid_id):
        return True
    try:
        require_admin(principal, area)
    except Forbidden:
        return False
    return True


def require_area_staff(principal: Principal, area: Area | None, action_zh: str, action_en: str) -> None:
    if not is_area_staff(principal, area):
        raise Forbidden(
            f"无权{action_zh}：需要所在街道或社区的管理员，或该小区所在网格的网格员",
            f"Forbidden to {action_en}: requires an admin of the street or community, or the grid worker of the grid",
        )


def _visible_people(principal: Principal) -> ColumnElement[bool] | None:
    """Which people a staff member may list without naming a compound (None: everybody)."""
    grants = principal.grants
    if principal.holds_everywhere(Role.ops) or principal.holds_everywhere(Role.street_admin):
        return None
    streets = [g.scope_id for g in grants if g.role == Role.street_admin and g.scope_kind == "street"]
    communities = [g.scope_id for g in grants if g.role == Role.community_admin and g.scope_kind == "community"]
    grids = [g.scope_id for g in grants if g.role == Role.grid_worker and g.scope_kind == "grid"]
    compounds = select(Compound.id).where(
        or_(
            Compound.community_id.in_(select(Community.id).where(Community.street_id.in_(streets))),
            Compound.community_id.in_(communities),
            Compound.grid_id.in_(grids),
        )
    )
    visible: list[ColumnElement[bool]] = [Person.compound_id.in_(compounds)]
    if principal.holds_anywhere(Role.street_admin) or principal.holds_anywhere(Role.community_admin):
        visible.append(Person.compound_id.is_(None))
    if principal.person_id is not None:
        visible.append(Person.id == principal.person_id)
    return or_(false(), *visible)


# --- residents -----------------------------------------------------------------------------


def show_resident(vault: PiiVault, e: Person) -> s.ResidentOut:
    id_card = vault.decrypt_or_none(e.id_card_enc)
    mobile = vault.decrypt_or_none(e.mobile_enc)
    gender = Gender(e.gender) if e.gender is not None else None
    kind = ResidentKind(e.kind)
    return s.ResidentOut(
        id=e.id,
        version=e.version,
        created_at=e.created_at,
        name=e.name,
        gender=gender,
        gender_label=gender.label if gender is not None else None,
        birth_date=e.birth_date,
        id_card_masked=mask_id_card(id_card) if id_card is not None else None,
        mobile_masked=mask_mobile(mobile) if mobile is not None else None,
        household_id=e.household_id,
        compound_id=e.compound_id,
        kind=kind,
        kind_label=kind.label,
        relation=e.relation,
        moved_in=e.moved_in,
        moved_out=e.moved_out,
        anonymised=e.anonymised,
    )


def _duplicate_id_card(id_card: str, holder: int | None = None) -> Conflict:
    masked = mask_id_card(id_card)
    held = f"（居民 {holder}）" if holder is not None else ""
    return Conflict(
        f"身份证号 id_card {masked} 已登记{held}，同一身份证号不能登记两次",
        f"id_card {masked} is already registered" + (f" (resident {holder})" if holder is not None else ""),
        code="duplicate",
        details={"field": "id_card", "value": masked},
    )


async def _check_id_card_free(session: AsyncSession, id_card: str, id_hash: str, person_id: int | None) -> None:
    query = select(Person.id).where(Person.id_card_hash == id_hash)
    if person_id is not None:
        query = query.where(Person.id != person_id)
    holder = await session.scalar(query)
    if holder is not None:
        raise _duplicate_id_card(id_card, holder)


async def _placement(
    session: AsyncSession, household_id: int | None, compound_id: int | None
) -> tuple[int | None, int | None]:
    """(household, compound): a household fixes the compound; without one a compound may be named."""
    if household_id is not None:
        household = await session.get(Household, household_id)
        if household is None:
            raise InvalidInput(
                f"household_id：住户 {household_id} 不存在",
                f"household_id: household {household_id} not found",
                details=[{"field": "household_id", "value": household_id}],
            )
        if compound_id is not None and compound_id != household.compound_id:
            raise InvalidInput(
                f"compound_id：住户 {household_id} 在小区 {household.compound_id}，不在小区 {compound_id}",
                f"compound_id: household {household_id} lies in compound {household.compound_id}, not {compound_id}",
                details=[{"field": "compound_id", "value": compound_id}],
            )
        return household.id, household.compound_id
    if compound_id is not None and await session.get(Compound, compound_id) is None:
        raise InvalidInput(
            f"compound_id：小区 {compound_id} 不存在",
            f"compound_id: compound {compound_id} not found",
            details=[{"field": "compound_id", "value": compound_id}],
        )
    return None, compound_id


async def create_resident(
    session: AsyncSession, vault: PiiVault, principal: Principal, body: s.ResidentCreate
) -> Person:
    household_id, compound_id = await _placement(session, body.household_id, body.compound_id)
    area = await compound_area(session, compound_id) if compound_id is not None else None
    require_area_staff(principal, area, "在此登记居民", "register residents here")
    name = normalise_person_name(body.name)
    person = Person(
        name=name,
        gender=body.gender.value if body.gender is not None else None,
        birth_date=body.birth_date,
        household_id=household_id,
        compound_id=compound_id,
        kind=body.kind.value,
        relation=body.relation,
        moved_in=body.moved_in,
        moved_out=body.moved_out,
        anonymised=False,
    )
    duplicate: Conflict | None = None
    if body.id_card is not None:
        id_card = parse_id_card(body.id_card, today=clock_of(session).today())
        if body.birth_date is not None:
            check_birth_date(id_card, body.birth_date)
        person.birth_date = birth_date_of(id_card)
        person.id_card_hash = vault.search_hash(id_card)
        await _check_id_card_free(session, id_card, person.id_card_hash, None)
        person.id_card_enc = vault.encrypt(id_card)
        duplicate = _duplicate_id_card(id_card)
    if body.mobile is not None:
        mobile = parse_mobile(body.mobile)
        person.mobile_enc, person.mobile_hash = vault.encrypt(mobile), vault.search_hash(mobile)
    check_stay(body.moved_in, body.moved_out)
    return await entities.create(session, RESIDENT, person, duplicate)


async def list_residents(
    session: AsyncSession,
    vault: PiiVault,
    principal: Principal,
    *,
    household_id: int | None,
    compound_id: int | None,
    id_card: str | None,
    mobile: str | None,
    limit: int,
    offset: int,
) -> list[Person]:
    """Staff list the people of the areas they serve; a resident has no list, only themself."""
    if not any(principal.holds_anywhere(role) for role in STAFF_ROLES):
        raise Forbidden(
            "无权查看居民名单：需要街道或社区管理员、网格员角色",
            "Forbidden to list residents: requires a street or community admin or a grid worker",
        )
    query = select(Person).order_by(Person.id).limit(limit).offset(offset)
    if household_id is not None:
        household = await session.get(Household, household_id)
        if household is None:
            raise NotFound(
                f"住户 {household_id} 不存在",
                f"Household {household_id} not found",
                details={"field": "household_id", "value": household_id},
            )
        require_area_staff(principal, await compound_area(session, household.compound_id), "查看该住户", "read it")
        query = query.where(Person.household_id == household_id)
    if compound_id is not None:
        require_area_staff(principal, await compound_area(session, compound_id), "查看该小区居民", "read them")
        query = query.where(Person.compound_id == compound_id)
    if household_id is None and compound_id is None:
        visible = _visible_people(principal)
        if visible is not None:
            query = query.where(visible)
    if id_card is not None:
        query = query.where(
            Person.id_card_hash == vault.search_hash(parse_id_card(id_card, today=clock_of(session).today()))
        )
    if mobile is not None:
        query = query.where(Person.mobile_hash == vault.search_hash(parse_mobile(mobile)))
    return list((await session.scalars(query)).all())


async def get_resident(session: AsyncSession, principal: Principal, person_id: int) -> Person:
    """The person themself, or the staff of their area."""
    person = await get_or_404(session, RESIDENT, person_id)
    if principal.person_id != person.id:
        require_area_staff(principal, await area_of_person(session, person), "查看该居民", "read this resident")
    return person


def _refuse_anonymised(person: Person) -> None:
    if person.anonymised:
        raise Conflict(
            f"居民 {person.id} 已注销，不能再修改",
            f"Resident {person.id} has been removed (anonymised) and cannot change",
            code="anonymised",
            details={"id": person.id},
        )


_REQUIRED_ON_PATCH = {"name": "姓名", "kind": "居民类型"}


async def update_resident(
    session: AsyncSession, vault: PiiVault, principal: Principal, person: Person, body: s.ResidentUpdate
) -> Person:
    _refuse_anonymised(person)
    area = await area_of_person(session, person)
    require_area_staff(principal, area, "修改该居民", "change this resident")
    entities.check_version(RESIDENT, person, body.version)
    fields = body.model_dump(exclude_unset=True, exclude={"version"})
    for field, label in _REQUIRED_ON_PATCH.items():
        if field in fields and fields[field] is None:
            raise InvalidInput(
                f"{field}：{label}不能为空", f"{field} cannot be null", details=[{"field": field, "value": None}]
            )
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = normalise_person_name(fields["name"])
    if "kind" in fields:
        changes["kind"] = str(fields["kind"])
    if "gender" in fields:
        changes["gender"] = str(fields["gender"]) if fields["gender"] is not None else None
    for plain in ("relation", "moved_in", "moved_out", "birth_date"):
        if plain in fields:
            changes[plain] = fields[plain]

    if "household_id" in fields or "compound_id" in fields:
        changes.update(await _moved(session, principal, person, fields))

    duplicate: Conflict | None = None
    if "id_card" in fields:
        if fields["id_card"] is None:
            changes["id_card_enc"] = changes["id_card_hash"] = None
            id_card = None
        else:
            id_card = parse_id_card(fields["id_card"], today=clock_of(session).today())
            id_hash = vault.search_hash(id_card)
            await _check_id_card_free(session, id_card, id_hash, person.id)
            changes["id_card_enc"], changes["id_card_hash"] = vault.encrypt(id_card), id_hash
            duplicate = _duplicate_id_card(id_card)
            if "birth_date" not in fields:
                changes["birth_date"] = birth_date_of(id_card)
    else:
        id_card = vault.decrypt_or_none(person.id_card_enc)
    birth_date = changes.get("birth_date", person.birth_date)
    if id_card is not None and birth_date is not None:
        check_birth_date(id_card, birth_date)
    if "mobile" in fields:
        if fields["mobile"] is None:
            changes["mobile_enc"] = changes["mobile_hash"] = None
        else:
            mobile = parse_mobile(fields["mobile"])
            changes["mobile_enc"], changes["mobile_hash"] = vault.encrypt(mobile), vault.search_hash(mobile)
    check_stay(changes.get("moved_in", person.moved_in), changes.get("moved_out", person.moved_out))
    return await entities.update(session, RESIDENT, person, body.version, changes, duplicate)


async def _moved(session: AsyncSession, principal: Principal, person: Person, fields: dict[str, Any]) -> dict[str, Any]:
    """A new household (the compound follows it), leaving the household, or a compound change;
    the caller must serve the new area as well as the old one."""
    if fields.get("household_id") is not None:
        household_id, compound_id = await _placement(session, fields["household_id"], fields.get("compound_id"))
    elif "household_id" in fields:  # leaving the household, staying in the compound unless told
        household_id, compound_id = await _placement(session, None, fields.get("compound_id", person.compound_id))
    else:
        if person.household_id is not None and fields["compound_id"] != person.compound_id:
            raise InvalidInput(
                f"compound_id：居民随住户 {person.household_id} 在小区 {person.compound_id}，请改 household_id",
                f"compound_id follows household {person.household_id}; change household_id instead",
                details=[{"field": "compound_id", "value": fields["compound_id"]}],
            )
        _, compound_id = await _placement(session, None, fields["compound_id"])
        household_id = person.household_id
    if compound_id != person.compound_id:
        new_area = await compound_area(session, compound_id) if compound_id is not None else None
        require_area_staff(principal, new_area, "把居民迁入该小区", "move the resident there")
    return {"household_id": household_id, "compound_id": compound_id}


async def remove_resident(session: AsyncSession, principal: Principal, person: Person, version: int) -> None:
    """Anonymise: the row and its id stay, so ownerships, pairings and history stay whole; the
    name becomes 已注销居民, personal data goes, and the person can no longer log in.
    PersonErased tells the other services to blank the name they keep."""
    _refuse_anonymised(person)
    require_area_staff(principal, await area_of_person(session, person), "注销该居民", "remove this resident")
    entities.check_version(RESIDENT, person, version)
    await session.execute(delete(Account).where(Account.person_id == person.id))
    # Their refresh tokens go too, so no session outlives the person (access tokens run out
    # within token_ttl_seconds).
    await sessions.forget_person(session, person.id)
    await notifications.forget_person(session, person.id)
    person.name = ANONYMISED_NAME
    person.id_card_enc = person.id_card_hash = None
    person.mobile_enc = person.mobile_hash = None
    person.birth_date = None
    person.anonymised = True
    if person.moved_out is None:
        person.moved_out = clock_of(session).today()
    try:
        await session.flush()
    except StaleDataError:
        raise entities.stale(RESIDENT, person.version, version) from None
    await session.refresh(person)
    await entities.announce(session, RESIDENT, person, "removed")
    # Other services keep this person's name in their projections (dispatch: party members,
    # grid workers): the erasure reaches them as an event of its own.
    erased = c.PersonErased(person_id=person.id, compound_id=person.compound_id)
    await emit(session, erased, subject=person.id, key=RESIDENT.key(person))


def _clean_purpose(purpose: str) -> str:
    cleaned = " ".join(purpose.split())
    if len(cleaned) < 2:
        raise InvalidInput(
            f"purpose：请写明查看完整个人信息的用途：“{purpose}”",
            f"purpose: state why the full personal data is needed, got {purpose!r}",
            details=[{"field": "purpose", "value": purpose}],
        )
    return cleaned


async def read_personal_data(
    session: AsyncSession, vault: PiiVault, principal: Principal, person_id: int, purpose: str
) -> s.PersonalDataOut:
    """The full ID-card and mobile numbers, for the staff of the person's area, logged in the
    same transaction as the read (PIPL); the log row names reader, roles, fields and purpose."""
    person = await get_or_404(session, RESIDENT, person_id)
    require_area_staff(
        principal, await area_of_person(session, person), "查看完整身份证号和手机号", "read full personal data"
    )
    purpose = _clean_purpose(purpose)
    id_card = vault.decrypt_or_none(person.id_card_enc)
    mobile = vault.decrypt_or_none(person.mobile_enc)
    access = PersonalDataAccess(
        reader_person_id=principal.person_id,
        reader_roles=",".join(_grant_text(g.role, g.scope_kind, g.scope_id) for g in principal.grants)[:500],
        person_id=person.id,
        fields=",".join(name for name, value in (("id_card", id_card), ("mobile", mobile)) if value is not None),
        purpose=purpose,
    )
    session.add(access)
    await session.flush()
    return s.PersonalDataOut(
        person_id=person.id, name=person.name, id_card=id_card, mobile=mobile, purpose=purpose, access_id=access.id
    )


def _grant_text(role: Role, scope_kind: str | None, scope_id: int | None) -> str:
    return role.value if scope_kind is None else f"{role.value}@{scope_kind}:{scope_id}"


# --- people other records point at ---------------------------------------------------------


async def living_person(session: AsyncSession, person_id: int, field: str = "person_id") -> Person:
    """A person a new record may point at: registered and not anonymised (422 otherwise)."""
    person = await session.get(Person, person_id)
    if person is None or person.anonymised:
        why, why_en = ("已注销", "has been removed") if person is not None else ("不存在", "not found")
        raise InvalidInput(
            f"{field}：人员 {person_id} {why}",
            f"{field}: person {person_id} {why_en}",
            details=[{"field": field, "value": person_id}],
        )
    return person


# --- grid workers --------------------------------------------------------------------------


async def grid_ids_of(session: AsyncSession, worker_id: int) -> list[int]:
    rows = await session.scalars(
        select(GridAssignment.grid_id)
        .where(GridAssignment.grid_worker_id == worker_id)
        .order_by(GridAssignment.grid_id)
    )
    return list(rows.all())


async def show_grid_worker(session: AsyncSession, e: GridWorker) -> s.GridWorkerOut:
    kind = GridWorkerKind(e.kind)
    name = await session.scalar(select(Person.name).where(Person.id == e.person_id))
    return s.GridWorkerOut(
        id=e.id,
        version=e.version,
        created_at=e.created_at,
        person_id=e.person_id,
        name=name or "",
        kind=kind,
        kind_label=kind.label,
        grid_ids=await grid_ids_of(session, e.id),
    )


async def announce_grid_worker(session: AsyncSession, view: s.GridWorkerOut, verb: entities.Verb) -> None:
    """The grid worker's event, from the view that already holds the name and the grids."""
    created, updated, removed = c.LIFECYCLE[c.GridWorkerFields]
    contract = {"created": created, "updated": updated, "removed": removed}[verb]
    data = contract.model_validate(
        {
            "grid_worker_id": view.id,
            "person_id": view.person_id,
            "name": view.name,
            "kind": view.kind.value,
            "grid_ids": view.grid_ids,
            "version": view.version,
        }
    )
    await emit(session, data, subject=view.id, key=view.id)


async def _grids_to_serve(session: AsyncSession, principal: Principal, grid_ids: list[int]) -> list[int]:
    """The distinct grids, each existing and in a community the caller administers."""
    distinct = sorted(set(grid_ids))
    for grid_id in distinct:
        grid = await session.get(Grid, grid_id)
        if grid is None:
            raise InvalidInput(
                f"grid_ids：网格 {grid_id} 不存在",
                f"grid_ids: grid {grid_id} not found",
                details=[{"field": "grid_ids", "value": grid_id}],
            )
        require_admin(principal, await community_area(session, grid.community_id))
    return distinct


async def create_grid_worker(session: AsyncSession, principal: Principal, body: s.GridWorkerCreate) -> s.GridWorkerOut:
    person = await living_person(session, body.person_id)
    grid_ids = await _grids_to_serve(session, principal, body.grid_ids)
    duplicate = Conflict(
        f"人员 {person.id}（{person.name}）已是网格员",
        f"person {person.id} is already a grid worker",
        code="duplicate",
        details={"field": "person_id", "value": person.id},
    )
    if await session.scalar(select(GridWorker.id).where(GridWorker.person_id == person.id)) is not None:
        raise duplicate
    worker = GridWorker(person_id=person.id, kind=body.kind.value)
    session.add(worker)
    try:
        await session.flush()
    except IntegrityError:
        raise duplicate from None
    session.add_all(GridAssignment(grid_worker_id=worker.id, grid_id=g) for g in grid_ids)
    await session.flush()
    await session.refresh(worker)
    view = await show_grid_worker(session, worker)
    await announce_grid_worker(session, view, "created")
    return view


async def _authorise_worker(session: AsyncSession, principal: Principal, worker: GridWorker) -> None:
    """An admin of every community the worker currently serves in."""
    for grid_id in await grid_ids_of(session, worker.id):
        grid = await session.get(Grid, grid_id)
        if grid is not None:
            require_admin(principal, await community_area(session, grid.community_id))


async def update_grid_worker(
    session: AsyncSession, principal: Principal, worker_id: int, body: s.GridWorkerUpdate
) -> s.GridWorkerOut:
    worker = await get_or_404(session, GRID_WORKER, worker_id)
    await _authorise_worker(session, principal, worker)
    entities.check_version(GRID_WORKER, worker, body.version)
    if body.grid_ids is not None:
        grid_ids = await _grids_to_serve(session, principal, body.grid_ids)
        await session.execute(delete(GridAssignment).where(GridAssignment.grid_worker_id == worker.id))
        session.add_all(GridAssignment(grid_worker_id=worker.id, grid_id=g) for g in grid_ids)
    # Changed only after the statements above, whose autoflush would otherwise write the row
    # (and move its version) once more. The grids live in another table: touch the row so the
    # version moves whatever changed.
    if body.kind is not None:
        worker.kind = body.kind.value
    flag_modified(worker, "kind")
    try:
        await session.flush()
    except StaleDataError:
        raise entities.stale(GRID_WORKER, worker.version, body.version) from None
    await session.refresh(worker)
    view = await show_grid_worker(session, worker)
    await announce_grid_worker(session, view, "updated")
    return view


async def remove_grid_worker(session: AsyncSession, principal: Principal, worker_id: int, version: int) -> None:
    worker = await get_or_404(session, GRID_WORKER, worker_id)
    await _authorise_worker(session, principal, worker)
    entities.check_version(GRID_WORKER, worker, version)
    view = await show_grid_worker(session, worker)
    await session.execute(delete(GridAssignment).where(GridAssignment.grid_worker_id == worker.id))
    await session.delete(worker)
    try:
        await session.flush()
    except StaleDataError:
        raise entities.stale(GRID_WORKER, worker.version, version) from None
    await announce_grid_worker(session, view, "removed")


def grid_worker_readable(reach: Reach) -> ColumnElement[bool]:
    """A grid worker is known to those who see one of their grids (the residents they serve)."""
    return or_(
        GridWorker.id.in_(select(GridAssignment.grid_worker_id).where(reach.sees_grid(GridAssignment.grid_id))),
        reach.is_self(GridWorker.person_id),
    )


async def get_grid_worker(session: AsyncSession, reach: Reach, worker_id: int) -> s.GridWorkerOut:
    return await show_grid_worker(
        session, await entities.get_visible_or_404(session, GRID_WORKER, worker_id, grid_worker_readable(reach))
    )


async def list_grid_workers(
    session: AsyncSession, reach: Reach, *, grid_id: int | None, person_id: int | None, limit: int, offset: int
) -> list[s.GridWorkerOut]:
    query = select(GridWorker).where(grid_worker_readable(reach)).order_by(GridWorker.id).limit(limit).offset(offset)
    if grid_id is not None:
        query = query.where(
            GridWorker.id.in_(select(GridAssignment.grid_worker_id).where(GridAssignment.grid_id == grid_id))
        )
    if person_id is not None:
        query = query.where(GridWorker.person_id == person_id)
    return [await show_grid_worker(session, w) for w in (await session.scalars(query)).all()]


# --- heads ---------------------------------------------------------------------------------

# For each kind of head: the headed place's id and compound columns, and its Chinese name.
_HEADED: dict[HeadKind, tuple[InstrumentedAttribute[int], InstrumentedAttribute[int], str]] = {
    HeadKind.building: (Building.id, Building.compound_id, "楼栋"),
    HeadKind.entrance: (Entrance.id, Entrance.compound_id, "单元"),
    HeadKind.courtyard: (Courtyard.id, Courtyard.compound_id, "院落"),
}


def show_head(e: Head, person_name: str) -> s.HeadOut:
    kind = HeadKind(e.kind)
    return s.HeadOut(
        id=e.id,
        version=e.version,
        created_at=e.created_at,
        kind=kind,
        kind_label=kind.label,
        place_id=e.place_id,
        compound_id=e.compound_id,
        person_id=e.person_id,
        person_name=person_name,
    )


def _duplicate_head(kind: HeadKind, place_id: int, holder: int | None = None) -> Conflict:
    place_zh = _HEADED[kind][2]
    held = f"（人员 {holder}）" if holder is not None else ""
    return Conflict(
        f"{place_zh} {place_id} 已有{kind.label}{held}，一处只设一名",
        f"{kind.value} {place_id} already has a head",
        code="duplicate",
        details={"field": "place_id", "value": place_id},
    )


async def create_head(session: AsyncSession, principal: Principal, body: s.HeadCreate) -> s.HeadOut:
    id_column, compound_column, place_zh = _HEADED[body.kind]
    compound_id = await session.scalar(select(compound_column).where(id_column == body.place_id))
    if compound_id is None:
        raise InvalidInput(
            f"place_id：{place_zh} {body.place_id} 不存在",
            f"place_id: {body.kind.value} {body.place_id} not found",
            details=[{"field": "place_id", "value": body.place_id}],
        )
    require_admin(principal, await compound_area(session, compound_id))
    person = await living_person(session, body.person_id)
    holder = await session.scalar(
        select(Head.person_id).where(Head.kind == body.kind.value, Head.place_id == body.place_id)
    )
    if holder is not None:
        raise _duplicate_head(body.kind, body.place_id, holder)
    head = Head(kind=body.kind.value, place_id=body.place_id, compound_id=compound_id, person_id=person.id)
    saved = await entities.create(session, HEAD, head, _duplicate_head(body.kind, body.place_id))
    return show_head(saved, person.name)


async def _head_person_name(session: AsyncSession, head: Head) -> str:
    return await session.scalar(select(Person.name).where(Person.id == head.person_id)) or ""


def head_readable(reach: Reach) -> ColumnElement[bool]:
    """Heads are known in their compound (residents turn to them)."""
    return reach.sees_compound(Head.compound_id)


async def get_head(session: AsyncSession, reach: Reach, head_id: int) -> s.HeadOut:
    head = await entities.get_visible_or_404(session, HEAD, head_id, head_readable(reach))
    return show_head(head, await _head_person_name(session, head))


async def update_head(session: AsyncSession, principal: Principal, head_id: int, body: s.HeadUpdate) -> s.HeadOut:
    head = await get_or_404(session, HEAD, head_id)
    require_admin(principal, await compound_area(session, head.compound_id))
    person = await living_person(session, body.person_id)
    saved = await entities.update(session, HEAD, head, body.version, {"person_id": person.id})
    return show_head(saved, person.name)


async def remove_head(session: AsyncSession, principal: Principal, head_id: int, version: int) -> None:
    head = await get_or_404(session, HEAD, head_id)
    require_admin(principal, await compound_area(session, head.compound_id))
    await entities.remove(session, HEAD, head, version)


async def list_heads(
    session: AsyncSession,
    reach: Reach,
    *,
    compound_id: int | None,
    kind: HeadKind | None,
    person_id: int | None,
    limit: int,
    offset: int,
) -> list[s.HeadOut]:
    query = (
        select(Head, Person.name)
        .join(Person, Person.id == Head.person_id)
        .where(head_readable(reach))
        .order_by(Head.id)
        .limit(limit)
        .offset(offset)
    )
    if compound_id is not None:
        query = query.where(Head.compound_id == compound_id)
    if kind is not None:
        query = query.where(Head.kind == kind.value)
    if person_id is not None:
        query = query.where(Head.person_id == person_id)
    return [show_head(head, name) for head, name in (await session.execute(query)).all()]


# --- resident units (through the generic resource routes) ----------------------------------


def show_resident_unit(e: ResidentUnit) -> s.ResidentUnitOut:
    return s.ResidentUnitOut(
        id=e.id,
        version=e.version,
        created_at=e.created_at,
        community_id=e.community_id,
        name=e.name,
        contact_person_id=e.contact_person_id,
    )


async def build_resident_unit(session: AsyncSession, body: s.ResidentUnitCreate) -> ResidentUnit:
    if await session.get(Community, body.community_id) is None:
        raise InvalidInput(
            f"community_id：社区 {body.community_id} 不存在",
            f"community_id: community {body.community_id} not found",
            details=[{"field": "community_id", "value": body.community_id}],
        )
    if body.contact_person_id is not None:
        await living_person(session, body.contact_person_id, "contact_person_id")
    return ResidentUnit(
        community_id=body.community_id, name=normalise_name(body.name), contact_person_id=body.contact_person_id
    )


def resident_unit_readable(reach: Reach) -> ColumnElement[bool]:
    return reach.sees_community(ResidentUnit.community_id)


async def area_of_resident_unit(session: AsyncSession, e: ResidentUnit) -> Area:
    return await community_area(session, e.community_id)


async def check_resident_unit_change(session: AsyncSession, e: ResidentUnit, changes: dict[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in changes.items() if v is not None}
    if "name" in changes:
        changes["name"] = normalise_name(changes["name"])
    if "contact_person_id" in changes:
        await living_person(session, changes["contact_person_id"], "contact_person_id")
    return changes


def duplicate_resident_unit(e: ResidentUnit) -> Conflict:
    return Conflict(
        f"社区内已有驻地单位“{e.name}”",
        f"resident unit {e.name!r} already exists in this community",
        code="duplicate",
        details={"field": "name", "value": e.name},
    )
