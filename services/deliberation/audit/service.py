"""Appending to and verifying a compound's audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.deliberation.audit.domain import GENESIS, Action, StoredEntry, canonical, entry_hash, first_break
from services.deliberation.audit.models import AuditEntry, AuditHead
from services.deliberation.audit.schemas import AuditEntryOut, AuditVerification, BallotDisagreement
from services.deliberation.votes.chain import replay
from services.deliberation.votes.integrity import first_disagreement
from services.deliberation.votes.models import Ballot, Vote

HEADS: Table = AuditHead.__table__  # type: ignore[assignment]


async def insert_ignoring_duplicates(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either dialect."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    await session.execute(module.insert(table).values(**values).on_conflict_do_nothing())


async def lock_chain(session: AsyncSession, compound_id: int, count: int = 1) -> tuple[int, str]:
    """Take the compound's chain head (row lock until commit) and reserve the next `count`
    sequence numbers; returns (the first of them, the previous hash)."""
    advance = (
        update(HEADS)
        .where(HEADS.c.compound_id == compound_id)
        .values(seq=HEADS.c.seq + count)
        .returning(HEADS.c.seq, HEADS.c.hash)
    )
    row = (await session.execute(advance)).first()
    if row is None:  # the compound's first entry
        await insert_ignoring_duplicates(session, HEADS, {"compound_id": compound_id, "seq": 0, "hash": GENESIS})
        row = (await session.execute(advance)).one()
    return int(row[0]) - count + 1, str(row[1])


async def lock_head(session: AsyncSession, compound_id: int) -> None:
    """Take the compound's chain head (row lock until commit) without reserving an entry."""
    touch = update(HEADS).where(HEADS.c.compound_id == compound_id).values(seq=HEADS.c.seq)
    if (await session.execute(touch)).rowcount == 0:  # type: ignore[attr-defined]
        await insert_ignoring_duplicates(session, HEADS, {"compound_id": compound_id, "seq": 0, "hash": GENESIS})
        await session.execute(touch)


async def record(
    session: AsyncSession,
    compound_id: int,
    action: Action,
    subject: str,
    actor: int | None,
    body: dict[str, Any],
    at: datetime,
    reserved: tuple[int, str] | None = None,
) -> str:
    """Append one entry in the caller's transaction; returns its hash."""
    seq, prev = reserved if reserved is not None else await lock_chain(session, compound_id)
    text = canonical({**body, "at": at.isoformat()})
    digest = entry_hash(prev, seq, action.value, subject, actor, text)
    await session.execute(update(HEADS).where(HEADS.c.compound_id == compound_id).values(hash=digest))
    await session.execute(
        insert(AuditEntry).values(
            compound_id=compound_id,
            seq=seq,
            action=action.value,
            subject=subject,
            actor_person_id=actor,
            body=text,
            prev_hash=prev,
            hash=digest,
            recorded_at=at,
        )
    )
    return digest


@dataclass(frozen=True)
class Pending:
    """An entry to append: what happened, to what, by whom, when."""

    action: Action
    subject: str
    actor: int | None
    body: dict[str, Any]
    at: datetime


async def record_many(session: AsyncSession, compound_id: int, pending: list[Pending]) -> None:
    """Append many entries with one reservation, one multi-row insert and one head update
    (the chainer's batches)."""
    if not pending:
        return
    seq, prev = await lock_chain(session, compound_id, len(pending))
    rows = []
    for entry in pending:
        text = canonical({**entry.body, "at": entry.at.isoformat()})
        digest = entry_hash(prev, seq, entry.action.value, entry.subject, entry.actor, text)
        rows.append(
            {
                "compound_id": compound_id, "seq": seq, "action": entry.action.value, "subject": entry.subject,
                "actor_person_id": entry.actor, "body": text, "prev_hash": prev, "hash": digest,
                "recorded_at": entry.at,
            }
        )  # fmt: skip
        prev, seq = digest, seq + 1
    await session.execute(insert(AuditEntry), rows)
    await session.execute(update(HEADS).where(HEADS.c.compound_id == compound_id).values(hash=prev))


