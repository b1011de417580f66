"""A credit score per property company across the street (信用评价): its latest review on each
contract and its owners' satisfaction; the street's red list (诚信履约) and black list (失信)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.contracts import domain, evaluating, surveying
from services.billing.contracts import schemas as s
from services.billing.contracts.models import property_companies, satisfaction_surveys, service_contracts


async def lists(session: AsyncSession, street_id: int) -> s.CreditLists:
    companies = list(
        await session.execute(
            select(property_companies)
            .where(property_companies.c.street_id == street_id)
            .order_by(property_companies.c.id)
        )
    )
    out = []
    for company in companies:
        contract_ids = list(
            await session.scalars(select(service_contracts.c.id).where(service_contracts.c.company_id == company.id))
        )
        latest = await evaluating.latest_per_contract(session, contract_ids) if contract_ids else {}
        survey_ids = (
            list(
                await session.scalars(
                    select(satisfaction_surveys.c.id).where(satisfaction_surveys.c.contract_id.in_(contract_ids))
                )
            )
            if contract_ids
            else []
        )
        satisfaction = domain.satisfaction_percent(await surveying.scores_of(session, survey_ids))
        totals = [r.total for r in latest.values()]
        score = domain.credit_score(totals, satisfaction)
        out.append(
            s.CreditOut(
                company_id=company.id,
                name=company.name,
                credit_code=company.credit_code,
                contracts=len(contract_ids),
                review_average=domain.credit_score(totals, None),
                satisfaction_percent=satisfaction,
                score=score,
                list=domain.list_of(score),
            )
        )
    ranked = sorted(out, key=lambda c: (c.score is None, -(c.score or 0), c.company_id))
    return s.CreditLists(
        street_id=street_id,
        red_at=domain.RED_AT,
        black_below=domain.BLACK_BELOW,
        honor_roll=[c for c in ranked if c.list == domain.CreditList.honor_roll],
        warning_list=[c for c in ranked if c.list == domain.CreditList.warning_list],
        companies=ranked,
    )
