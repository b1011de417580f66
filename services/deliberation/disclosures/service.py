"""Publishing disclosures: each one is an audit entry, and a tally disclosure quotes the tally's
hash so anyone can match it against the audit chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import compound_community, require_seat
from services.deliberation.audit.domain import Action
from services.deliberation.audit.service import record
from services.deliberation.bodies import Body
from services.deliberation.disclosures import schemas as s
from services.deliberation.disclosures.domain import DisclosureKind
from services.deliberation.disclosures.models import Disclosure
from services.deliberation.proposals.lookup import get as get_proposal
from services.deliberation.votes import lookup
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput


async def publish(
    session: AsyncSession, compound_id: int, body: s.DisclosureIn, principal: Principal, at: datetime
) -> s.DisclosureOut:
    await compound_community(session, compound_id)
    await require_seat(session, principal, compound_id, Body.supervisory_committee)
    text = body.body
    proposal_id = body.proposal_id
    if proposal_id is not None and (await get_proposal(session, proposal_id)).compound_id != compound_id:
        raise InvalidInput(
            "议题不属于该小区", "The proposal is in another compound", details=[{"field": "proposal_id"}]
        )
    if body.vote_id is not None:
        vote = await lookup.get(session, body.vote_id)
        if vote.compound_id != compound_id or vote.tally_hash is None:
            raise Conflict(
                "只能公示本小区已计票的表决",
                "Only a tallied vote of this compound is disclosed",
                code=ErrorCode.not_tallied,
            )
        proposal_id = vote.proposal_id
        text = f"{text}\n计票哈希 (tally hash): {vote.tally_hash}".strip()
    elif body.kind is DisclosureKind.tally:
        raise InvalidInput("计票公示须指明表决", "A tally disclosure names its vote", details=[{"field": "vote_id"}])
    digest = await record(
        session,
        compound_id,
        Action.disclosure,
        f"compound:{compound_id}",
        principal.person_id,
        {"kind": body.kind.value, "title": body.title, "body": text, "proposal_id": proposal_id},
        at,
    )
    disclosure = Disclosure(
        compound_id=compound_id,
        proposal_id=proposal_id,
        kind=body.kind.value,
        title=body.title,
        body=text,
        published_by_person_id=principal.person_id or 0,
        published_at=at,
        audit_hash=digest,
    )
    session.add(disclosure)
    await session.flush()
    return s.DisclosureOut.model_validate(disclosure)


async def of_compound(session: AsyncSession, compound_id: int) -> list[s.DisclosureOut]:
    await compound_community(session, compound_id)
    rows = await session.scalars(
        select(Disclosure).where(Disclosure.compound_id == compound_id).order_by(Disclosure.id.desc()).limit(200)
    )
    return [s.DisclosureOut.model_validate(d) for d in rows]
