"""Bills and arrears as a spreadsheet for the committee and the property office."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from services.billing.bills.schemas import ArrearsOut, BillOut

YUAN = "#,##0.00"


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _sheet(book: Any, title: str, header: list[str], rows: list[list[Any]], money_columns: set[int]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for column in money_columns:
            sheet.cell(row=sheet.max_row, column=column).number_format = YUAN
    for letter, width in zip("ABCDEFGHIJ", [14, 10, 10, 12, 24, 12, 12, 12, 10, 12], strict=False):
        sheet.column_dimensions[letter].width = width


def workbook(owed: ArrearsOut, listed: list[tuple[dict[str, str | None], BillOut]]) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    arrears_rows: list[list[Any]] = [
        [r.room or "", r.payer or "", r.note or "", r.bill_count, r.oldest_period, _yuan(r.outstanding_fen)]
        for r in owed.rows
    ]
    arrears_rows.append(["合计", "", "", sum(r.bill_count for r in owed.rows), "", _yuan(owed.total_outstanding_fen)])
    _sheet(
        book,
        f"欠费（截至{owed.as_of.isoformat()}）",
        ["房号", "缴费人", "说明", "欠费账单数", "最早欠费账期", "欠费金额（元）"],
        arrears_rows,
        {6},
    )
    _sheet(
        book,
        "账单",
        ["房号", "缴费人", "账期", "类别", "摘要", "应收（元）", "已收（元）", "未收（元）", "状态", "到期日"],
        [
            [
                label["room"] or "",
                label["payer"] or "",
                b.period_label,
                b.kind_label,
                b.description,
                _yuan(b.amount_fen),
                _yuan(b.paid_fen),
                _yuan(b.outstanding_fen),
                b.status_label,
                b.due_date,
            ]
            for label, b in listed
        ],
        {6, 7, 8},
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
