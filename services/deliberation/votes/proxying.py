"""Written proxies: the committee records an owner's proxy for a vote and lists them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import (
    can_read_everything,
    represents_developer,
    require_committee,
)
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.proposals.lookup import is_owner
from services.deliberation.votes import domain as d
from services.deliberation.votes import schemas as s
from services.deliberation.votes.lookup import get
from services.deliberation.votes.models import Proxy
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def record_proxy(
    session: AsyncSession, vote_id: int, body: s.ProxyIn, principal: Principal, at: datetime
) -> Proxy:
    """Record a written proxy: by the owner themself, or by the committee from the paper form."""
    vote = await get(session, vote_id)
    if d.VoteStatus(vote.status) not in (d.VoteStatus.noticed, d.VoteStatus.open):
        raise Conflict("表决已结束，不能再登记委托", "The vote is over: no more proxies", code=ErrorCode.vote_closed)
    if principal.person_id != body.principal_person_id:
        await require_committee(session, principal, vote.compound_id)
    mandate = d.check_mandate(body.mandate, body.principal_person_id, body.agent_person_id)
    if not await is_owner(
        session, vote.compound_id, body.principal_person_id, at.date()
    ) and not await represents_developer(session, vote.compound_id, body.principal_person_id):
        raise Forbidden(
            f"委托人 {body.principal_person_id} 不是本小区业主",
            "The principal is not an owner of the compound",
            code=ErrorCode.not_an_owner,
        )
    if await session.scalar(
        select(Proxy.id).where(Proxy.vote_id == vote.id, Proxy.principal_person_id == body.principal_person_id)
    ):
        raise Conflict("该业主已登记过委托", "This owner already has a proxy on this vote", code=ErrorCode.proxy_exists)
    proxy = Proxy(
        vote_id=vote.id,
        principal_person_id=body.principal_person_id,
        agent_person_id=body.agent_person_id,
        mandate=mandate,
        document_ref=body.document_ref,
        recorded_by_person_id=principal.person_id or 0,
        recorded_at=at,
    )
    session.add(proxy)
    await session.flush()
    await record(
        session,
        vote.compound_id,
        Action.proxy_recorded,
        f"vote:{vote.id}",
        principal.person_id,
        {
            "proxy_id": proxy.id,
            "principal": body.principal_person_id,
            "agent": body.agent_person_id,
            "mandate": mandate,
            "document_ref": body.document_ref,
        },
        at,
    )
    return proxy


async def proxies(session: AsyncSession, vote_id: int, principal: Principal) -> list[s.ProxyOut]:
    vote = await get(session, vote_id)
    if not await can_read_everything(session, principal, vote.compound_id):
        raise Forbidden("只有业委会、监委会可查看委托登记", "Only the committees read the proxies")
    rows = await session.scalars(select(Proxy).where(Proxy.vote_id == vote.id).order_by(Proxy.id))
    return [
        s.ProxyOut(
            id=p.id,
            principal_person_id=p.principal_person_id,
            agent_person_id=p.agent_person_id,
            mandate=p.mandate,
            document_ref=p.document_ref,
            recorded_at=p.recorded_at,
        )
        for p in rows
    ]
