"""Owners ask, household by household, to correct or replace the committee; when the signing
households reach the compound's share, the request opens a proposal on the 131 path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import require_reader
from services.deliberation.evaluations import domain as d
from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.correction import open_correction
from services.deliberation.evaluations.lookup import households, my_dwellings, rules_of
from services.deliberation.evaluations.models import RecallRequest, RecallSignature
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, Forbidden


async def _collecting(session: AsyncSession, compound_id: int) -> RecallRequest | None:
    return await session.scalar(
        select(RecallRequest)
        .where(RecallRequest.compound_id == compound_id, RecallRequest.status == d.RecallStatus.collecting.value)
        .order_by(RecallRequest.id.desc())
        .limit(1)
    )


async def _latest(session: AsyncSession, compound_id: int) -> RecallRequest | None:
    return await session.scalar(
        select(RecallRequest).where(RecallRequest.compound_id == compound_id).order_by(RecallRequest.id.desc()).limit(1)
    )


async def _signed(session: AsyncSession, request_id: int) -> set[int]:
    return set(
        await session.scalars(select(RecallSignature.dwelling_id).where(RecallSignature.request_id == request_id))
    )


async def sign(session: AsyncSession, compound_id: int, principal: Principal, at: datetime) -> s.CommitteeRecallOut:
    dwellings = await my_dwellings(session, compound_id, principal.person_id, at.date())
    if not dwellings:
        raise Forbidden("只有本小区业主可以联名", "Only owners of the compound sign", code=ErrorCode.not_an_owner)
    request = await _collecting(session, compound_id)
    if request is None:
        try:
            async with session.begin_nested():
                request = RecallRequest(compound_id=compound_id, status=d.RecallStatus.collecting.value, opened_at=at)
                session.add(request)
                await session.flush()
        except IntegrityError:  # another owner opened it a moment ago: sign that one
            request = await _collecting(session, compound_id)
    if request is None:
        raise Conflict("联名正在发起，请稍后再试", "The request is being opened; retry", code=ErrorCode.stale_version)
    await session.refresh(request, with_for_update=True)  # signatures that reach the share open one proposal
    signed = await _signed(session, request.id)
    mine = [x for x in dwellings if x not in signed]
    if not mine:
        raise Conflict("本户已联名", "Your household has already signed", code=ErrorCode.already_signed)
    try:
        async with session.begin_nested():
            await session.execute(
                insert(RecallSignature), [{"request_id": request.id, "dwelling_id": x, "signed_at": at} for x in mine]
            )
    except IntegrityError:
        raise Conflict("本户已联名", "Your household has already signed", code=ErrorCode.already_signed) from None
    total = await households(session, compound_id, at.date())
    count = len(signed) + len(mine)
    rules = await rules_of(session, compound_id)
    if d.reached(count, total, rules.recall_share_bp):
        proposal = await open_correction(
            session,
            compound_id,
            f"业委会纠错或更换成员：{count} 户业主联名提请",
            f"本小区 {count} 户业主（共 {total} 户，达到规定的 {d.bp_text(rules.recall_share_bp)}%）联名提请："
            "依民法典第二百七十八条第一款第三项，由业主共同决定业委会整改或更换业委会成员。",
            {"recall_request_id": request.id, "signed": count, "households": total},
            at,
        )
        request.status = d.RecallStatus.proposal_opened.value
        request.proposal_id = proposal.id
        await session.flush()
    return await _show(session, compound_id, request, principal, at)


async def read(session: AsyncSession, compound_id: int, principal: Principal, at: datetime) -> s.CommitteeRecallOut:
    await require_reader(session, principal, compound_id)
    return await _show(session, compound_id, await _latest(session, compound_id), principal, at)


async def _show(
    session: AsyncSession, compound_id: int, request: RecallRequest | None, principal: Principal, at: datetime
) -> s.CommitteeRecallOut:
    total = await households(session, compound_id, at.date())
    rules = await rules_of(session, compound_id)
    signed = await _signed(session, request.id) if request is not None else set()
    mine = set(await my_dwellings(session, compound_id, principal.person_id, at.date()))
    needed = -(-total * rules.recall_share_bp // 10_000)  # the ceiling: the share is a minimum
    status = d.RecallStatus(request.status) if request is not None else None
    return s.CommitteeRecallOut(
        compound_id=compound_id,
        request_id=request.id if request is not None else None,
        status=status,
        status_label=status.label if status is not None else None,
        households=total,
        signed=len(signed),
        needed=needed,
        share_percent=d.bp_text(rules.recall_share_bp) or "",
        proposal_id=request.proposal_id if request is not None else None,
        signed_by_my_household=bool(mine) and mine <= signed,
    )
