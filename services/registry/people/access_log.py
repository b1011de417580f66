"""Reading the personal-data access log (who read a person's full ID card or mobile, as what,
why, when), newest first: one person's, for the staff who may read the values; a compound's
residents', for the compound's admins (street and community), who answer for those reads."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.entities import get_or_404
from services.registry.people import schemas as s
from services.registry.people.kinds import RESIDENT
from services.registry.people.models import Person, PersonalDataAccess
from services.registry.people.staff import area_of_person, require_area_staff
from services.registry.scope import compound_area, require_admin
from shared.auth import Principal, Role
from shared.masking import mask_name
from shared.pagination import int_cursor, keyset_page

FIELD_LABELS = {"id_card": "身份证号", "mobile": "手机号"}
PLACE_LABELS = {"street": "街道", "community": "社区", "grid": "网格", "compound": "小区", "household": "住户"}


def roles_label(text: str) -> str:
    """The reader's roles as the log keeps them (`community_admin@community:1`) in words:
    社区管理员（社区 1）."""
    out = []
    for grant in filter(None, text.split(",")):
        role, _, scope = grant.partition("@")
        label = Role(role).label if role in Role.__members__ else role
        kind, _, ident = scope.partition(":")
        out.append(f"{label}（{PLACE_LABELS.get(kind, kind)} {ident}）" if scope else label)
    return "、".join(out)


async def _page(
    session: AsyncSession, query: Select[PersonalDataAccess], cursor: str | None, limit: int
) -> s.PersonalDataAccessPage:
    after = int_cursor(cursor)
    if after is not None:
        query = query.where(PersonalDataAccess.id < after)
    rows = (await session.scalars(query.order_by(PersonalDataAccess.id.desc()).limit(limit + 1))).all()
    page, next_cursor = keyset_page(rows, limit, lambda r: r.id)
    wanted = {r.reader_person_id for r in page if r.reader_person_id is not None} | {r.person_id for r in page}
    found = await session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))
    names: dict[int, str] = {int(row[0]): str(row[1]) for row in found.all()}
    return s.PersonalDataAccessPage(
        items=[
            s.PersonalDataAccessOut(
                id=r.id,
                person_id=r.person_id,
                person_name=mask_name(names.get(r.person_id, "")),
                reader_person_id=r.reader_person_id,
                reader_name=names.get(r.reader_person_id) if r.reader_person_id is not None else None,
                reader_roles=r.reader_roles,
                reader_roles_label=roles_label(r.reader_roles),
                fields=[f for f in r.fields.split(",") if f],
                field_labels=[FIELD_LABELS.get(f, f) for f in r.fields.split(",") if f],
                purpose=r.purpose,
                read_at=r.read_at,
            )
            for r in page
        ],
        next_cursor=next_cursor,
    )


async def access_log(
    session: AsyncSession, principal: Principal, person_id: int, cursor: str | None, limit: int
) -> s.PersonalDataAccessPage:
    person = await get_or_404(session, RESIDENT, person_id)
    require_area_staff(
        principal, await area_of_person(session, person), "查看个人信息查阅记录", "read the personal-data access log"
    )
    query = select(PersonalDataAccess).where(PersonalDataAccess.person_id == person.id)
    return await _page(session, query, cursor, limit)


async def compound_access_log(
    session: AsyncSession, principal: Principal, compound_id: int, cursor: str | None, limit: int
) -> s.PersonalDataAccessPage:
    require_admin(principal, await compound_area(session, compound_id))
    query = (
        select(PersonalDataAccess)
        .join(Person, Person.id == PersonalDataAccess.person_id)
        .where(Person.compound_id == compound_id)
    )
    return await _page(session, query, cursor, limit)
