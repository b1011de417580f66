"""Reading a resident's personal data in full: only the roles that need it, with a stated purpose,
every read logged."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.entities import get_or_404
from services.registry.people import schemas as s
from services.registry.people.kinds import RESIDENT
from services.registry.people.models import PersonalDataAccess
from services.registry.people.pii import PiiVault
from services.registry.people.staff import area_of_person, require_area_staff
from shared.auth import Principal, Role
from shared.clock import clock_of
from shared.errors import InvalidInput


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
        # The service's clock, not the database's: the log must agree with every other record.
        read_at=clock_of(session)(),
    )
    session.add(access)
    await session.flush()
    return s.PersonalDataOut(
        person_id=person.id, name=person.name, id_card=id_card, mobile=mobile, purpose=purpose, access_id=access.id
    )


def _grant_text(role: Role, scope_kind: str | None, scope_id: int | None) -> str:
    return role.value if scope_kind is None else f"{role.value}@{scope_kind}:{scope_id}"
