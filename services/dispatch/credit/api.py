"""Household credit routes (社区信用积分): rules, entries and reversals, a household's account,
the points shop, and the month's environmental red and black lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from services.dispatch.credit import access, lists, reading, recording, redeeming, rules, stocking
from services.dispatch.credit import schemas as s
from services.dispatch.credit.exports import ledger_xlsx, lists_xlsx
from services.dispatch.points.service import require_compound_reader
from shared.auth import CurrentPrincipal
from shared.clock import Now, month_of
from shared.error_codes import ErrorCode
from shared.http import Session, service_router
from shared.openapi import errors
from shared.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor, Limit
from shared.spreadsheets import XLSX_RESPONSES, xlsx_response

router = service_router("/api/v1/dispatch", tags=["credit 住户积分与环境卫生红黑榜"])
Period = Annotated[str | None, Query(pattern=s.PERIOD, examples=["2026-11"])]


@router.get("/credit/rules/{compound_id}", response_model=s.CreditRulesOut, summary="住户积分规则 (a compound's rules)")
async def get_rules(compound_id: int, session: Session, principal: CurrentPrincipal) -> s.CreditRulesOut:
    await require_compound_reader(session, principal, compound_id)
    return await rules.get_rules(session, compound_id)


@router.put(
    "/credit/rules/{compound_id}",
    response_model=s.CreditRulesOut,
    summary="设置住户积分规则 (set a compound's rules; its staff)",
)
async def set_rules(
    compound_id: int, body: s.CreditRulesUpdate, session: Session, principal: CurrentPrincipal
) -> s.CreditRulesOut:
    return await rules.set_rules(session, principal, compound_id, body)


@router.post(
    "/credit/entries",
    status_code=201,
    response_model=s.CreditEntryOut,
    summary="记分 (record a household's points by the rules; the compound's staff)",
)
async def record(
    body: s.CreditEntryCreate, now: Now, session: Session, principal: CurrentPrincipal
) -> s.CreditEntryOut:
    return await recording.record(session, principal, body, now)


@router.post(
    "/credit/entries/{entry_id}/reverse",
    status_code=201,
    response_model=s.CreditEntryOut,
    summary="冲正 (undo an entry by a new, opposite one, saying why)",
    openapi_extra=errors(ErrorCode.already_reversed),
)
async def reverse(
    entry_id: int, body: s.CreditReversal, now: Now, session: Session, principal: CurrentPrincipal
) -> s.CreditEntryOut:
    return await recording.reverse(session, principal, entry_id, body, now)


@router.get(
    "/credit/entries",
    response_model=s.CreditEntryPage,
    summary="积分明细 (a household's entries, or a compound's for its staff; newest first)",
)
async def entries(
    session: Session,
    principal: CurrentPrincipal,
    household_id: Annotated[int | None, Query(gt=0)] = None,
    compound_id: Annotated[int | None, Query(gt=0)] = None,
    period: Period = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.CreditEntryPage:
    if household_id is not None:
        await access.require_household_reader(session, principal, household_id)
    elif compound_id is not None:
        await access.require_compound_staff(session, principal, compound_id)
    else:
        access.require_one_of(household_id, compound_id)
    return await reading.entry_page(
        session, compound_id=compound_id, household_id=household_id, period=period, cursor=cursor, limit=limit
    )


@router.get(
    "/credit/entries.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="积分台账导出 Excel (a compound's ledger of a month as .xlsx; its staff)",
)
async def entries_xlsx(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> Response:
    await access.require_compound_staff(session, principal, compound_id)
    month = period or month_of(now)
    page = await reading.entry_page(
        session, compound_id=compound_id, household_id=None, period=month, cursor=None, limit=MAX_LIMIT
    )
    name = f"credit-ledger-{compound_id}-{month}.xlsx"
    return xlsx_response(ledger_xlsx(page.items), name)


@router.get(
    "/credit/households/{household_id}",
    response_model=s.HouseholdCredit,
    summary="我家的积分 (a household's balance and this month's points)",
)
async def household(household_id: int, now: Now, session: Session, principal: CurrentPrincipal) -> s.HouseholdCredit:
    found = await access.require_household_reader(session, principal, household_id)
    return await reading.account(session, found, month_of(now))


@router.get(
    "/credit/shop-items", response_model=s.ShopItemPage, summary="积分兑换物品 (the compound's points shop, by id)"
)
async def shop_items(
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> s.ShopItemPage:
    await require_compound_reader(session, principal, compound_id)
    return await stocking.items_of(session, compound_id, cursor, limit)


@router.post(
    "/credit/shop-items",
    status_code=201,
    response_model=s.ShopItemOut,
    summary="上架兑换物品 (put goods on the shelf; the compound's staff)",
)
async def add_item(body: s.ShopItemCreate, now: Now, session: Session, principal: CurrentPrincipal) -> s.ShopItemOut:
    return await stocking.add_item(session, principal, body, now)


@router.post(
    "/credit/shop-items/{item_id}/restock",
    response_model=s.ShopItemOut,
    summary="补货、下架 (restock or take off the shelf; the compound's staff)",
)
async def restock(item_id: int, body: s.ShopRestock, session: Session, principal: CurrentPrincipal) -> s.ShopItemOut:
    return await stocking.restock(session, principal, item_id, body)


@router.post(
    "/credit/shop-items/{item_id}/redeem",
    status_code=201,
    response_model=s.CreditRedemptionOut,
    summary="积分兑换 (a household spends points on goods)",
    openapi_extra=errors(ErrorCode.insufficient_points, ErrorCode.out_of_stock),
)
async def redeem(
    item_id: int, body: s.CreditRedemption, now: Now, session: Session, principal: CurrentPrincipal
) -> s.CreditRedemptionOut:
    return await redeeming.redeem(session, principal, item_id, body, now)


@router.get(
    "/credit/lists",
    response_model=s.CreditListsOut,
    summary="环境卫生红黑榜 (a compound's lists of households for a month)",
)
async def get_lists(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> s.CreditListsOut:
    await require_compound_reader(session, principal, compound_id)
    return await lists.lists(session, compound_id, period or month_of(now))


@router.get(
    "/credit/lists.xlsx",
    response_class=Response,
    responses=XLSX_RESPONSES,
    summary="红黑榜导出 Excel (the lists, printable .xlsx)",
)
async def lists_export(
    now: Now,
    session: Session,
    principal: CurrentPrincipal,
    compound_id: Annotated[int, Query(gt=0)],
    period: Period = None,
) -> Response:
    await require_compound_reader(session, principal, compound_id)
    out = await lists.lists(session, compound_id, period or month_of(now))
    name = f"credit-lists-{compound_id}-{out.period}.xlsx"
    return xlsx_response(lists_xlsx(out), name)


@router.post(
    "/credit/lists/publish",
    response_model=s.CreditListsOut,
    summary="公示红黑榜 (publish a month's lists; the compound's staff)",
    openapi_extra=errors(ErrorCode.already_published),
)
async def publish(
    body: s.CreditPublishBody, now: Now, session: Session, principal: CurrentPrincipal
) -> s.CreditListsOut:
    return await lists.publish(session, principal, body, now)
