"""The compound's thresholds: set by its community or street, never by the committee rated."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.access import place_of, require_reader
from services.deliberation.evaluations import domain as d
from services.deliberation.evaluations import schemas as s
from services.deliberation.evaluations.lookup import rules_of
from services.deliberation.evaluations.models import EvaluationRules
from shared.auth import Principal, require_staff_of
from shared.error_codes import ErrorCode
from shared.errors import Conflict


def show(rules: EvaluationRules) -> s.CommitteeRulesOut:
    return s.CommitteeRulesOut(
        compound_id=rules.compound_id,
        version=rules.version,
        own=rules.version > 0,
        min_satisfaction_percent=d.bp_text(rules.min_satisfaction_bp) or "",
        recall_share_percent=d.bp_text(rules.recall_share_bp) or "",
    )


async def read(session: AsyncSession, compound_id: int, principal: Principal) -> s.CommitteeRulesOut:
    await require_reader(session, principal, compound_id)
    return show(await rules_of(session, compound_id))


async def set_rules(
    session: AsyncSession, compound_id: int, body: s.CommitteeRulesIn, principal: Principal, at: datetime
) -> s.CommitteeRulesOut:
    require_staff_of(principal, await place_of(session, compound_id))
    rules = await session.get(EvaluationRules, compound_id, with_for_update=True)
    seen = rules.version if rules is not None else None
    if body.version != seen:
        raise Conflict(
            "规则已被他人修改，请刷新后重试",
            "The rules changed meanwhile; reload and retry",
            code=ErrorCode.stale_version,
        )
    if rules is None:
        rules = EvaluationRules(compound_id=compound_id, version=0)
        session.add(rules)
    rules.min_satisfaction_bp = body.min_satisfaction_percent * 100
    rules.recall_share_bp = body.recall_share_percent * 100
    rules.version += 1
    rules.set_by_person_id = principal.person_id
    rules.set_at = at
    await session.flush()
    return show(rules)
