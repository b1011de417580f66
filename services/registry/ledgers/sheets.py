"""Spreadsheets in and out: .xlsx read as a stream (openpyxl read-only), .csv in UTF-8 (with or
without BOM) or GB18030, and .xlsx written the way Excel writes it (shared strings)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from services.registry.ledgers.domain import LedgerFileError
from services.registry.ledgers.xlsx_stream import Unsupported, iter_xlsx_rows

FORMATS = ("xlsx", "csv")
ZIP_MAGIC = b"PK\x03\x04"
# How many leading rows may sit above the header (a title such as “杏花岭小区居民台账”).
HEADER_SEARCH_ROWS = 10


def file_format(filename: str) -> str | None:
    """xlsx or csv from the uploaded file's name; None for anything else."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def iter_sheet_rows(path: Path | IO[bytes], fmt: str) -> Iterator[tuple[int, Sequence[object]]]:
    """(spreadsheet row number, cell values) for every row of the first sheet, streamed; from
    a file name or a seekable binary file (an upload unsealed as it is read)."""
    if fmt == "xlsx":
        yield from _xlsx_rows(path)
    elif fmt == "csv":
        yield from _csv_rows(path)
    else:
        raise LedgerFileError(f"不支持的文件格式：{fmt}", f"Unsupported file format: {fmt}")


def _xlsx_rows(path: Path | IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    try:
        yield from iter_xlsx_rows(path)
        return
    except Unsupported:
        pass  # nothing was yielded yet: openpyxl reads it instead
    except (zipfile.BadZipFile, expat.ExpatError, ValueError, IndexError) as exc:
        raise LedgerFileError(
            "无法读取 .xlsx 文件（文件已损坏或不是 Excel 2007 及以上格式）",
            f"Cannot read the .xlsx file: {type(exc).__name__}",
        ) from None
    yield from _openpyxl_rows(path)


def _openpyxl_rows(path: Path | IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise LedgerFileError(
            "无法读取 .xlsx 文件（文件已损坏或不是 Excel 2007 及以上格式）",
            f"Cannot read the .xlsx file: {type(exc).__name__}",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Some tools write a wrong <dimension>; without this openpyxl would trust it and cut rows.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def decode_csv(raw: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (what Excel and WPS save in Chinese Windows)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise LedgerFileError(
            "无法识别 CSV 文件编码（请用 UTF-8 或 GB18030 保存）",
            "Cannot decode the CSV file: save it as UTF-8 or GB18030",
        ) from None


def _csv_rows(path: Path | IO[bytes]) -> Iterator[tuple[int, Sequence[object]]]:
    text = decode_csv(path.read_bytes() if isinstance(path, Path) else path.read())
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as exc:
        raise LedgerFileError(f"CSV 格式错误：{exc}", f"Malformed CSV: {exc}") from None


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: a title, Chinese headers, rows of cell values."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    # Columns written as text (ID cards, mobiles), so Excel does not turn them into numbers.
    text_columns: frozenset[int] = frozenset()
    widths: Sequence[int] = ()


def write_workbook(sheets: Sequence[Sheet], target: Path | None = None) -> bytes:
    """An .xlsx of the sheets, as Excel itself writes one: strings in a shared-string table and
    each sheet's dimension up front. (openpyxl writes every string inline, which its own
    read-only reader then parses about five times slower, and a streamed sheet without a
    dimension makes that reader scan the whole file once more before the first row.) Rows
    are streamed through a temporary file, so memory holds only the distinct strings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(target or buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=5) as package:
        strings: dict[str, int] = {}
        for number, spec in enumerate(sheets, start=1):
            with tempfile.TemporaryFile() as body:
                rows, columns = _write_rows(body, spec, strings)
                body.seek(0)
                with package.open(f"xl/worksheets/sheet{number}.xml", "w") as out:
                    out.write(_sheet_head(spec, rows, columns))
                    shutil.copyfileobj(body, out)
                    out.write(b"</sheetData></worksheet>")
        with package.open("xl/sharedStrings.xml", "w") as out:
            out.write(f'{_XML}<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            for text in strings:
                out.write(f"<si>{_t(text)}</si>".encode())
            out.write(b"</sst>")
        package.writestr("[Content_Types].xml", _content_types(len(sheets)))
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _workbook(sheets))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        package.writestr("xl/styles.xml", _STYLES)
    return b"" if target is not None else buffer.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Cell styles (cellXfs): 0 plain, 1 header (bold on light blue), 2 text (number format "@").
HEADER_STYLE, TEXT_STYLE = 1, 2
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _t(text: str) -> str:
    text = _ILLEGAL_XML.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<t{space}>{escape(text)}</t>"


def _column_letters(count: int) -> list[str]:
    return [get_column_letter(i) for i in range(1, count + 1)]


def _write_rows(out: IO[bytes], spec: Sheet, strings: dict[str, int]) -> tuple[int, int]:
    """The <row> elements of a sheet; returns (rows, columns) for its dimension."""
    width = len(spec.headers)
    letters = _column_letters(max(width, 1))
    number = 0

    def row_xml(values: Sequence[object], style_of: Any) -> bytes:
        nonlocal letters
        if len(values) > len(letters):
            letters = _column_letters(len(values))
        cells = []
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = f"{letters[index]}{number}"
            style = style_of(index)
            s = f' s="{style}"' if style else ""
            if isinstance(value, bool):
                value = "是" if value else "否"
            if isinstance(value, (int, float, Decimal)):
                cells.append(f'<c r="{ref}"{s}><v>{value}</v></c>')
                continue
            text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
            index_of = strings.get(text)
            if index_of is None:
                index_of = strings[text] = len(strings)
            cells.append(f'<c r="{ref}"{s} t="s"><v>{index_of}</v></c>')
        return f'<row r="{number}">{"".join(cells)}</row>'.encode()

    number = 1
    out.write(row_xml(list(spec.headers), lambda _: HEADER_STYLE))
    columns = width
    text_columns = spec.text_columns
    for values in spec.rows:
        number += 1
        columns = max(columns, len(values))
        out.write(row_xml(values, lambda i: TEXT_STYLE if i in text_columns else 0))
    return number, columns


def _sheet_head(spec: Sheet, rows: int, columns: int) -> bytes:
    last = f"{get_column_letter(max(columns, 1))}{max(rows, 1)}"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"{_column_style(i - 1, spec)}/>'
        for i, w in enumerate(spec.widths, start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    ).encode()


def _column_style(index: int, spec: Sheet) -> str:
    # New cells typed into a text column stay text (an 18-digit ID card is not a number).
    return f' style="{TEXT_STYLE}"' if index in spec.text_columns else ""


def _content_types(sheets: int) -> str:
    parts = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        f"{parts}</Types>"
    )


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(
        f'<sheet name="{escape(_sheet_title(s.title), {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    return f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{entries}</sheets></workbook>'


def _sheet_title(title: str) -> str:
    """Excel: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet"


def _workbook_rels(sheets: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    n = sheets
    return (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
