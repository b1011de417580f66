"""Staff review a contract's performance for a month against its service standard items
(履约评价), one review per contract and month; the reviews as an .xlsx ledger."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.contracts import access, contracting, domain
from services.billing.contracts import schemas as s
from services.billing.contracts.models import performance_reviews, property_companies, service_contracts
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict


async def review(session: AsyncSession, principal: Principal, body: s.ReviewCreate, now: datetime) -> s.ReviewOut:
    contract = await contracting.contract_row(session, body.contract_id)
    await access.require_contract_staff(session, principal, contract.compound_id)
    items = await contracting.items_of(session, contract.id)
    total = domain.review_total({i.id: i.weight for i in items}, body.scores)
    lines = [{"item_id": i.id, "title": i.title, "weight": i.weight, "score": body.scores[i.id]} for i in items]
    try:
        async with session.begin_nested():
            review_id = (
                await session.execute(
                    performance_reviews.insert()
                    .values(
                        contract_id=contract.id,
                        compound_id=contract.compound_id,
                        period=body.period,
                        scores=json.dumps(lines, ensure_ascii=False),
                        total=total,
                        note=body.note.strip(),
                        created_by=principal.person_id,
                        created_at=now,
                    )
                    .returning(performance_reviews.c.id)
                )
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(
            f"该合同 {body.period} 已评价过",
            f"The contract is already reviewed for {body.period}",
            code=ErrorCode.duplicate,
        ) from exc
    return (await reviews_of(session, contract.compound_id, review_id=review_id))[0]


def _query() -> Any:
    return (
        select(performance_reviews, property_companies.c.name.label("company_name"))
        .join(service_contracts, service_contracts.c.id == performance_reviews.c.contract_id)
        .join(property_companies, property_companies.c.id == service_contracts.c.company_id)
    )


async def reviews_of(session: AsyncSession, compound_id: int, *, review_id: int | None = None) -> list[s.ReviewOut]:
    query = _query().where(performance_reviews.c.compound_id == compound_id)
    if review_id is not None:
        query = query.where(performance_reviews.c.id == review_id)
    rows = await session.execute(query.order_by(performance_reviews.c.period.desc(), performance_reviews.c.id))
    return [s.ReviewOut.model_validate(r) for r in rows]


async def latest_per_contract(session: AsyncSession, contract_ids: list[int]) -> dict[int, s.ReviewOut]:
    rows = await session.execute(
        _query().where(performance_reviews.c.contract_id.in_(contract_ids)).order_by(performance_reviews.c.period)
    )
    return {r.contract_id: s.ReviewOut.model_validate(r) for r in rows}  # later periods overwrite earlier ones


def reviews_xlsx(reviews: list[s.ReviewOut], compound_name: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "履约评价"
    sheet.append([f"{compound_name} 物业服务履约评价台账"])
    sheet.append(["月份", "物业企业", "服务标准项", "分值", "得分", "总分", "说明"])
    for r in reviews:
        for line in r.lines:
            sheet.append([r.period, r.company_name, line.title, line.weight, line.score, r.total, r.note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
