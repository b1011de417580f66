"""Journal entries carry their value date (the day the money moved, in the compound's time zone):
disclosures count an entry in the period of its value date, not of its posting.

Revision ID: b0008
Revises: b0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.clock import LOCAL_TZ

revision = "b0008"
down_revision = "b0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("journal_entries", sa.Column("value_date", sa.Date(), nullable=True))
    op.create_index("ix_journal_entries_value_date", "journal_entries", ["compound_id", "value_date"])
    bind = op.get_bind()
    # Entries posted before this revision: a revenue's value date is the day it was received,
    # everything else the local day it was posted (what the entry itself says happened).
    received = {
        int(entry): day
        for entry, day in bind.execute(sa.text("SELECT entry_id, received_on FROM revenues WHERE entry_id <> 0"))
    }
    rows = list(bind.execute(sa.text("SELECT id, posted_at FROM journal_entries")))
    for entry_id, posted_at in rows:
        if entry_id in received:
            day = received[entry_id]
        else:
            moment = posted_at if isinstance(posted_at, datetime) else datetime.fromisoformat(str(posted_at))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: stored in UTC
            day = moment.astimezone(LOCAL_TZ).date()
        bind.execute(
            sa.text("UPDATE journal_entries SET value_date = :day WHERE id = :id"), {"day": day, "id": entry_id}
        )


def downgrade() -> None:
    op.drop_index("ix_journal_entries_value_date", "journal_entries")
    op.drop_column("journal_entries", "value_date")
