"""GET /api/v1/registry/me/party: the caller's own party membership, for the party member's
screens of the app: which member record is theirs (its id names them in dispatch's offers and
points), their ledger, whether they may check in (报到, in-service members only), the compound
they live in and their current check-in. Only the caller's own record; no parameter names anyone
else. A module of its own beside my_home (party/service.py is being split)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.party.models import CheckIn, PartyMember
from services.registry.people.models import Person
from services.registry.places.models import Compound
from shared.auth import CurrentPrincipal, Principal
from shared.error_codes import ErrorCode
from shared.errors import NotFound
from shared.http import Session, service_router
from shared.party import PartyLedger

router = service_router("/api/v1/registry", tags=["registry"])


class MyCheckIn(BaseModel):
    id: int
    version: int
    compound_id: int
    compound_name: str
    post: str
    checked_in_at: datetime


class MyPartyOut(BaseModel):
    """The caller's party member record (党员) and check-in (报到)."""

    party_member_id: int
    name: str
    ledger: str
    ledger_label: str
    on_duty: bool
    max_open_orders: int
    may_check_in: bool
    home_compound_id: int | None
    home_compound_name: str | None
    check_in: MyCheckIn | None


async def my_party(session: AsyncSession, principal: Principal) -> MyPartyOut:
    found = (
        (await session.scalars(select(PartyMember).where(PartyMember.person_id == principal.person_id))).first()
        if principal.person_id is not None
        else None
    )
    if found is None:
        raise NotFound("您不是已登记的党员", "You are not a registered party member", code=ErrorCode.not_a_party_member)
    person = await session.get_one(Person, found.person_id)
    home = await session.get(Compound, person.compound_id) if person.compound_id is not None else None
    active = (
        await session.execute(
            select(CheckIn, Compound.name)
            .join(Compound, Compound.id == CheckIn.compound_id)
            .where(CheckIn.party_member_id == found.id, CheckIn.ended_at.is_(None))
            .order_by(CheckIn.checked_in_at.desc())
        )
    ).first()
    ledger = PartyLedger(found.ledger)
    return MyPartyOut(
        party_member_id=found.id,
        name=person.name,
        ledger=ledger.value,
        ledger_label=ledger.label,
        on_duty=found.on_duty,
        max_open_orders=found.max_open_orders,
        may_check_in=ledger is PartyLedger.in_service,
        home_compound_id=home.id if home else None,
        home_compound_name=home.name if home else None,
        check_in=(
            MyCheckIn(
                id=active[0].id,
                version=active[0].version,
                compound_id=active[0].compound_id,
                compound_name=active[1],
                post=active[0].post,
                checked_in_at=active[0].checked_in_at,
            )
            if active
            else None
        ),
    )


@router.get(
    "/me/party",
    response_model=MyPartyOut,
    summary="我的党员身份与报到 (the caller's own party member record and check-in)",
    tags=["账户与登录 (accounts and login)"],
)
async def me_party(session: Session, principal: CurrentPrincipal) -> MyPartyOut:
    return await my_party(session, principal)
