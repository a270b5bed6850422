"""Lists to hand out, as .xlsx: Chinese headers with units, number formats, frozen header,
column widths, print setup — and no spreadsheet formula injection.

The one Excel writer of the project (the pages and the CLI use it); headers and units come from
report.vocab, the vocabulary of the screens and slides too.

Injection. A ledger is typed by people; a name like `=HYPERLINK(…)` or `@SUM(A1)` must reach
Excel as text. Every string goes through `write_string` (never `write`/`write_formula`), the
workbook is opened with strings_to_formulas/urls/numbers off, and a string that a spreadsheet
would read as a formula (starting with = + - @, tab or CR) also gets the quote prefix, so it stays
text even when someone edits the cell and presses Enter.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import polars as pl
import xlsxwriter

from report import vocab
from report.tables import cell_text


PLAIN_INTEGERS = {"period", "source_row", "rank", "load_id", "months"}   # no thousands separator
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_UNITS = {"亿元": Decimal(10_000), "万元": Decimal(1)}
_WIDTH_SAMPLE = 500
_MIN_WIDTH, _MAX_WIDTH = 8, 60
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def column_header(column: str, money_unit: str = "亿元") -> str:
    """The Chinese header of a column, with its unit: 总投资（亿元）, 项目数（个）, 签约时间 …"""
    return vocab.header(column, money_unit)


def _is_share(column: str) -> bool:
    return vocab.column(column).kind == "share"


def _is_money(column: str) -> bool:
    return vocab.column(column).kind == "money"


def _display_width(text: str) -> int:
    return sum(1 if ord(ch) < 0x2E80 else 2 for ch in text)


class _Formats:
    def __init__(self, wb):
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.subtitle = wb.add_format({"font_color": "#5F6B7A"})
        self.header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                     "valign": "vcenter"})
        self.money = wb.add_format({"num_format": "#,##0.00"})
        self.integer = wb.add_format({"num_format": "#,##0"})
        self.plain = wb.add_format({"num_format": "0"})
        self.decimal = wb.add_format({"num_format": "#,##0.00"})
        self.percent = wb.add_format({"num_format": "0.00%"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.quoted = wb.add_format({"quote_prefix": True})


def xlsx_bytes(sheets: Sequence[tuple[str, pl.DataFrame]], title: str | None = None,
               subtitle: str | None = None, money_unit: str = "亿元") -> bytes:
    """One worksheet per (name, frame). Columns keep the frame's order; headers and units from
    `column_header`. Amounts in 万元 are written in `money_unit` (亿元 or 万元), unrounded: the
    cell shows two decimals, a sum in Excel adds the exact values."""
    if money_unit not in MONEY_UNITS:
        raise ValueError(f"unknown money unit {money_unit!r}")
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "default_date_format": "yyyy-mm-dd",
    })
    fmt = _Formats(wb)
    used: set[str] = set()
    for sheet_name, df in sheets:
        df = df.select([c for c in df.columns if c not in vocab.INTERNAL])
        _sheet(wb, fmt, _unique_name(sheet_name, used), df, title, subtitle, money_unit)
    wb.close()
    return buffer.getvalue()


def _unique_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in (name or "Sheet")).strip("'")[:31] or "Sheet"
    candidate, i = clean, 2
    while candidate.lower() in used:
        suffix = f"({i})"
        candidate = clean[: 31 - len(suffix)] + suffix
        i += 1
    used.add(candidate.lower())
    return candidate


def _sheet(wb, fmt: _Formats, name: str, df: pl.DataFrame, title, subtitle, money_unit) -> None:
    ws = wb.add_worksheet(name)
    top = 0
    if title:
        ws.write_string(0, 0, title, fmt.title)
        if subtitle:
            ws.write_string(1, 0, subtitle, fmt.subtitle)
        top = 2
    divisor = MONEY_UNITS[money_unit]
    headers = [column_header(c, money_unit) for c in df.columns]
    for c, text in enumerate(headers):
        ws.write_string(top, c, text, fmt.header)
    widths = [_display_width(h) + 2 for h in headers]
    for r, row in enumerate(df.iter_rows(), start=top + 1):
        for c, value in enumerate(row):
            shown = _write(ws, r, c, value, df.columns[c], fmt, divisor)
            if r - top <= _WIDTH_SAMPLE:
                widths[c] = max(widths[c], _display_width(shown) + 2)
    for c, w in enumerate(widths):
        ws.set_column(c, c, max(_MIN_WIDTH, min(_MAX_WIDTH, w)))
    ws.freeze_panes(top + 1, 0)
    if df.width:
        ws.autofilter(top, 0, top + max(df.height, 1), df.width - 1)
    # printed for 交办: landscape, one page wide, the header on every page
    ws.set_landscape()
    ws.set_paper(9)   # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)


def _write(ws, r: int, c: int, value, column: str, fmt: _Formats, divisor: Decimal) -> str:
    """Write one cell; return its text as shown (for the column width)."""
    if value is None:
        ws.write_blank(r, c, None)
        return ""
    if vocab.column(column).kind in ("light", "code"):
        value = cell_text(column, value)
    if isinstance(value, bool):
        text = "是" if value else "否"
        ws.write_string(r, c, text)
        return text
    if _is_money(column) and isinstance(value, (Decimal, int, float)):
        amount = Decimal(str(value)) / divisor
        ws.write_number(r, c, float(amount), fmt.money)
        return f"{amount:,.2f}"
    if _is_share(column) and isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), fmt.percent)
        return "100.00%"
    if isinstance(value, Decimal):
        ws.write_number(r, c, float(value), fmt.decimal)
        return f"{value:,.2f}"
    if isinstance(value, int):
        ws.write_number(r, c, value, fmt.plain if column in PLAIN_INTEGERS else fmt.integer)
        return f"{value:,}"
    if isinstance(value, float):
        ws.write_number(r, c, value, fmt.decimal)
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        ws.write_datetime(r, c, value.replace(tzinfo=None), fmt.datetime)
        return "2000-01-01 00:00"
    if isinstance(value, date):
        ws.write_datetime(r, c, datetime(value.year, value.month, value.day), fmt.date)
        return "2000-01-01"
    text = value if isinstance(value, str) else ("、".join(map(str, value)) if isinstance(value, (list, tuple))
                                                 else str(value))
    if looks_like_formula(text):
        ws.write_string(r, c, text, fmt.quoted)
    else:
        ws.write_string(r, c, text)
    return text
