"""The parties choose their mediator (纠纷当事人自主选择调解人, seed 001): each party names one;
when every party has named the same one, the case has its mediator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.dispatch.mediation import access, transition
from services.dispatch.mediation import schemas as s
from services.dispatch.mediation.domain import CaseState, CaseStep
from services.dispatch.mediation.models import MediationCase, MediationParty
from shared.auth import Principal
from shared.errors import Forbidden, InvalidInput


def _choice(p: MediationParty) -> tuple[str | None, int | None, str | None]:
    return (p.chosen_kind, p.chosen_person_id, p.chosen_name)


async def choose(
    session: AsyncSession, case_id: int, body: s.MediationChoiceIn, principal: Principal, now: datetime
) -> MediationCase:
    case = await access.get_case(session, case_id)
    parties = await access.parties_of(session, case_id)
    access.require_read(principal, case, parties)
    party = next((p for p in parties if p.id == body.party_id), None)
    if party is None:
        raise InvalidInput(
            f"当事人 {body.party_id} 不属于此案件",
            f"Party {body.party_id} is not a party to this case",
            details=[{"field": "party_id", "value": body.party_id}],
        )
    # A party chooses for themself; the grid's staff record a choice a party made in person.
    own = access.party_of(principal, parties)
    if not access.is_area_staff(principal, case) and (own is None or own.id != party.id):
        raise Forbidden("无权代他人选择调解人", "Forbidden: a party chooses only their own mediator")
    transition.check_seen(case, body.version)
    # Only before the first session: the guard refuses a choice once mediation has begun.
    transition.guard(case, CaseStep.choose)
    party.chosen_kind = body.mediator_kind.value
    party.chosen_person_id = body.mediator_person_id
    party.chosen_name = body.mediator_name
    party.chosen_at = now
    choices = {_choice(p) for p in parties}
    if len(choices) == 1:
        kind, person_id, name = choices.pop()
        transition.move(case, CaseStep.choose)
        case.mediator_kind, case.mediator_person_id, case.mediator_name = kind, person_id, name
        case.mediator_chosen_at = now
    elif case.state == CaseState.mediator_chosen.value:
        # A party changed their mind before the first session: the parties choose again.
        transition.move(case, CaseStep.choice_changed)
        case.mediator_kind = case.mediator_person_id = case.mediator_name = case.mediator_chosen_at = None
    case.updated_at = now
    await transition.save(session)
    return case
