"""Routes of pairings (包联): five for the pairing itself, and the compound's public wall."""

from __future__ import annotations

from services.registry.entities import get_visible_or_404
from services.registry.pairings import schemas as s
from services.registry.pairings import service as p
from services.registry.places.service import COMPOUND, compound_readable
from services.registry.resources import Resource, mount
from services.registry.scope import CallerReach
from shared.http import Session, service_router

router = service_router("/api/v1/registry", tags=["registry"])

PAIRINGS: Resource = Resource(  # type: ignore[type-arg]
    "/pairings",
    p.PAIRING,
    s.PairingCreate,
    s.PairingUpdate,
    s.PairingOut,
    s.PairingOut.model_validate,
    p.build_pairing,
    p.area_of_pairing,
    p.check_pairing_change,
    filters=("compound_id", "cadre_person_id", "party_member_id", "center_household_id", "household_id"),
    readable=p.pairing_readable,
)
mount(router, PAIRINGS)


@router.get(
    "/compounds/{compound_id}/pairings/public",
    response_model=s.PairingWall,
    summary="包联上墙公示：小区公开且在期的包联 (the compound's public pairing wall)",
    tags=["包联 (pairing)"],
)
async def pairing_wall(compound_id: int, session: Session, reach: CallerReach) -> s.PairingWall:
    # The wall hangs in the compound: for those who live, own or serve there.
    await get_visible_or_404(session, COMPOUND, compound_id, compound_readable(reach))
    return await p.wall(session, compound_id)
