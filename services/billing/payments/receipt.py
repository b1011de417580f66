"""The printable counter receipt (收据) of a payment: what a resident keeps and a clerk files.

It speaks to the payer, not to developers: the receipt number, the payer (masked), the room,
what the money paid for and for which period, the amount in figures and in Chinese capitals
(大写金额, the form a cash receipt must carry), the channel, the time in Asia/Shanghai and the
compound's name. No ids, field names or API paths."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.access import place_of, require_household_or_reader
from services.billing.bills.domain import PayerKind, building_label
from services.billing.bills.models import bills
from services.billing.payments import domain
from services.billing.payments.models import payment_allocations, payments
from services.billing.projections.models import (
    building_projection,
    compound_projection,
    dwelling_projection,
    person_projection,
)
from shared.auth import Principal
from shared.clock import LOCAL_TZ
from shared.errors import NotFound
from shared.masking import mask_name
from shared.money import fen_to_yuan

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _section(value: int) -> str:
    """0 < value < 10000 in capitals: zeros between digits read as one 零, trailing zeros not."""
    out, zero, started = "", False, False
    for i, unit in enumerate(_SMALL_UNITS):
        digit = value // 10 ** (3 - i) % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + unit
        started = True
    return out


def _whole_yuan(value: int) -> str:
    sections = []
    while value:
        sections.append(value % 10_000)
        value //= 10_000
    out, gap = "", False
    for i in reversed(range(len(sections))):
        part = sections[i]
        if part == 0:
            gap = bool(out)
            continue
        # A skipped section or a section below a thousand leaves a gap read as 零 (壹万零伍拾).
        if out and (gap or part < 1000):
            out += "零"
        out += _section(part) + _BIG_UNITS[i]
        gap = False
    return out


def yuan_in_capitals(amount_fen: int) -> str:
    """大写金额 by the bank-note rules: 10001 fen -> 壹佰元零壹分, 30000 -> 叁佰元整, 1050 ->
    壹拾元伍角整; 整 after 元 or 角, never after 分; a zero 角 before 分 reads as 零."""
    if amount_fen < 0:
        return "负" + yuan_in_capitals(-amount_fen)
    yuan, jiao, fen = amount_fen // 100, amount_fen // 10 % 10, amount_fen % 10
    out = _whole_yuan(yuan)
    if out:
        out += "元"
    if jiao == 0 and fen == 0:
        return (out or "零元") + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif out:
        out += "零"
    return out + (_DIGITS[fen] + "分" if fen else "整")


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


async def receipt_html(session: AsyncSession, principal: Principal, payment_id: int) -> str:
    """The receipt page; its compound's readers and the paying household may read it."""
    row = (await session.execute(select(payments).where(payments.c.id == payment_id))).first()
    if row is None:
        raise NotFound(f"收款 {payment_id} 不存在", f"Payment {payment_id} not found")
    require_household_or_reader(principal, await place_of(session, row.compound_id), row.household_id)
    compound = await session.scalar(
        select(compound_projection.c.name).where(compound_projection.c.compound_id == row.compound_id)
    )
    dwelling = (
        await session.execute(
            select(dwelling_projection.c.room, building_projection.c.number)
            .outerjoin(building_projection, building_projection.c.building_id == dwelling_projection.c.building_id)
            .where(dwelling_projection.c.dwelling_id == row.dwelling_id)
        )
    ).first()
    room = f"{building_label(dwelling.number) if dwelling.number else ''}{dwelling.room}" if dwelling else "—"
    lines = list(
        await session.execute(
            select(
                bills.c.description,
                bills.c.period_start,
                bills.c.period_end,
                bills.c.payer_kind,
                bills.c.payer_person_id,
                payment_allocations.c.amount_fen,
            )
            .join(bills, bills.c.id == payment_allocations.c.bill_id)
            .where(payment_allocations.c.payment_id == payment_id, payment_allocations.c.kind == "allocation")
            .order_by(payment_allocations.c.id)
        )
    )
    return render(row, compound or "", room, lines, await _payer(session, row, lines))


async def _payer(session: AsyncSession, row: Any, lines: list[Any]) -> str:
    """Who paid: the name given at the counter, else whom the paid bills name, masked."""
    if row.payer_name:
        return mask_name(row.payer_name)
    if any(line.payer_kind == PayerKind.developer.value for line in lines):
        return "开发商"
    people = {int(line.payer_person_id) for line in lines if line.payer_person_id is not None}
    names = [
        str(n)
        for n in await session.scalars(
            select(person_projection.c.masked_name)
            .where(person_projection.c.person_id.in_(people))
            .order_by(person_projection.c.person_id)
        )
        if n
    ]
    return "、".join(names) or "—"


def render(row: Any, compound: str, room: str, lines: list[Any], payer: str) -> str:
    """A self-contained page that prints on half an A4 sheet."""
    channel, status = domain.Channel(row.channel), domain.PaymentStatus(row.status)
    booked = row.booked_at.astimezone(LOCAL_TZ)
    periods = sorted({(line.period_start, line.period_end) for line in lines})
    period = "；".join(f"{_cn(start)}至{_cn(end)}" for start, end in periods) or "—"
    items = [
        (line.description, f"{_cn(line.period_start)}至{_cn(line.period_end)}", fen_to_yuan(line.amount_fen))
        for line in lines
    ]
    if row.unallocated_fen:
        items.append(("预收款（抵以后账单）", "—", fen_to_yuan(row.unallocated_fen)))
    head = [
        ("收据编号", row.receipt_no),
        ("交款人", payer),
        ("房号", room),
        ("所属期间", period),
        ("收款方式", channel.label),
        ("收款时间", f"{booked:%Y年%m月%d日 %H:%M}（北京时间）"),
    ]
    if row.transaction_id:
        head.append(("支付流水号", row.transaction_id))
    notes = []
    if status != domain.PaymentStatus.booked:
        notes.append(f"本收款已{status.label}，本收据作废。")
    if row.refunded_fen:
        notes.append(f"其中已退款 {fen_to_yuan(row.refunded_fen)} 元（{yuan_in_capitals(row.refunded_fen)}）。")
    title = f"{compound} 收据"
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in head)
    item_rows = "".join(
        f"<tr><td>{escape(what)}</td><td>{escape(when)}</td><td class=n>{escape(amount)}</td></tr>"
        for what, when, amount in items
    )
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
        f"<title>{escape(title)} {escape(row.receipt_no)}</title><style>"
        "body{font-family:'Noto Serif CJK SC',serif;margin:1.5cm}table{border-collapse:collapse;width:100%;"
        "margin-bottom:1em}td,th{border:1px solid #333;padding:4px 8px;text-align:left}.n{text-align:right}"
        "h1{text-align:center;letter-spacing:.5em}.sign{margin-top:2em;display:flex;justify-content:space-between}"
        "@page{size:A5 landscape;margin:1cm}"
        f"</style></head><body><h1>收　据</h1><p>{escape(compound)}</p><table>{rows}</table>"
        f"<table><tr><th>收费项目</th><th>期间</th><th>金额（元）</th></tr>{item_rows}"
        f"<tr><th colspan=2>合计（小写）</th><td class=n>¥{fen_to_yuan(row.amount_fen)}</td></tr>"
        f"<tr><th>合计（大写）</th><td colspan=2>人民币{yuan_in_capitals(row.amount_fen)}</td></tr></table>"
        + "".join(f"<p><strong>{escape(n)}</strong></p>" for n in notes)
        + "<div class=sign><span>收款单位（盖章）：</span><span>经手人：</span><span>交款人：</span></div>"
        "</body></html>"
    )
