"""The developer's voice in a compound's votes: its unsold and undelivered dwellings are one
voting person (judicial interpretation art. 9) with no registry identity, so the community or
the street records who represents it (from the developer's written authorisation, 授权委托书);
that person signs in with their own registry account and votes for the developer online,
changes the ballot, or appoints a proxy, like any owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import place_of
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.votes import schemas as s
from services.deliberation.votes.models import DeveloperRepresentative
from shared.auth import Principal, is_staff_of
from shared.error_codes import ErrorCode
from shared.errors import Forbidden, InvalidInput, NotFound


async def _require_place_admin(session: AsyncSession, principal: Principal, compound_id: int) -> None:
    """The community of the compound, its street, or ops: the public side that checks the
    developer's authorisation letter (not the owners' committee, whose counterpart it is)."""
    if is_staff_of(principal, await place_of(session, compound_id)):
        return
    raise Forbidden(
        "只有本小区所属社区或街道的管理员可以登记开发建设单位的代表",
        "Only the admins of the compound's community or street record the developer's representative",
        code=ErrorCode.not_place_admin,
    )


async def current(session: AsyncSession, compound_id: int) -> DeveloperRepresentative | None:
    return await session.scalar(
        select(DeveloperRepresentative)
        .where(DeveloperRepresentative.compound_id == compound_id, DeveloperRepresentative.ended_at.is_(None))
        .order_by(DeveloperRepresentative.id.desc())
        .limit(1)
    )


def show(rep: DeveloperRepresentative) -> s.DeveloperRepresentativeOut:
    return s.DeveloperRepresentativeOut(
        compound_id=rep.compound_id,
        person_id=rep.person_id,
        developer_name=rep.developer_name,
        document_ref=rep.document_ref,
        appointed_by_person_id=rep.appointed_by_person_id,
        appointed_at=rep.appointed_at,
    )


async def appoint(
    session: AsyncSession, compound_id: int, body: s.DeveloperRepresentativeIn, principal: Principal, at: datetime
) -> DeveloperRepresentative:
    """Record (or replace) the developer's representative in the compound, in the audit chain."""
    await _require_place_admin(session, principal, compound_id)
    name = " ".join(body.developer_name.split())
    document = " ".join(body.document_ref.split())
    if not name or not document:
        raise InvalidInput(
            "须写明开发建设单位名称与授权委托书编号",
            "The developer's name and the reference of its written authorisation are required",
            details=[{"field": "developer_name" if not name else "document_ref"}],
        )
    previous = await current(session, compound_id)
    if previous is not None:
        previous.ended_at = at
    rep = DeveloperRepresentative(
        compound_id=compound_id,
        person_id=body.person_id,
        developer_name=name,
        document_ref=document,
        appointed_by_person_id=principal.person_id or 0,
        appointed_at=at,
    )
    session.add(rep)
    await session.flush()
    await record(
        session,
        compound_id,
        Action.developer_represented,
        f"compound:{compound_id}",
        principal.person_id,
        {
            "person_id": body.person_id,
            "developer_name": name,
            "document_ref": document,
            "replaces": previous.person_id if previous else None,
        },
        at,
    )
    return rep


async def shown(session: AsyncSession, compound_id: int) -> s.DeveloperRepresentativeOut:
    rep = await current(session, compound_id)
    if rep is None:
        raise NotFound(
            "本小区尚未登记开发建设单位的代表",
            "No representative of the developer is recorded for this compound",
            details={"compound_id": compound_id},
        )
    return show(rep)
