"""The street registers property companies; a compound's committee signs a service contract
with one: its term, its fee standard per m² by building structure, its service standard items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import require_street_manager
from services.billing.contracts import access, domain
from services.billing.contracts import schemas as s
from services.billing.contracts.models import contract_items, property_companies, service_contracts
from services.billing.rates.domain import parse_rate, rate_text
from shared.auth import Principal
from shared.error_codes import ErrorCode
from shared.errors import Conflict, InvalidInput, NotFound


async def register_company(
    session: AsyncSession, principal: Principal, body: s.CompanyCreate, now: datetime
) -> s.CompanyOut:
    require_street_manager(principal, body.street_id)
    try:
        async with session.begin_nested():
            company_id = (
                await session.execute(
                    property_companies.insert()
                    .values(
                        street_id=body.street_id, name=body.name.strip(), credit_code=body.credit_code, created_at=now
                    )
                    .returning(property_companies.c.id)
                )
            ).scalar_one()
    except IntegrityError as exc:
        raise Conflict(
            "本街道已登记同名物业企业", "The street already lists a company of that name", code=ErrorCode.duplicate
        ) from exc
    return s.CompanyOut.model_validate(await company_row(session, company_id))


async def company_row(session: AsyncSession, company_id: int) -> Any:
    row = (await session.execute(select(property_companies).where(property_companies.c.id == company_id))).first()
    if row is None:
        raise NotFound(f"物业企业 {company_id} 不存在", f"Property company {company_id} not found")
    return row


async def companies_of(session: AsyncSession, street_id: int) -> list[s.CompanyOut]:
    rows = await session.execute(
        select(property_companies).where(property_companies.c.street_id == street_id).order_by(property_companies.c.id)
    )
    return [s.CompanyOut.model_validate(r) for r in rows]


def _units(value: str | None) -> int | None:
    return None if value is None else parse_rate(value)


async def sign(session: AsyncSession, principal: Principal, body: s.ContractCreate, now: datetime) -> s.ContractOut:
    place = await access.require_contract_staff(session, principal, body.compound_id)
    company = await company_row(session, body.company_id)
    if company.street_id != place.street_id:
        raise InvalidInput(
            "只能与本街道登记的物业企业签约",
            "Sign with a company registered in the compound's street",
            details=[{"field": "company_id", "value": body.company_id}],
        )
    domain.check_term(body.starts_on, body.ends_on)
    domain.check_items([i.weight for i in body.items])
    multi, high = _units(body.multi_storey_rate), _units(body.high_rise_rate)
    others = await session.execute(
        select(service_contracts.c.id, service_contracts.c.starts_on, service_contracts.c.ends_on).where(
            service_contracts.c.compound_id == body.compound_id
        )
    )
    domain.check_no_overlap(body.starts_on, body.ends_on, [(r.id, r.starts_on, r.ends_on) for r in others])
    contract_id = (
        await session.execute(
            service_contracts.insert()
            .values(
                compound_id=body.compound_id,
                company_id=body.company_id,
                starts_on=body.starts_on,
                ends_on=body.ends_on,
                multi_storey_units=multi,
                high_rise_units=high,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(service_contracts.c.id)
        )
    ).scalar_one()
    await session.execute(
        contract_items.insert(),
        [{"contract_id": contract_id, "title": i.title.strip(), "weight": i.weight} for i in body.items],
    )
    return await show(session, contract_id)


async def contract_row(session: AsyncSession, contract_id: int) -> Any:
    row = (
        await session.execute(
            select(service_contracts, property_companies.c.name.label("company_name"))
            .join(property_companies, property_companies.c.id == service_contracts.c.company_id)
            .where(service_contracts.c.id == contract_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"物业服务合同 {contract_id} 不存在", f"Service contract {contract_id} not found")
    return row


async def items_of(session: AsyncSession, contract_id: int) -> list[Any]:
    return list(
        await session.execute(
            select(contract_items).where(contract_items.c.contract_id == contract_id).order_by(contract_items.c.id)
        )
    )


async def show(session: AsyncSession, contract_id: int) -> s.ContractOut:
    row = await contract_row(session, contract_id)
    return s.ContractOut(
        id=row.id,
        compound_id=row.compound_id,
        company_id=row.company_id,
        company_name=row.company_name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        multi_storey_rate=None if row.multi_storey_units is None else rate_text(row.multi_storey_units),
        high_rise_rate=None if row.high_rise_units is None else rate_text(row.high_rise_units),
        items=[s.ItemOut.model_validate(i) for i in await items_of(session, contract_id)],
        created_at=row.created_at,
    )


async def contracts_of(session: AsyncSession, compound_id: int) -> list[s.ContractOut]:
    ids = await session.scalars(
        select(service_contracts.c.id)
        .where(service_contracts.c.compound_id == compound_id)
        .order_by(service_contracts.c.starts_on.desc())
    )
    return [await show(session, i) for i in ids]
