"""Routes of the audit log: read it (the supervisory committee and the committee) and verify it
(any signed-in caller: the verdict reveals nothing but whether the record is intact)."""

from __future__ import annotations

from fastapi import Query

from services.deliberation.access import can_read_everything, compound_community, require_reader
from services.deliberation.audit import service
from services.deliberation.audit.schemas import AuditEntryOut, AuditVerification
from shared.auth import CurrentPrincipal
from shared.errors import Forbidden
from shared.http import Session, service_router
from shared.pagination import DEFAULT_LIMIT, Limit

router = service_router("/api/v1/deliberation", tags=["审计 (audit)"])


@router.get(
    "/compounds/{compound_id}/audit",
    response_model=list[AuditEntryOut],
    summary="小区审计日志 (the compound's hash-chained audit log)",
)
async def audit_log(
    compound_id: int,
    session: Session,
    principal: CurrentPrincipal,
    after_seq: int = Query(0, ge=0),
    limit: Limit = DEFAULT_LIMIT,
) -> list[AuditEntryOut]:
    await compound_community(session, compound_id)
    if not await can_read_everything(session, principal, compound_id):
        raise Forbidden(
            "只有监委会、业委会成员可查看审计日志",
            "Only the supervisory committee and the committee read the audit log",
        )
    return await service.entries(session, compound_id, after_seq, limit)


@router.get(
    "/compounds/{compound_id}/audit/verify",
    response_model=AuditVerification,
    summary="重新计算哈希链并指出第一条异常记录 (recompute the chain, name the first bad row)",
)
async def verify_audit(compound_id: int, session: Session, principal: CurrentPrincipal) -> AuditVerification:
    await require_reader(session, principal, compound_id)
    await compound_community(session, compound_id)
    return await service.verify(session, compound_id)
