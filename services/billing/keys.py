"""Money-moving POSTs insist on an Idempotency-Key.

Without one, a retried refund (a timeout, a double tap, a proxy's retry) refunded twice: the
shared idempotency layer can only replay what it can recognise. The key itself is handled by
shared/http.py and shared/idempotency.py (whose `required_key` answers 428 without one); MONEY
makes it mandatory on the routes that move money (payments, refunds, reversals, revenues,
distributions, expenses, fund deposits and withdrawals, bill runs and re-issues)."""

from __future__ import annotations

from shared.idempotency import KEY_REQUIRED

MONEY = KEY_REQUIRED
