"""Residents with their encrypted personal data: registered (found by exact value), listed and read
masked, updated (a move checks the new home), anonymised on removal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry import entities
from services.registry.accounts import sessions
from services.registry.accounts.models import Account
from services.registry.entities import get_or_404
from services.registry.notifications import service as notifications
from services.registry.people import schemas as s
from services.registry.people.domain import (
    ANONYMISED_NAME,
    birth_date_of,
    check_birth_date,
    check_stay,
    mask_id_card,
    mask_mobile,
    normalise_person_name,
    parse_id_card,
    parse_mobile,
)
from services.registry.people.kinds import RESIDENT
from services.registry.people.models import Person
from services.registry.people.pii import PiiVault
from services.registry.people.staff import STAFF_ROLES, area_of_person, require_area_staff
from services.registry.places.models import Community, Compound, Household
from services.registry.scope import compound_area
from services.registry.volunteers.registering import forget_volunteer
from shared.auth import Principal, Role
from shared.clock import clock_of
from shared.contracts import registry as c
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.outbox import emit
from shared.responses import row_with


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


def show_resident(vault: PiiVault, e: Person) -> s.ResidentOut:
    """The ID card and mobile are stored encrypted: decrypted here and shown masked."""
    id_card = vault.decrypt_or_none(e.id_card_enc)
    mobile = vault.decrypt_or_none(e.mobile_enc)
    return s.ResidentOut.model_validate(
        row_with(
            e,
            id_card_masked=mask_id_card(id_card) if id_card is not None else None,
            mobile_masked=mask_mobile(mobile) if mobile is not None else None,
        )
    )


def _duplicate_id_card(id_card: str, holder: int | None = None) -> Conflict:
    masked = mask_id_card(id_card)
    held = f"（居民 {holder}）" if holder is not None else ""
    return Conflict(
        f"身份证号 id_card {masked} 已登记{held}，同一身份证号不能登记两次",
        f"id_card {masked} is already registered" + (f" (resident {holder})" if holder is not None else ""),
        code=ErrorCode.duplicate,
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
            code=ErrorCode.anonymised,
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
    await entities.flush_versioned(session, RESIDENT, person, version)
    await session.refresh(person)
    await entities.announce(session, RESIDENT, person, "removed")
    await forget_volunteer(session, person.id)
    # Other services keep this person's name in their projections (dispatch: party members,
    # grid workers): the erasure reaches them as an event of its own.
    erased = c.PersonErased(person_id=person.id, compound_id=person.compound_id)
    await emit(session, erased, subject=person.id, key=RESIDENT.key(person))
