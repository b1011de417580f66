"""A compound's posts with who holds them (the wall shows the same)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.party.models import PartyMember
from services.registry.people.models import Person
from services.registry.posts import schemas as s
from services.registry.posts.models import PostClaim, ServicePost


async def posts_of(session: AsyncSession, compound_id: int) -> list[s.ServicePostOut]:
    posts = list(
        await session.scalars(
            select(ServicePost).where(ServicePost.compound_id == compound_id).order_by(ServicePost.id)
        )
    )
    held = await session.execute(
        select(PostClaim, Person.id, Person.name)
        .join(PartyMember, PartyMember.id == PostClaim.party_member_id)
        .join(Person, Person.id == PartyMember.person_id)
        .where(PostClaim.post_id.in_([p.id for p in posts]), PostClaim.released_at.is_(None))
        .order_by(PostClaim.id)
    )
    holders: dict[int, list[s.PostHolderOut]] = defaultdict(list)
    for claim, person_id, name in held.all():
        holders[claim.post_id].append(
            s.PostHolderOut(
                claim_id=claim.id,
                party_member_id=claim.party_member_id,
                person_id=person_id,
                name=name,
                claimed_at=claim.claimed_at,
            )
        )
    return [
        s.ServicePostOut(
            id=p.id,
            version=p.version,
            compound_id=p.compound_id,
            name=p.name,
            duty=p.duty,
            seats=p.seats,
            holders=holders[p.id],
            free_seats=max(0, p.seats - len(holders[p.id])),
        )
        for p in posts
    ]


async def post_of(session: AsyncSession, post: ServicePost) -> s.ServicePostOut:
    return next(p for p in await posts_of(session, post.compound_id) if p.id == post.id)
