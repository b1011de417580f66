"""Response bodies of the ledger routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, computed_field, field_validator

from services.registry.ledgers.domain import ImportMode, JobStatus, Ledger, masked_dict
from shared.responses import FromRow


class RowErrorOut(BaseModel):
    """Why one row is bad: `row` is the spreadsheet row number (the header is row 1)."""

    row: int = Field(examples=[5])
    field: str = Field(examples=["id_card"])
    column: str = Field(default="", examples=["身份证号"])
    value: str = Field(default="", examples=["1401**********0021"], description="ID-card and mobile numbers masked")
    message: str = Field(examples=["身份证号校验位错误：应为 8，实际为 1"])
    message_en: str = Field(examples=["ID card check digit is wrong: expected 8, got 1"])


class ImportJobOut(FromRow):
    """An import job and its progress (poll until status is done or failed)."""

    id: int
    ledger: Ledger
    mode: ImportMode
    status: JobStatus
    compound_id: int | None
    filename: str
    file_sha256: str
    total_rows: int
    processed_rows: int
    written_rows: int
    unchanged_rows: int
    bad_rows: int
    errors: list[RowErrorOut] = Field(description="the first 200 reasons, in row order")
    created_at: datetime
    finished_at: datetime | None

    @field_validator("errors", mode="before")
    @classmethod
    def _masked(cls, errors: list[dict[str, object]] | None) -> list[dict[str, object]]:
        # Masked again on the way out: reports stored before masking still hold full numbers.
        return [masked_dict(e) for e in errors or []]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ledger_label(self) -> str:
        return self.ledger.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def mode_label(self) -> str:
        return self.mode.label

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label
