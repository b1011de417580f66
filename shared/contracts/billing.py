"""Events billing publishes on `billing.events`, keyed by compound id (bills issued, payments
booked, reminders, disclosures published). No other service consumes them yet."""

from __future__ import annotations
