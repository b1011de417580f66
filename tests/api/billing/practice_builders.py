"""Builders for the shared-space and property-company stories (seeds 000, 001, 004)."""

from __future__ import annotations

from typing import Any

from shared.auth import Grant, Role
from tests.api.billing.builders import Compound, billing, building, compound, ok, staff
from tests.api.conftest import Platform

API = "/api/v1/billing"


def committee(platform: Platform, compound_id: int, person: int = 77) -> dict[str, str]:
    """A member of the compound's owners' committee."""
    return platform.token(Grant(Role.owners_committee, "compound", compound_id), person=person)


def residents_of(platform: Platform, c: Compound) -> list[dict[str, str]]:
    """One resident's header per household, in dwelling order (people 901, 902 …)."""
    return [
        platform.token(Grant(Role.resident, "household", c.household_ids[d]), person=901 + i)
        for i, d in enumerate(c.dwelling_ids)
    ]


async def compound_with_households(platform: Platform, name: str, households: int, **kw: Any) -> Compound:
    """A compound with one building of `households` dwellings, each with a household, and every
    household known to billing (its residents may use billing's resident routes)."""
    c = await compound(platform, name=name, **kw)
    await building(platform, c, number="1", dwellings=households)
    last = platform.token(Grant(Role.resident, "household", c.household_ids[c.dwelling_ids[-1]]), person=999)

    async def known() -> bool:
        answer = await billing(platform).get(
            f"{API}/shared-spaces", params={"compound_id": c.compound_id}, headers=last
        )
        return answer.status_code == 200

    await platform.eventually(known, within_s=30)
    return c


async def space(platform: Platform, compound_id: int, **body: Any) -> dict[str, Any]:
    made: dict[str, Any] = await ok(
        await billing(platform).post(
            f"{API}/shared-spaces", json={"compound_id": compound_id, **body}, headers=staff(platform, compound_id)
        ),
        201,
    )
    return made