async def entries(session: AsyncSession, compound_id: int, after_seq: int, limit: int) -> list[AuditEntryOut]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.compound_id == compound_id, AuditEntry.seq > after_seq)
        .order_by(AuditEntry.seq)
        .limit(limit)
    )
    return [
        AuditEntryOut(
            seq=e.seq,
            action=e.action,
            action_label=Action(e.action).label if e.action in Action._value2member_map_ else e.action,
            subject=e.subject,
            actor_person_id=e.actor_person_id,
            body=e.body,
            prev_hash=e.prev_hash,
            hash=e.hash,
            recorded_at=e.recorded_at,
        )
        for e in rows
    ]


async def verify(session: AsyncSession, compound_id: int, attempts: int = 3) -> AuditVerification:
    """Recompute the whole chain and compare its end with the head.

    The head is read first and only entries up to it are checked: the head moves in the same
    transaction as the entries it covers, so while ballots are still being chained a later
    commit cannot make the end look cut off (under READ COMMITTED each statement sees the newest
    commits, so reading the entries first and the head second could)."""
    head = (await session.execute(select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.compound_id == compound_id))).first()
    rows = await session.execute(
        select(
            AuditEntry.seq,
            AuditEntry.action,
            AuditEntry.subject,
            AuditEntry.actor_person_id,
            AuditEntry.body,
            AuditEntry.prev_hash,
            AuditEntry.hash,
        )
        .where(AuditEntry.compound_id == compound_id, AuditEntry.seq <= (head[0] if head is not None else 2**62))
        .order_by(AuditEntry.seq)
    )
    stored = [StoredEntry(*row) for row in rows.all()]
    pending = int(
        await session.scalar(
            select(func.count())
            .select_from(Ballot)
            .join(Vote, Vote.id == Ballot.vote_id)
            .where(Vote.compound_id == compound_id, Ballot.chained.is_(False))
        )
        or 0
    )
    broken = first_break(stored)
    if broken is None and head is not None and (not stored or (stored[-1].seq, stored[-1].hash) != (head[0], head[1])):
        broken_seq = stored[-1].seq if stored else 0
        return AuditVerification(
            compound_id=compound_id,
            ok=False,
            entries=len(stored),
            first_bad_seq=broken_seq,
            reason="日志末尾与链头不符，末尾记录被删除或改动",
            reason_en="the chain's end does not match its head: trailing rows were removed or changed",
            unchained_ballots=pending,
        )
    if broken is None:
        # An intact chain is the record: the ballot rows and the published tallies must agree with it.
        chain = replay((e.seq, e.action, e.subject, e.body, e.hash) for e in stored)
        found, checked = await first_disagreement(session, compound_id, chain)
        if found is not None and attempts > 1 and await _head_moved(session, compound_id, head):
            # Every write that touches chained ballots or a tally moves the head in its own
            # transaction: a move while we read means the rows may be newer than the entries
            # read (READ COMMITTED), so look again rather than cry wolf.
            return await verify(session, compound_id, attempts - 1)
        if found is not None:
            return AuditVerification(
                compound_id=compound_id,
                ok=False,
                entries=len(stored),
                head_hash=head[1] if head is not None else GENESIS,
                first_bad_seq=found.seq,
                reason=found.reason,
                reason_en=found.reason_en,
                unchained_ballots=pending,
                ballots_checked=checked,
                disagreement=BallotDisagreement(
                    seq=found.seq, vote_id=found.vote_id, item_id=found.item_id, ballot_id=found.ballot_id,
                    receipt=found.receipt, field=found.field, chain=found.chain, table=found.table,
                ),
            )  # fmt: skip
    else:
        checked = 0
    return AuditVerification(
        compound_id=compound_id,
        ok=broken is None,
        ballots_checked=checked,
        entries=len(stored),
        head_hash=head[1] if head is not None else GENESIS,
        first_bad_seq=broken.seq if broken else None,
        reason=broken.reason if broken else None,
        reason_en=broken.reason_en if broken else None,
        unchained_ballots=pending,
    )


async def _head_moved(session: AsyncSession, compound_id: int, head: Any) -> bool:
    now = (await session.execute(select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.compound_id == compound_id))).first()
    return (tuple(now) if now is not None else None) != (tuple(head) if head is not None else None)
