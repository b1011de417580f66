"""Routes of the registry's ledgers: import a spreadsheet in the background and poll it,
download the import template, export the ledgers as .xlsx."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import BackgroundTasks, File, Form, Query, Request, Response, UploadFile, status

from services.registry.ledgers import exports
from services.registry.ledgers import service as ledgers
from services.registry.ledgers.domain import ImportMode, Ledger
from services.registry.ledgers.schemas import ImportJobOut
from services.registry.ledgers.templates import template_filename, template_workbook
from services.registry.people.pii import PiiVault
from services.registry.scope import compound_area, require_admin
from shared.auth import CurrentPrincipal
from shared.http import Session, service_router
from shared.service_app import ServiceRuntime
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/registry", tags=["registry"])
CompoundId = Annotated[int, Query(gt=0, description="小区 id (compound id)")]


@router.get(
    "/imports/template",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="下载导入模板 (the import template of a ledger, .xlsx)",
)
async def import_template(_: CurrentPrincipal, ledger: Ledger = Ledger.residents) -> Response:
    content = await asyncio.to_thread(template_workbook, ledger)
    return xlsx_response(content, template_filename(ledger))


async def _launch(runtime: ServiceRuntime, job_id: int) -> None:
    # Runs after the response, i.e. after UnitOfWorkRoute committed the job row.
    ledgers.import_runner(runtime).start(job_id)


@router.post(
    "/imports",
    response_model=ImportJobOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="导入台账 (upload a ledger .xlsx / .csv; it is imported in the background)",
)
async def start_import(
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: Session,
    principal: CurrentPrincipal,
    file: Annotated[UploadFile, File(description=".xlsx，或 UTF-8 / GB18030 编码的 .csv")],
    compound_id: Annotated[int, Form(gt=0)],
    ledger: Annotated[Ledger, Form()],
    mode: Annotated[ImportMode, Form()] = ImportMode.all_or_nothing,
) -> ImportJobOut:
    require_admin(principal, await compound_area(session, compound_id))
    filename = file.filename or "upload"
    fmt = ledgers.check_upload(filename, await file.read(8), ledger)
    await file.seek(0)
    runtime: ServiceRuntime = request.app.state.runtime
    vault = PiiVault(runtime.settings)
    sha256, stored = await asyncio.to_thread(ledgers.store_upload, runtime.settings.data_dir, file.file, fmt, vault)
    job = await ledgers.create_job(
        session,
        ledger=ledger,
        mode=mode,
        compound_id=compound_id,
        filename=filename,
        sha256=sha256,
        stored_path=stored,
        created_by=principal.person_id,
    )
    background.add_task(_launch, runtime, job.id)
    response.headers["Location"] = f"/api/v1/registry/imports/{job.id}"
    return ImportJobOut.model_validate(job)


@router.get(
    "/imports/{job_id}",
    response_model=ImportJobOut,
    summary="导入进度 (an import job: status, counts, bad rows)",
)
async def get_import(job_id: int, session: Session, principal: CurrentPrincipal) -> ImportJobOut:
    return ImportJobOut.model_validate(await ledgers.job_for(session, job_id, principal))


@router.get(
    "/exports/residents",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="导出居民台账 (residents with their dwellings, .xlsx; importable again)",
)
async def export_residents(
    request: Request, compound_id: CompoundId, session: Session, principal: CurrentPrincipal
) -> Response:
    area = await compound_area(session, compound_id)
    require_admin(principal, area)
    pii = PiiVault(request.app.state.runtime.settings)
    content = await exports.export_residents(session, compound_id, area, principal, pii)
    return xlsx_response(content, f"居民台账-小区{compound_id}.xlsx")


@router.get(
    "/exports/party-members",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="导出四类党员台账 (in-service, retired, mobile, directly managed: four sheets)",
)
async def export_party_members(
    request: Request, compound_id: CompoundId, session: Session, principal: CurrentPrincipal
) -> Response:
    area = await compound_area(session, compound_id)
    require_admin(principal, area)
    pii = PiiVault(request.app.state.runtime.settings)
    content = await exports.export_party_members(session, compound_id, area, principal, pii)
    return xlsx_response(content, f"党员台账-小区{compound_id}.xlsx")


@router.get(
    "/exports/pairings",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="导出包联公示 (public pairings for the wall, .xlsx)",
)
async def export_pairings(compound_id: CompoundId, session: Session, principal: CurrentPrincipal) -> Response:
    require_admin(principal, await compound_area(session, compound_id))
    content = await exports.export_pairings(session, compound_id)
    return xlsx_response(content, f"包联公示-小区{compound_id}.xlsx")
