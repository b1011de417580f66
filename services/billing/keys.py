"""Money-moving POSTs insist on an Idempotency-Key.

Without one, a retried refund (a timeout, a double tap, a proxy's retry) refunded twice: the
shared idempotency layer can only replay what it can recognise. The key itself is handled by
shared/http.py and shared/idempotency.py; this dependency only makes it mandatory on the routes
that move money (payments, refunds, reversals, revenues, distributions, expenses, fund deposits
and withdrawals, bill runs and re-issues)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from shared.errors import LinliError


class KeyRequired(LinliError):
    status_code = 428
    code = "idempotency_key_required"


async def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="required: a fresh value (e.g. a UUID) per operation, the same value on every retry of it",
        ),
    ] = None,
) -> None:
    if idempotency_key is None or not idempotency_key.strip():
        raise KeyRequired(
            "涉及资金的操作须带 Idempotency-Key 请求头（每笔操作一个新值，重试时沿用同一值），以免重复扣款或退款",
            "This request moves money: send an Idempotency-Key header (a new value per operation, the same value "
            "on every retry of it) so a retry cannot book it twice",
            details={"header": "Idempotency-Key"},
        )


MONEY = [Depends(require_idempotency_key)]
