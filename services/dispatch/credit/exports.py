"""Household credit as workbooks: the month's lists as the notice board prints them, and the
points ledger (积分台账) staff keep."""

from __future__ import annotations

import io

from openpyxl import Workbook  # type: ignore[import-untyped]

from services.dispatch.credit import schemas as s


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lists_xlsx(out: s.CreditListsOut) -> bytes:
    """One sheet per list: rank, door, points, merits, demerits."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    state = "已公示" if out.published else "未公示（当前计算）"
    for title, lines in (("红榜", out.honor_roll), ("黑榜", out.warning_list)):
        sheet = book.create_sheet(title)
        sheet.append([f"{out.compound_name} {out.period} 环境卫生{title}（{state}）"])
        sheet.append(["名次", "住户", "积分", "加分次数", "扣分次数"])
        for rank, line in enumerate(lines, start=1):
            sheet.append([rank, line.label, line.points, line.merits, line.demerits])
    return _bytes(book)


def ledger_xlsx(entries: list[s.CreditEntryOut]) -> bytes:
    """Every entry, oldest first, with what it reverses: the ledger reads as it was written."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "积分台账"
    sheet.append(["编号", "时间", "月份", "住户", "事由", "积分", "说明", "冲正记录", "被冲正于", "记录人"])
    for e in sorted(entries, key=lambda e: e.id):
        sheet.append(
            [
                e.id,
                e.at.strftime("%Y-%m-%d %H:%M UTC"),
                e.period,
                e.household_label,
                e.reason_label,
                e.points,
                e.note,
                e.reverses_entry_id,
                e.reversed_by_entry_id,
                e.by_person_id,
            ]
        )
    return _bytes(book)
