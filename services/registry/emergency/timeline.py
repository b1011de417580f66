"""The one way an activation moves: the machine's guard, then a line of its timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.registry.emergency.domain import ACTIVATION_MACHINE, ActivationState, ActivationStep
from services.registry.emergency.models import ActivationEntry, EmergencyActivation


def guard(activation: EmergencyActivation, step: ActivationStep) -> ActivationState:
    """Where `step` takes the activation (409 `illegal_transition` when it may not happen now)."""
    return ACTIVATION_MACHINE.fire(ActivationState(activation.state), step)


def log_step(
    session: AsyncSession,
    activation: EmergencyActivation,
    step: ActivationStep,
    actor_person_id: int | None,
    at: datetime,
    note: str = "",
    notified: int = 0,
) -> None:
    session.add(
        ActivationEntry(
            activation_id=activation.id,
            at=at,
            step=step.value,
            level=activation.level,
            actor_person_id=actor_person_id,
            note=note,
            notified=notified,
        )
    )
