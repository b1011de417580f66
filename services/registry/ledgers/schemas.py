"""Response bodies of the ledger routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.registry.ledgers.domain import ImportMode, JobStatus, Ledger, masked_dict
from services.registry.ledgers.models import ImportJob


class RowErrorOut(BaseModel):
    """Why one row is bad: `row` is the spreadsheet row number (the header is row 1)."""

    row: int = Field(examples=[5])
    field: str = Field(examples=["id_card"])
    column: str = Field(default="", examples=["身份证号"])
    value: str = Field(default="", examples=["1401**********0021"], description="ID-card and mobile numbers masked")
    message: str = Field(examples=["身份证号校验位错误：应为 8，实际为 1"])
    message_en: str = Field(examples=["ID card check digit is wrong: expected 8, got 1"])


class ImportJobOut(BaseModel):
    """An import job and its progress (poll until status is done or failed)."""

    id: int
    ledger: Ledger
    ledger_label: str
    mode: ImportMode
    mode_label: str
    status: JobStatus
    status_label: str
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


def show_job(job: ImportJob) -> ImportJobOut:
    ledger, mode, status = Ledger(job.ledger), ImportMode(job.mode), JobStatus(job.status)
    return ImportJobOut(
        id=job.id,
        ledger=ledger,
        ledger_label=ledger.label,
        mode=mode,
        mode_label=mode.label,
        status=status,
        status_label=status.label,
        compound_id=job.compound_id,
        filename=job.filename,
        file_sha256=job.file_sha256,
        total_rows=job.total_rows,
        processed_rows=job.processed_rows,
        written_rows=job.written_rows,
        unchanged_rows=job.unchanged_rows,
        bad_rows=job.bad_rows,
        # Masked again on the way out: reports stored before masking still hold full numbers.
        errors=[RowErrorOut.model_validate(masked_dict(e)) for e in job.errors or []],
        created_at=job.created_at,
        finished_at=job.finished_at,
    )
