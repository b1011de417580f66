"""Publishing disclosures (immutable, hash-chained) and verifying the chain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_any_of_compound
from services.billing.bills.domain import Period, parse_period
from services.billing.disclosure import domain, figures
from services.billing.disclosure.models import disclosures
from services.billing.disclosure.schemas import DisclosureCreate, DisclosureOut, LinkOut, VerifyOut
from shared.auth import Principal, Role
from shared.clock import LOCAL_TZ
from shared.contracts.billing import DisclosurePublished
from shared.error_codes import ErrorCode
from shared.errors import Conflict, NotFound
from shared.events.outbox import emit


@dataclass(frozen=True)
class Draft:
    """A period's statement as it would be published now: its place in the chain and its figures."""

    period: Period
    seq: int
    prev_hash: str
    content: dict[str, Any]
    content_hash: str


async def draft(session: AsyncSession, principal: Principal, body: DisclosureCreate, now: datetime) -> Draft:
    """The statement publishing would store now, by the same rules (who may, which period), so a
    preview shows exactly what the notice board will get."""
    place = await place_of(session, body.compound_id)
    require_any_of_compound(principal, place, Role.supervisory_committee, Role.owners_committee, Role.property_staff)
    period = parse_period(body.period)
    today = now.astimezone(LOCAL_TZ).date()
    if period.end >= today:
        # A notice is frozen for good once published: one taken before the period ends would
        # miss everything that happens in the rest of it.
        raise Conflict(
            f"{period.label} 尚未结束（截至 {period.end.isoformat()}），期满后方可公示",
            f"{period.label} has not ended (it runs to {period.end.isoformat()}): publish it after it ends",
            code=ErrorCode.period_not_ended,
        )
    last = (
        await session.execute(
            select(disclosures.c.seq, disclosures.c.content_hash)
            .where(disclosures.c.compound_id == body.compound_id)
            .order_by(disclosures.c.seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (last.seq + 1, last.content_hash) if last is not None else (1, domain.GENESIS)
    earlier = await _closed_before(session, body.compound_id, seq)
    content = await figures.compute(
        session, body.compound_id, period, await figures.current_watermarks(session), earlier
    )
    content["notice"] = _notice(principal, body.compound_id, body, today)
    return Draft(period, seq, prev_hash, content, domain.chain_hash(prev_hash, content))


async def publish(session: AsyncSession, principal: Principal, body: DisclosureCreate, now: datetime) -> DisclosureOut:
    """Compute the period's figures from the books as they stand, chain and store them."""
    d = await draft(session, principal, body, now)
    period, seq, prev_hash, content, content_hash = d.period, d.seq, d.prev_hash, d.content, d.content_hash
    try:
        async with session.begin_nested():
            disclosure_id = (
                await session.execute(
                    disclosures.insert()
                    .values(
                        compound_id=body.compound_id,
                        seq=seq,
                        period_kind=period.kind.value,
                        period_label=period.label,
                        period_start=period.start,
                        period_end=period.end,
                        content=domain.canonical(content),
                        prev_hash=prev_hash,
                        content_hash=content_hash,
                        published_by=principal.person_id,
                        published_at=now,
                    )
                    .returning(disclosures.c.id)
                )
            ).scalar_one()
    except IntegrityError:
        raise Conflict(
            f"{period.label} 的公示已发布（公示不可改写），或另一公示正在发布",
            f"{period.label} is already published (snapshots are immutable) or being published",
            code=ErrorCode.already_published,
        ) from None
    await emit(
        session,
        DisclosurePublished(
            disclosure_id=disclosure_id,
            compound_id=body.compound_id,
            period_label=period.label,
            seq=seq,
            content_hash=content_hash,
            prev_hash=prev_hash,
        ),
        subject=f"disclosure-{disclosure_id}",
        key=body.compound_id,
    )
    return await show(session, disclosure_id)


PUBLISHER_ROLES = (Role.owners_committee, Role.supervisory_committee, Role.property_staff)
DEFAULT_OBJECTION = "如对本公示有异议，请在公示期内向业主委员会或业主监督委员会书面提出"


def _notice(principal: Principal, compound_id: int, body: DisclosureCreate, today: date) -> dict[str, Any]:
    """What a notice board needs besides the figures: when, how long, by whom, where to object."""
    held = [r for r in PUBLISHER_ROLES if principal.has(r, "compound", compound_id)]
    publisher = (body.publisher or "").strip() or (held[0].label if held else "街道管理员")
    return {
        "published_on": today.isoformat(),
        "notice_days": body.notice_days,
        "notice_until": (today + timedelta(days=body.notice_days - 1)).isoformat(),
        "publisher": publisher,
        "publisher_person_id": principal.person_id,
        "cosigner": (body.cosigner or "").strip() or None,
        "objection_to": (body.objection_to or "").strip() or DEFAULT_OBJECTION,
    }


async def _closed_before(session: AsyncSession, compound_id: int, seq: int) -> list[figures.Closed]:
    """The periods disclosures before `seq` closed, in publication order."""
    rows = await session.execute(
        select(disclosures.c.period_start, disclosures.c.period_end, disclosures.c.content)
        .where(disclosures.c.compound_id == compound_id, disclosures.c.seq < seq)
        .order_by(disclosures.c.seq)
    )
    return [
        figures.Closed(start, end, int(json.loads(content)["as_of"]["journal_entry_id"]))
        for start, end, content in rows
    ]


async def list_of(session: AsyncSession, compound_id: int) -> list[DisclosureOut]:
    """A compound's disclosures in publication order."""
    rows = await session.execute(
        select(disclosures).where(disclosures.c.compound_id == compound_id).order_by(disclosures.c.seq)
    )
    return [DisclosureOut.model_validate(r) for r in rows]


async def show(session: AsyncSession, disclosure_id: int) -> DisclosureOut:
    row = (await session.execute(select(disclosures).where(disclosures.c.id == disclosure_id))).first()
    if row is None:
        raise NotFound(f"公示 {disclosure_id} 不存在", f"Disclosure {disclosure_id} not found")
    return DisclosureOut.model_validate(row)


async def verify(session: AsyncSession, compound_id: int) -> VerifyOut:
    """Recompute every hash and link, and every snapshot's figures from the journal up to its
    watermarks: all must agree for `ok`."""
    rows = list(
        await session.execute(
            select(disclosures).where(disclosures.c.compound_id == compound_id).order_by(disclosures.c.seq)
        )
    )
    stored = [(r.seq, r.period_label, json.loads(r.content), r.prev_hash, r.content_hash) for r in rows]
    links = domain.verify_chain(stored)
    out: list[LinkOut] = []
    for link, (seq, period_label, content, _, _) in zip(links, stored, strict=True):
        marks = figures.Watermarks(
            content["as_of"]["journal_entry_id"], content["as_of"]["allocation_id"], content["as_of"]["bill_id"]
        )
        earlier = await _closed_before(session, compound_id, seq)
        recomputed = await figures.compute(session, compound_id, parse_period(period_label), marks, earlier)
        # The notice section is not a figure: the hash already guards it.
        recomputed["notice"] = content.get("notice")
        out.append(
            LinkOut(
                seq=link.seq,
                period_label=link.period_label,
                hash_ok=link.hash_ok,
                link_ok=link.link_ok,
                figures_match=domain.canonical(recomputed) == domain.canonical(content),
            )
        )
    broken = [o.seq for o in out if not (o.hash_ok and o.link_ok and o.figures_match)]
    return VerifyOut(
        compound_id=compound_id,
        ok=not broken,
        count=len(out),
        head_hash=rows[-1].content_hash if rows else domain.GENESIS,
        first_broken_seq=broken[0] if broken else None,
        snapshots=out,
    )
