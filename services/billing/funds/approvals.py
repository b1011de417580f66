"""Four eyes on the pool's and the maintenance fund's discretionary money: a 433 distribution
and an emergency withdrawal (no owners' decision behind it) are requested by one person and
approved by a second committee member before they can be booked. The approval row records both
and what it was used for, and each approval books exactly once."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, computed_field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_manager, require_reader
from services.billing.funds.models import fund_approvals
from shared.auth import Principal, Role, require_any
from shared.contracts.billing import FundApprovalRequested
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit
from shared.responses import FromRow, JsonText


class Action(StrEnum):
    distribution = "distribution"
    emergency_withdrawal = "emergency_withdrawal"

    @property
    def label(self) -> str:
        return {"distribution": "资金池分配", "emergency_withdrawal": "维修资金紧急使用"}[self.value]


class ApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compound_id: int = Field(gt=0)
    action: Action
    amount_fen: int = Field(gt=0)
    building_ids: list[int] = Field(default_factory=list, max_length=50, description="emergency withdrawals")
    purpose: str = Field(default="", max_length=200)


class ApprovalOut(FromRow):
    id: int
    compound_id: int
    action: Action
    amount_fen: int
    building_ids: Annotated[list[int], JsonText]
    purpose: str
    status: str = Field(description="pending → approved → used")
    requested_by: int
    requested_at: datetime
    approved_by: int | None
    approved_at: datetime | None
    used_for: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def action_label(self) -> str:
        return self.action.label


async def _row(session: AsyncSession, approval_id: int) -> Any:
    row = (await session.execute(select(fund_approvals).where(fund_approvals.c.id == approval_id))).first()
    if row is None:
        raise NotFound(f"审批 {approval_id} 不存在", f"Approval {approval_id} not found")
    return row


async def request(session: AsyncSession, principal: Principal, body: ApprovalCreate, now: datetime) -> ApprovalOut:
    require_manager(principal, await place_of(session, body.compound_id))
    new_id = (
        await session.execute(
            fund_approvals.insert()
            .values(
                compound_id=body.compound_id,
                action=body.action.value,
                amount_fen=body.amount_fen,
                building_ids=json.dumps(sorted(set(body.building_ids))),
                purpose=body.purpose,
                status="pending",
                requested_by=principal.person_id,
                requested_at=now,
                version=1,
            )
            .returning(fund_approvals.c.id)
        )
    ).scalar_one()
    await emit(
        session,
        FundApprovalRequested(
            approval_id=int(new_id),
            compound_id=body.compound_id,
            action=body.action.value,
            action_label=body.action.label,
            amount_fen=body.amount_fen,
            requested_by_person_id=principal.person_id,
        ),
        subject=f"fund-approval-{new_id}",
        key=body.compound_id,
    )
    return ApprovalOut.model_validate(await _row(session, int(new_id)))


async def approve(session: AsyncSession, principal: Principal, approval_id: int, now: datetime) -> ApprovalOut:
    """A second committee member of the compound approves: never the person who asked."""
    row = await _row(session, approval_id)
    require_any(
        principal,
        (Role.owners_committee, "compound", row.compound_id),
        (Role.supervisory_committee, "compound", row.compound_id),
    )
    if principal.person_id == row.requested_by:
        raise Conflict(
            "四眼原则：申请人不能审批自己的申请，须由另一位委员审批",
            "Four eyes: the person who asked cannot approve; a second committee member must",
            code=ErrorCode.same_person,
        )
    result = await session.execute(
        update(fund_approvals)
        .where(fund_approvals.c.id == approval_id, fund_approvals.c.status == "pending")
        .values(status="approved", approved_by=principal.person_id, approved_at=now, version=row.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"审批 {approval_id} 已处理（{row.status}）",
            f"Approval {approval_id} is not pending ({row.status})",
            code=ErrorCode.not_pending,
        )
    return ApprovalOut.model_validate(await _row(session, approval_id))


async def listing(session: AsyncSession, principal: Principal, compound_id: int) -> list[ApprovalOut]:
    require_reader(principal, await place_of(session, compound_id))
    rows = await session.execute(
        select(fund_approvals).where(fund_approvals.c.compound_id == compound_id).order_by(fund_approvals.c.id)
    )
    return [ApprovalOut.model_validate(r) for r in rows]


async def use(
    session: AsyncSession,
    approval_id: int | None,
    *,
    compound_id: int,
    action: Action,
    amount_fen: int,
    building_ids: list[int] | None = None,
) -> Any:
    """Consume an approved approval for exactly this booking (409 otherwise); returns its row.
    The caller records what it was used for with `mark_used` once the booking has its id."""
    if approval_id is None:
        raise Conflict(
            f"{action.label}须经另一位委员审批（四眼原则）：先提交审批申请，获批后带 approval_id 提交",
            f"A {action.value.replace('_', ' ')} needs a second committee member's approval (four eyes): "
            "request one, have it approved, then send its approval_id",
            code=ErrorCode.second_approval_required,
        )
    row = await _row(session, approval_id)
    matches = (
        row.compound_id == compound_id
        and row.action == action.value
        and row.amount_fen == amount_fen
        and (building_ids is None or json.loads(row.building_ids) == sorted(set(building_ids)))
    )
    if not matches:
        raise Conflict(
            f"审批 {approval_id} 批准的不是这笔操作（小区、类别、金额或楼栋不符）",
            f"Approval {approval_id} was given for something else (compound, action, amount or buildings differ)",
            code=ErrorCode.approval_mismatch,
        )
    result = await session.execute(
        update(fund_approvals)
        .where(fund_approvals.c.id == approval_id, fund_approvals.c.status == "approved")
        .values(status="used", version=row.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            f"审批 {approval_id} 尚未获批或已使用（{row.status}）",
            f"Approval {approval_id} is not approved or already used ({row.status})",
            code=ErrorCode.approval_not_usable,
        )
    return row


async def mark_used(session: AsyncSession, approval_id: int, used_for: str) -> None:
    await session.execute(update(fund_approvals).where(fund_approvals.c.id == approval_id).values(used_for=used_for))
