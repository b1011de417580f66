"""A disclosure as .xlsx (openpyxl) and as a printable HTML page for the notice board."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from shared.money import fen_to_yuan


def _rows(content: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    rate = content["collection_rate"]
    return {
        "收入": [(i["label"], fen_to_yuan(i["amount_fen"])) for i in content["income"]],
        "支出": [(e["label"], fen_to_yuan(e["amount_fen"])) for e in content["expenses"]],
        "资金余额": [(b["label"], fen_to_yuan(b["balance_fen"])) for b in content["fund_balances"]],
        "物业费收取率": [
            ("应收（元）", fen_to_yuan(rate["due_fen"])),
            ("已收（元）", fen_to_yuan(rate["paid_fen"])),
            ("收取率", rate["rate"] or "—"),
        ],
        "维修资金使用": [
            (f"{u['purpose']}（{u['decision_id'] or '紧急'}）", fen_to_yuan(u["amount_fen"]))
            for u in content["maintenance_fund_use"]
        ],
    }


def title(content: dict[str, Any]) -> str:
    return f"{content['compound']['name']} {content['period']['label']} 收支公示"


def to_xlsx(content: dict[str, Any], seq: int, content_hash: str, prev_hash: str) -> bytes:
    """One sheet per section, amounts in yuan, the chain hashes on the summary sheet."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "公示"
    summary.append([title(content)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["期间", f"{content['period']['start']} 至 {content['period']['end']}"])
    summary.append(["序号", seq])
    summary.append(["本期哈希", content_hash])
    summary.append(["上期哈希", prev_hash])
    summary.append(["收取率公式", content["collection_rate"]["formula"]])
    for name, rows in _rows(content).items():
        sheet = book.create_sheet(name)
        sheet.append(["项目", "金额（元）"])
        for label, value in rows:
            sheet.append([label, value])
        sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(content: dict[str, Any], seq: int, content_hash: str, prev_hash: str) -> str:
    """A self-contained page that prints on A4 for the notice board."""
    sections = []
    for name, rows in _rows(content).items():
        body = "".join(f"<tr><td>{escape(label)}</td><td class=n>{escape(value)}</td></tr>" for label, value in rows)
        sections.append(f"<h2>{escape(name)}</h2><table><tr><th>项目</th><th>金额（元）</th></tr>{body}</table>")
    heading = escape(title(content))
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
        f"<title>{heading}</title><style>"
        "body{font-family:'Noto Serif CJK SC',serif;margin:2cm}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #333;padding:4px 8px}.n{text-align:right}"
        "footer{margin-top:2em;font-size:9pt;word-break:break-all}@page{size:A4;margin:1.5cm}"
        f"</style></head><body><h1>{heading}</h1>"
        f"<p>期间：{escape(content['period']['start'])} 至 {escape(content['period']['end'])}　第 {seq} 期</p>"
        + "".join(sections)
        + f"<p>{escape(content['collection_rate']['formula'])}</p>"
        f"<footer>本期哈希 {content_hash}<br>上期哈希 {prev_hash}<br>"
        "监委会可调用 /api/v1/billing/disclosures/verify 核验全部公示未被改写。</footer></body></html>"
    )
