"""The mediation figures of a place and period (for the dashboard) and the mediation ledger
(调解台账) a community keeps, as an .xlsx workbook with Chinese headers."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import OPEN, CaseCategory, CaseKind, CaseState, MediatorKind, PartySide
from services.dispatch.mediation.models import MediationCase, MediationParty
from services.dispatch.mediation.reading import compound_names
from shared.clock import LOCAL_TZ, day_span
from shared.figures import Level

COLUMN = {
    "grid": MediationCase.grid_id,
    "compound": MediationCase.compound_id,
    "community": MediationCase.community_id,
    "street": MediationCase.street_id,
}


async def figures(
    session: AsyncSession, level: Level, place_id: int, date_from: date, date_to: date
) -> s.MediationFigures:
    """Counted by the day a thing happened as the compound lives it: filed on its filing day,
    resolved on the day of its agreement."""
    start, end = day_span(date_from, date_to, LOCAL_TZ)
    where = COLUMN[level] == place_id
    cases = (await session.scalars(select(MediationCase).where(where))).all()
    filed = [c for c in cases if start <= c.filed_at < end]
    settled = [c for c in cases if c.settled_at is not None and start <= c.settled_at < end]
    resolved = [c for c in settled if c.state in (CaseState.agreed.value, CaseState.closed.value)]
    visited = [c for c in cases if c.followed_up_at is not None and start <= c.followed_up_at < end]

    def counted(kind: CaseKind, at_round_table: bool | None = None) -> int:
        return sum(
            1
            for c in resolved
            if c.kind == kind.value
            and (at_round_table is None or (c.mediator_kind == MediatorKind.round_table.value) == at_round_table)
        )

    by_mediator = Counter(c.mediator_kind or "" for c in resolved)
    by_category = Counter(c.category for c in filed)
    return s.MediationFigures(
        filed=len(filed),
        resolved=len(resolved),
        disputes_resolved=counted(CaseKind.dispute),
        problems_resolved=counted(CaseKind.problem),
        round_table_disputes=counted(CaseKind.dispute, True),
        round_table_problems=counted(CaseKind.problem, True),
        failed=len(settled) - len(resolved),
        open=sum(1 for c in cases if CaseState(c.state) in OPEN),
        followed_up=len(visited),
        agreements_kept=sum(1 for c in visited if c.follow_up_kept),
        by_mediator=[
            s.MediationCount(value=k.value, label=k.label, cases=by_mediator[k.value])
            for k in MediatorKind
            if by_mediator[k.value]
        ],
        by_category=[
            s.MediationCount(value=k.value, label=k.label, cases=by_category[k.value])
            for k in CaseCategory
            if by_category[k.value]
        ],
    )


def _day(moment: datetime | None) -> str | None:
    return moment.astimezone(LOCAL_TZ).date().isoformat() if moment is not None else None


async def ledger_rows(
    session: AsyncSession, level: Level, place_id: int, date_from: date, date_to: date
) -> tuple[Sequence[MediationCase], dict[int, list[MediationParty]], dict[int, str]]:
    start, end = day_span(date_from, date_to, LOCAL_TZ)
    cases = (
        await session.scalars(
            select(MediationCase)
            .where(COLUMN[level] == place_id, MediationCase.filed_at >= start, MediationCase.filed_at < end)
            .order_by(MediationCase.filed_at, MediationCase.id)
        )
    ).all()
    parties: dict[int, list[MediationParty]] = {}
    if cases:
        rows = await session.scalars(
            select(MediationParty).where(MediationParty.case_id.in_([c.id for c in cases])).order_by(MediationParty.id)
        )
        for p in rows.all():
            parties.setdefault(p.case_id, []).append(p)
    return cases, parties, await compound_names(session, {c.compound_id for c in cases})


HEADERS = [
    "编号",
    "受理日期",
    "小区",
    "类型",
    "纠纷类别",
    "事由",
    "申请人",
    "被申请人",
    "调解人类型",
    "调解人",
    "状态",
    "结案日期",
    "调解结果",
    "回访日期",
    "协议履行",
]


async def ledger_xlsx(session: AsyncSession, level: Level, place_id: int, date_from: date, date_to: date) -> bytes:
    """One row per case filed in the period, as a people's mediation committee keeps its book."""
    cases, parties, names = await ledger_rows(session, level, place_id, date_from, date_to)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "调解台账"
    sheet.append(HEADERS)
    for c in cases:
        sides = parties.get(c.id, [])

        def named(side: PartySide, sides: list[MediationParty] = sides) -> str:
            return "、".join(p.organisation or p.name for p in sides if p.side == side.value)

        kept = None if c.follow_up_kept is None else ("履行" if c.follow_up_kept else "未履行")
        sheet.append(
            [
                c.id,
                _day(c.filed_at),
                names.get(c.compound_id, str(c.compound_id)),
                CaseKind(c.kind).label,
                CaseCategory(c.category).label,
                c.title,
                named(PartySide.applicant),
                named(PartySide.respondent),
                MediatorKind(c.mediator_kind).label if c.mediator_kind else None,
                c.mediator_name,
                CaseState(c.state).label,
                _day(c.settled_at),
                c.agreement,
                _day(c.followed_up_at),
                kept,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
