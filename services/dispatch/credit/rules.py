"""A compound's household credit rules: read them (the default when it has none) and set them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.credit import schemas as s
from services.dispatch.credit.access import require_compound_staff
from services.dispatch.credit.domain import DEFAULT_POINTS, CreditReason, CreditRules
from services.dispatch.credit.models import CreditRuleRow
from shared.auth import Principal
from shared.locking import check_version

DEFAULT_RULES_KEY = 0


def _rules(data: dict[str, Any]) -> CreditRules:
    return CreditRules(
        points={**DEFAULT_POINTS, **data.get("points", {})},
        honor_roll_size=data.get("honor_roll_size", 10),
        warning_below=data.get("warning_below", 0),
        warning_demerits=data.get("warning_demerits", 2),
    )


async def rules_for(session: AsyncSession, compound_id: int) -> tuple[CreditRules, CreditRuleRow | None]:
    """The compound's own rules, else the default row, else the built-in defaults."""
    for key in (compound_id, DEFAULT_RULES_KEY):
        row = await session.get(CreditRuleRow, key)
        if row is not None:
            return _rules(row.rules), row if key == compound_id else None
    return CreditRules(), None


def _show(compound_id: int, rules: CreditRules, row: CreditRuleRow | None) -> s.CreditRulesOut:
    """Not read from a row: a compound without its own rules has none (the defaults apply,
    version 0), and the points per reason come from the rules, not a column."""
    lines = [
        s.CreditRuleLine(reason=r.value, reason_label=r.label, points=rules.points_for(r))
        for r in CreditReason
        if r is not CreditReason.redeemed
    ]
    return s.CreditRulesOut(
        compound_id=compound_id, version=row.version if row else 0, own=row is not None, lines=lines, **asdict(rules)
    )


async def get_rules(session: AsyncSession, compound_id: int) -> s.CreditRulesOut:
    rules, row = await rules_for(session, compound_id)
    return _show(compound_id, rules, row)


async def set_rules(
    session: AsyncSession, principal: Principal, compound_id: int, body: s.CreditRulesUpdate
) -> s.CreditRulesOut:
    """The compound's staff set its points (a convention may weigh sorting more than another's);
    a stale version is 409. Entries already made keep their points."""
    await require_compound_staff(session, principal, compound_id)
    data = body.model_dump(exclude={"version"})
    rules = CreditRules(**data)
    rules.check()
    rules = _rules(data)
    row = await session.get(CreditRuleRow, compound_id)
    check_version("积分规则", "The credit rules", row.version if row is not None else 0, body.version)
    if row is None:
        row = CreditRuleRow(compound_id=compound_id, rules=asdict(rules), version=1)
        session.add(row)
    else:
        row.rules, row.version = asdict(rules), row.version + 1
    await session.flush()
    return _show(compound_id, rules, row)
