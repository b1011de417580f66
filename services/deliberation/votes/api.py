"""Routes of owners' votes: notice, open, ballots, proxies, paper entry, close, tally,
certification, turnout and receipts."""

from __future__ import annotations

from fastapi import Query, status

from services.deliberation.access import require_reader
from services.deliberation.votes import (
    casting,
    certification,
    closing,
    developer,
    lookup,
    noticing,
    opening,
    paper_ballots,
    proxying,
    reading,
)
from services.deliberation.votes import schemas as s
from shared.auth import CurrentPrincipal
from shared.clock import Now
from shared.http import Session, service_router

router = service_router("/api/v1/deliberation", tags=["表决 (votes)"])


@router.post(
    "/proposals/{proposal_id}/votes",
    status_code=status.HTTP_201_CREATED,
    response_model=s.VoteOut,
    summary="发布表决公告，至少提前15日 (notice the owners' vote)",
)
async def notice(
    proposal_id: int, body: s.NoticeIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.VoteOut:
    return await reading.show(session, await noticing.notice(session, proposal_id, body, principal, now))


@router.get("/votes/{vote_id}", response_model=s.VoteOut, summary="表决详情 (one)")
async def one(vote_id: int, session: Session, principal: CurrentPrincipal) -> s.VoteOut:
    await require_reader(session, principal, (await lookup.get(session, vote_id)).compound_id)
    return await reading.show(session, await lookup.get(session, vote_id))


@router.post("/votes/{vote_id}/open", response_model=s.VoteOut, summary="开始表决并确定表决人名册 (open)")
async def open_vote(vote_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.VoteOut:
    return await reading.show(session, await opening.open_by_committee(session, vote_id, principal, now))


@router.post("/votes/{vote_id}/cancel", response_model=s.VoteOut, summary="开始前撤销公告 (cancel the notice)")
async def cancel(vote_id: int, body: s.CancelIn, session: Session, principal: CurrentPrincipal, now: Now) -> s.VoteOut:
    return await reading.show(session, await noticing.cancel(session, vote_id, body, principal, now))


@router.post(
    "/votes/{vote_id}/ballots",
    status_code=status.HTTP_201_CREATED,
    response_model=list[s.BallotOut],
    summary="实名投票（本人或凭书面委托）(cast)",
)
async def cast(
    vote_id: int, body: s.BallotsIn, session: Session, principal: CurrentPrincipal, now: Now
) -> list[s.BallotOut]:
    return await casting.cast(session, vote_id, body, principal, now)


@router.put("/votes/{vote_id}/ballots/mine", response_model=list[s.BallotOut], summary="截止前改票 (change)")
async def change(
    vote_id: int, body: s.BallotsIn, session: Session, principal: CurrentPrincipal, now: Now
) -> list[s.BallotOut]:
    return await casting.change(session, vote_id, body, principal, now)


@router.get("/votes/{vote_id}/ballots/mine", response_model=list[s.BallotOut], summary="我的选票与收据 (mine)")
async def mine(vote_id: int, session: Session, principal: CurrentPrincipal) -> list[s.BallotOut]:
    return await casting.mine(session, vote_id, principal)


@router.post(
    "/votes/{vote_id}/proxies",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ProxyOut,
    summary="登记书面委托 (record a written proxy)",
)
async def proxy(vote_id: int, body: s.ProxyIn, session: Session, principal: CurrentPrincipal, now: Now) -> s.ProxyOut:
    created = await proxying.record_proxy(session, vote_id, body, principal, now)
    return s.ProxyOut(
        id=created.id,
        principal_person_id=created.principal_person_id,
        agent_person_id=created.agent_person_id,
        mandate=created.mandate,
        document_ref=created.document_ref,
        recorded_at=created.recorded_at,
    )


@router.get("/votes/{vote_id}/proxies", response_model=list[s.ProxyOut], summary="委托登记 (proxies)")
async def proxies(vote_id: int, session: Session, principal: CurrentPrincipal) -> list[s.ProxyOut]:
    return await proxying.proxies(session, vote_id, principal)


@router.post(
    "/votes/{vote_id}/paper-ballots",
    status_code=status.HTTP_201_CREATED,
    response_model=list[s.BallotOut],
    summary="业委会录入纸质选票，另一人见证 (enter a paper ballot)",
)
async def paper(
    vote_id: int, body: s.PaperBallotIn, session: Session, principal: CurrentPrincipal, now: Now
) -> list[s.BallotOut]:
    return await paper_ballots.enter_paper(session, vote_id, body, principal, now)


@router.post(
    "/votes/{vote_id}/paper-ballots/{sheet_no}/witness",
    response_model=list[s.BallotOut],
    summary="见证人本人确认或不予确认纸质选票 (the witness confirms or refuses a paper sheet)",
)
async def witness(
    vote_id: int, sheet_no: str, body: s.WitnessIn, session: Session, principal: CurrentPrincipal, now: Now
) -> list[s.BallotOut]:
    return await paper_ballots.witness_paper(session, vote_id, sheet_no, body, principal, now)


@router.post("/votes/{vote_id}/close", response_model=s.VoteOut, summary="截止并计票 (close and tally)")
async def close(vote_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.VoteOut:
    return await reading.show(session, await closing.close_by_committee(session, vote_id, principal, now))


@router.get(
    "/votes/{vote_id}/tally", response_model=s.TallyOut, summary="计票结果：双重多数、逐栋 (the published tally)"
)
async def tally(vote_id: int, session: Session, principal: CurrentPrincipal) -> s.TallyOut:
    await require_reader(session, principal, (await lookup.get(session, vote_id)).compound_id)
    return await reading.published_tally(session, vote_id)


@router.post("/votes/{vote_id}/tally/certify", response_model=s.VoteOut, summary="监委会确认计票 (certify)")
async def certify(vote_id: int, session: Session, principal: CurrentPrincipal, now: Now) -> s.VoteOut:
    return await reading.show(session, await certification.certify(session, vote_id, principal, now))


@router.get("/votes/{vote_id}/turnout", response_model=s.TurnoutOut, summary="逐栋实时参与情况 (live turnout)")
async def turnout(vote_id: int, session: Session, principal: CurrentPrincipal) -> s.TurnoutOut:
    await require_reader(session, principal, (await lookup.get(session, vote_id)).compound_id)
    return await reading.turnout(session, vote_id)


@router.get(
    "/votes/{vote_id}/receipts", response_model=list[s.ReceiptGroup], summary="公布的收据，按选项分组 (receipts)"
)
async def receipts(vote_id: int, session: Session, principal: CurrentPrincipal) -> list[s.ReceiptGroup]:
    await require_reader(session, principal, (await lookup.get(session, vote_id)).compound_id)
    return await reading.receipts(session, vote_id)


@router.get("/votes/{vote_id}/receipts/{receipt}", response_model=s.ReceiptCheck, summary="核对收据 (check a receipt)")
async def check_receipt(vote_id: int, receipt: str, session: Session, principal: CurrentPrincipal) -> s.ReceiptCheck:
    await require_reader(session, principal, (await lookup.get(session, vote_id)).compound_id)
    return await reading.check_receipt(session, vote_id, receipt)


@router.put(
    "/compounds/{compound_id}/developer-representative",
    response_model=s.DeveloperRepresentativeOut,
    summary="社区或街道登记开发建设单位代表 (record who votes for the developer's unsold dwellings)",
)
async def appoint_developer_representative(
    compound_id: int, body: s.DeveloperRepresentativeIn, session: Session, principal: CurrentPrincipal, now: Now
) -> s.DeveloperRepresentativeOut:
    return developer.show(await developer.appoint(session, compound_id, body, principal, now))


@router.get(
    "/compounds/{compound_id}/developer-representative",
    response_model=s.DeveloperRepresentativeOut,
    summary="开发建设单位代表 (the developer's representative)",
)
async def developer_representative(
    compound_id: int, session: Session, principal: CurrentPrincipal
) -> s.DeveloperRepresentativeOut:
    await require_reader(session, principal, compound_id)
    return await developer.shown(session, compound_id)


@router.get(
    "/proposals/{proposal_id}/votes",
    response_model=list[s.VoteOut],
    summary="议题的业主表决列表 (the owners' votes on a proposal)",
)
async def of_proposal(proposal_id: int, session: Session, principal: CurrentPrincipal) -> list[s.VoteOut]:
    return await reading.of_proposal(session, proposal_id, principal)


@router.get(
    "/votes/{vote_id}/roll",
    response_model=s.RollOut,
    summary="楼栋表决名册：谁已投票，不显示如何投 (a building's voter roll: who has voted, never how)",
)
async def roll(
    vote_id: int, session: Session, principal: CurrentPrincipal, building_id: int = Query(gt=0)
) -> s.RollOut:
    return await reading.roll(session, vote_id, building_id, principal)


@router.get(
    "/votes/{vote_id}/paper-ballots",
    response_model=list[s.PaperSheetOut],
    summary="纸质选票登记，供监委会核对 (the paper ballots entered, for the supervisory committee)",
)
async def paper_sheets(vote_id: int, session: Session, principal: CurrentPrincipal) -> list[s.PaperSheetOut]:
    return await paper_ballots.paper_sheets(session, vote_id, principal)
