"""收费价格与服务标准衔接 (seed 004: 质价相符): beside a compound's rate card, the service contract
in force on the card's first day, its fee standard for the card's structure, its service
standard items and its latest performance review."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.contracts import contracting, evaluating
from services.billing.contracts import schemas as s
from services.billing.contracts.models import service_contracts
from services.billing.rates.domain import Structure, rate_text


async def beside_card(
    session: AsyncSession, compound_id: int, structure: Structure, on: date, card_units: int
) -> s.ContractStandard | None:
    contract_id = await session.scalar(
        select(service_contracts.c.id)
        .where(
            service_contracts.c.compound_id == compound_id,
            service_contracts.c.starts_on <= on,
            service_contracts.c.ends_on >= on,
        )
        .order_by(service_contracts.c.starts_on.desc())
        .limit(1)
    )
    if contract_id is None:
        return None
    row = await contracting.contract_row(session, contract_id)
    units = row.multi_storey_units if structure == Structure.multi_storey else row.high_rise_units
    latest = (await evaluating.latest_per_contract(session, [contract_id])).get(contract_id)
    return s.ContractStandard(
        contract_id=contract_id,
        company_name=row.company_name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        contract_rate=None if units is None else rate_text(units),
        in_step=None if units is None else card_units <= units,
        items=[i.title for i in await contracting.items_of(session, contract_id)],
        latest_review_period=latest.period if latest else None,
        latest_review_total=latest.total if latest else None,
    )
