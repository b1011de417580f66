"""The bases of the registry's request and response bodies: a request names only fields it knows,
an answer is read from its entity's row, and every entity has an id, a version (optimistic lock)
and the time it was created."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.responses import FromRow


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(FromRow):
    """Answers are read from the rows themselves (`CompoundOut.model_validate(compound)`)."""

    id: int
    version: int
    created_at: datetime
