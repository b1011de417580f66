"""Property-company routes (seed 004): companies, service contracts, owners' satisfaction
surveys, performance reviews, and the street's credit lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from services.billing.access import place_of, require_reader
from services.billing.contracts import access, contracting, credit, evaluating, surveying
from services.billing.contracts import schemas as s
from services.billing.spaces.reading import compound_name
from shared.auth import CurrentPrincipal
from shared.clock import Now, Today
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/billing", tags=["billing: property companies 物业履约与信用"])


@router.post(
    "/property-companies",
    status_code=201,
    response_model=s.CompanyOut,
    summary="登记物业企业 (register a property company; the street's admins)",
)
async def register_company(
    body: s.CompanyCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> s.CompanyOut:
    return await contracting.register_company(session, principal, body, now)


@router.get("/property-companies", response_model=list[s.CompanyOut], summary="街道的物业企业 (a street's companies)")
async def list_companies(
    session: Session, _: CurrentPrincipal, street_id: Annotated[int, Query(gt=0)]
) -> list[s.CompanyOut]:
    # Who serves the street's compounds is public (物业服务信息公开): any signed-in caller.
    return await contracting.companies_of(session, street_id)


@router.get(
    "/property-companies/credit",
    response_model=s.CreditLists,
    summary="物业企业信用评分与红黑名单 (credit scores and the street's red and black lists)",
)
async def credit_lists(session: Session, _: CurrentPrincipal, street_id: Annotated[int, Query(gt=0)]) -> s.CreditLists:
    # Published lists (红黑名单 are posted for all to see): any signed-in caller.
    return await credit.lists(session, street_id)


@router.post(
    "/service-contracts",
    status_code=201,
    response_model=s.ContractOut,
    summary="签订物业服务合同 (a compound's contract; its committee or admins)",
    openapi_extra=errors(ErrorCode.contract_overlap),
)
async def sign_contract(
    body: s.ContractCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> s.ContractOut:
    return await contracting.sign(session, principal, body, now)


@router.get(
    "/service-contracts", response_model=list[s.ContractOut], summary="小区的物业服务合同 (a compound's contracts)"
)
async def list_contracts(
    session: Session, principal: CurrentPrincipal, compound_id: Annotated[int, Query(gt=0)]
) -> list[s.ContractOut]:
    await access.require_contract_reader(session, principal, compound_id)
    return await contracting.contracts_of(session, compound_id)


@router.post(
    "/satisfaction-surveys",
    status_code=201,
    response_model=s.SurveyOut,
    summary="发起满意度测评 (open an owners' survey on a contract)",
)
async def open_survey(body: s.SurveyCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.SurveyOut:
    return await surveying.open_survey(session, principal, body, now)


@router.get(
    "/satisfaction-surveys", response_model=list[s.SurveyOut], summary="小区的满意度测评 (a compound's surveys)"
)
async def list_surveys(
    today: Today, session: Session, principal: CurrentPrincipal, compound_id: Annotated[int, Query(gt=0)]
) -> list[s.SurveyOut]:
    await access.require_contract_reader(session, principal, compound_id)
    return await surveying.surveys(session, principal, compound_id, today)


@router.post(
    "/satisfaction-surveys/{survey_id}/answers",
    status_code=201,
    response_model=s.AnswerReceipt,
    summary="作答 (one household, one answer; anonymous in the results)",
    openapi_extra=errors(ErrorCode.survey_already_answered),
)
async def answer(
    survey_id: int, body: s.AnswerCreate, today: Today, session: Session, principal: CurrentPrincipal
) -> s.AnswerReceipt:
    return await surveying.answer(session, principal, survey_id, body, today)


@router.get(
    "/satisfaction-surveys/{survey_id}/results",
    response_model=s.SurveyResults,
    summary="测评结果（匿名） (anonymous results)",
)
async def survey_results(survey_id: int, session: Session, principal: CurrentPrincipal) -> s.SurveyResults:
    survey = await surveying.survey_row(session, survey_id)
    await access.require_contract_reader(session, principal, survey.compound_id)
    return await surveying.results(session, survey_id)


@router.post(
    "/performance-reviews",
    status_code=201,
    response_model=s.ReviewOut,
    summary="履约评价 (review a month against the standard items; the committee or admins)",
)
async def review(body: s.ReviewCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.ReviewOut:
    return await evaluating.review(session, principal, body, now)


@router.get("/performance-reviews", response_model=list[s.ReviewOut], summary="履约评价记录 (a compound's reviews)")
async def list_reviews(
    session: Session, principal: CurrentPrincipal, compound_id: Annotated[int, Query(gt=0)]
) -> list[s.ReviewOut]:
    require_reader(principal, await place_of(session, compound_id))
    return await evaluating.reviews_of(session, compound_id)


@router.get(
    "/performance-reviews.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="履约评价台账导出 Excel (a compound's reviews as .xlsx)",
)
async def reviews_xlsx(
    session: Session, principal: CurrentPrincipal, compound_id: Annotated[int, Query(gt=0)]
) -> Response:
    require_reader(principal, await place_of(session, compound_id))
    body = evaluating.reviews_xlsx(
        await evaluating.reviews_of(session, compound_id), await compound_name(session, compound_id)
    )
    return xlsx_response(body, f"performance-reviews-{compound_id}.xlsx")
