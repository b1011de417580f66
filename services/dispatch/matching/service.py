"""A compound's eligibility rule: read it (the default when it has none) and set it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.matching import schemas as s
from services.dispatch.matching.domain import Eligibility
from services.dispatch.matching.models import EligibilityRow
from services.dispatch.points.service import require_compound_admin
from shared.auth import Principal
from shared.locking import check_version
from shared.party import PartyLedger


async def rule_for(session: AsyncSession, compound_id: int) -> tuple[Eligibility, EligibilityRow | None]:
    """The compound's own rule, else the default."""
    row = await session.get(EligibilityRow, compound_id)
    if row is None:
        return Eligibility(), None
    return Eligibility(frozenset(PartyLedger(code) for code in row.ledgers)), row


def _show(compound_id: int, rule: Eligibility, row: EligibilityRow | None) -> s.EligibilityOut:
    """Not read from a row: a compound without its own rule has none (the default applies,
    version 0), and each ledger carries how its members qualify."""
    in_order = [ledger for ledger in PartyLedger if ledger in rule.ledgers]
    return s.EligibilityOut(
        compound_id=compound_id,
        version=row.version if row else 0,
        own=row is not None,
        ledgers=[
            s.LedgerOut(
                value=ledger.value,
                label=ledger.label,
                how="报到（在本小区报到的在职党员）" if ledger is PartyLedger.in_service else "居住（住在本小区）",
            )
            for ledger in in_order
        ],
        summary=f"本小区可接单、认领微心愿的党员：{rule.describe()}",
    )


async def get_rule(session: AsyncSession, compound_id: int) -> s.EligibilityOut:
    rule, row = await rule_for(session, compound_id)
    return _show(compound_id, rule, row)


async def set_rule(
    session: AsyncSession, compound_id: int, body: s.EligibilityUpdate, principal: Principal
) -> s.EligibilityOut:
    """The community (or street) sets who may take work in the compound; a stale version is 409."""
    await require_compound_admin(session, principal, compound_id)
    rule = Eligibility(frozenset(body.ledgers))
    rule.check()
    row = await session.get(EligibilityRow, compound_id)
    seen = row.version if row is not None else 0
    check_version("接单资格规则", "The eligibility rule", seen, body.version)
    stored = [ledger.value for ledger in PartyLedger if ledger in rule.ledgers]
    if row is None:
        row = EligibilityRow(compound_id=compound_id, ledgers=stored, version=1)
        session.add(row)
    else:
        row.ledgers, row.version = stored, row.version + 1
    await session.flush()
    return _show(compound_id, rule, row)
