"""A disclosure as .xlsx (openpyxl) and as a printable HTML page for the notice board.

Both speak to owners, not developers: amounts in yuan (numbers in the spreadsheet, so they can
be summed), the notice's dates, who published and co-signed it, where to object, and no field
names, formulas or API paths."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from shared.money import fen_to_yuan

YUAN = "#,##0.00"
RATE_NOTE = "收取率＝本期物业费已收金额 ÷ 本期物业费应收金额（作废账单不计）"
CHECK_NOTE = "核验码用于核对本公示发布后未被改动：业主监督委员会可在平台“公示核验”中核对。"


def _rows(content: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Section -> (label, fen) rows."""
    rate = content["collection_rate"]
    return {
        "收入": [(i["label"], i["amount_fen"]) for i in content["income"]],
        "支出": [(e["label"], e["amount_fen"]) for e in content["expenses"]],
        "期末资金余额": [(b["label"], b["balance_fen"]) for b in content["fund_balances"]],
        "物业费收取率": [("应收", rate["due_fen"]), ("已收", rate["paid_fen"])],
        "维修资金使用": [
            (
                f"{u['purpose']}（{'紧急使用' if u['emergency'] else '业主表决 ' + str(u['decision_id'])}）",
                u["amount_fen"],
            )
            for u in content["maintenance_fund_use"]
        ],
        "以前期间调整": [
            (f"{a['value_date']} {a['description']}", a["amount_fen"]) for a in content.get("adjustments", [])
        ],
    }


def _rate_fraction(content: dict[str, Any]) -> Decimal | None:
    rate = content["collection_rate"]["rate"]
    return Decimal(rate.rstrip("%")) / 100 if rate else None


def title(content: dict[str, Any]) -> str:
    return f"{content['compound']['name']} {content['period']['label']} 收支公示"


def _cn(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _notice_lines(content: dict[str, Any], seq: int) -> list[tuple[str, str]]:
    period = content["period"]
    lines = [("公示期间（账期）", f"{_cn(period['start'])} 至 {_cn(period['end'])}"), ("公示序号", f"第 {seq} 期")]
    notice = content.get("notice")
    if notice:
        lines += [
            ("发布日期", _cn(notice["published_on"])),
            ("公示期", f"{_cn(notice['published_on'])} 至 {_cn(notice['notice_until'])}（{notice['notice_days']} 天）"),
            ("发布人", notice["publisher"]),
            ("会签人", notice["cosigner"] or "（未会签）"),
            ("异议渠道", notice["objection_to"]),
        ]
    return lines


def to_xlsx(content: dict[str, Any], seq: int, content_hash: str, prev_hash: str) -> bytes:
    """One sheet per section, amounts as numbers in yuan, the check codes on the summary sheet."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "公示"
    summary.append([title(content)])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in _notice_lines(content, seq):
        summary.append([label, value])
    summary.append(["本期核验码", content_hash])
    summary.append(["上期核验码", prev_hash])
    summary.column_dimensions["A"].width = 18
    for name, rows in _rows(content).items():
        sheet = book.create_sheet(name)
        sheet.append(["项目", "金额（元）"])
        for label, fen in rows:
            sheet.append([label, Decimal(fen) / 100])
            sheet.cell(row=sheet.max_row, column=2).number_format = YUAN
        if name == "物业费收取率":
            sheet.append(["收取率", _rate_fraction(content)])
            sheet.cell(row=sheet.max_row, column=2).number_format = "0.00%"
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(content: dict[str, Any], seq: int, content_hash: str, prev_hash: str, *, preview: bool = False) -> str:
    """A self-contained page that prints on A4 for the notice board; a preview says on its face
    that it is not yet published (its hash is what publishing now would give)."""
    sections = []
    for name, rows in _rows(content).items():
        shown = [(label, fen_to_yuan(fen)) for label, fen in rows]
        if name == "物业费收取率":
            shown.append(("收取率", content["collection_rate"]["rate"] or "—"))
        if not shown:
            shown = [("（无）", "")]
        body = "".join(f"<tr><td>{escape(label)}</td><td class=n>{escape(value)}</td></tr>" for label, value in shown)
        sections.append(f"<h2>{escape(name)}</h2><table><tr><th>项目</th><th>金额（元）</th></tr>{body}</table>")
    heading = escape(title(content))
    notice = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in _notice_lines(content, seq)
    )
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
        f"<title>{heading}</title><style>"
        "body{font-family:'Noto Serif CJK SC',serif;margin:2cm}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #333;padding:4px 8px;text-align:left}.n{text-align:right}"
        ".sign{margin-top:2em;display:flex;justify-content:space-between}"
        "footer{margin-top:2em;font-size:9pt;word-break:break-all}@page{size:A4;margin:1.5cm}"
        ".draft{border:2px dashed #a50d26;color:#a50d26;padding:4px 8px;font-weight:bold}"
        "</style></head><body>"
        + ("<p class=draft>预览稿：尚未发布，不可张贴 (preview, not published)</p>" if preview else "")
        + f"<h1>{heading}</h1><table class=notice>{notice}</table>"
        + "".join(sections)
        + f"<p>{escape(RATE_NOTE)}</p>"
        "<p>本公示按款项实际发生日期归入账期；账期公示后补录的款项列入下一期“以前期间调整”；资金余额为账期末余额。</p>"
        "<div class=sign><span>发布人签字：</span><span>会签人签字：</span><span>（盖章）</span></div>"
        f"<footer>本期核验码 {content_hash}<br>上期核验码 {prev_hash}<br>{escape(CHECK_NOTE)}</footer></body></html>"
    )
