"""Bodies of a compound's eligibility rule."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.party import PartyLedger


class EligibilityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ledgers: list[PartyLedger] = Field(
        min_length=1,
        max_length=len(PartyLedger),
        examples=[["in_service", "retired"]],
        description="the ledgers whose members take orders and claim wishes in the compound",
    )
    version: int | None = Field(default=None, ge=0, description="the version you saw (0 = none set yet)")


class LedgerOut(BaseModel):
    value: str
    label: str
    how: str = Field(description="how a member of this ledger qualifies: 报到 (check in) or 居住 (lives here)")


class EligibilityOut(BaseModel):
    compound_id: int
    version: int
    own: bool = Field(description="false: the default rule applies to this compound")
    ledgers: list[LedgerOut]
    summary: str
