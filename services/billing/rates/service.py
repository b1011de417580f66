"""Creating and listing rate cards."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_manager, require_street_manager
from services.billing.contracts import standards
from services.billing.rates import domain
from services.billing.rates.models import rate_cards
from services.billing.rates.schemas import RateCardCreate, RateCardOut
from shared.auth import Principal
from shared.clock import clock_of


async def create_card(session: AsyncSession, principal: Principal, body: RateCardCreate, now: datetime) -> RateCardOut:
    """Check who may set it, its rate, range and overlap; then store it."""
    if body.scope_kind == domain.RateScope.compound:
        require_manager(principal, await place_of(session, body.scope_id))
    else:
        require_street_manager(principal, body.scope_id)
    units = domain.parse_rate(body.rate_yuan_per_m2_month)
    domain.check_vacancy_percent(body.vacancy_percent)
    domain.check_dates(body.effective_from, body.effective_to)
    same_scope = await session.execute(
        select(rate_cards.c.id, rate_cards.c.effective_from, rate_cards.c.effective_to).where(
            rate_cards.c.scope_kind == body.scope_kind.value,
            rate_cards.c.scope_id == body.scope_id,
            rate_cards.c.structure == body.structure.value,
            rate_cards.c.management_model == body.management_model.value,
        )
    )
    domain.check_no_overlap(body.effective_from, body.effective_to, list(same_scope))
    card_id = (
        await session.execute(
            rate_cards.insert()
            .values(
                scope_kind=body.scope_kind.value,
                scope_id=body.scope_id,
                structure=body.structure.value,
                management_model=body.management_model.value,
                rate_units=units,
                vacancy_percent=body.vacancy_percent,
                effective_from=body.effective_from,
                effective_to=body.effective_to,
                created_by=principal.person_id,
                created_at=now,
            )
            .returning(rate_cards.c.id)
        )
    ).scalar_one()
    row = (await session.execute(select(rate_cards).where(rate_cards.c.id == card_id))).one()
    return RateCardOut.model_validate(row)


async def list_cards(session: AsyncSession, scope_kind: domain.RateScope, scope_id: int) -> list[RateCardOut]:
    """A scope's cards, oldest first."""
    rows = list(
        await session.execute(
            select(rate_cards)
            .where(rate_cards.c.scope_kind == scope_kind.value, rate_cards.c.scope_id == scope_id)
            .order_by(rate_cards.c.structure, rate_cards.c.management_model, rate_cards.c.effective_from)
        )
    )
    cards = [RateCardOut.model_validate(row) for row in rows]
    if scope_kind != domain.RateScope.compound:
        return cards
    # The price beside the quality it buys: each card with the service contract in force today
    # (or on the card's first day, for a card not in force today).
    today = clock_of(session).today()

    def day_of(card: RateCardOut) -> date:
        current = card.effective_from <= today and (card.effective_to is None or today <= card.effective_to)
        return today if current else card.effective_from

    return [
        card.model_copy(
            update={
                "contract_standard": await standards.beside_card(
                    session, scope_id, card.structure, day_of(card), row.rate_units
                )
            }
        )
        for card, row in zip(cards, rows, strict=True)
    ]
