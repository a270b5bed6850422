"""Exact text, numbers, names and xlsx plumbing shared by the ledger writers (etl/layouts/writers.py)."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from warehouse.reference import load_reference

STAGES = ("在谈", "签约", "履约", "开工", "投产", "达效", "终止")
EXCEL_EPOCH = date(1899, 12, 30)   # Excel's day 0 (it counts the non-existent 1900-02-29)
CN_DIGITS = "零一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

DATE_STYLES = {
    "iso": "{y}-{m:02d}-{d:02d}",      # 2024-03-05
    "dot": "{y}.{m}.{d}",              # 2024.3.5
    "cn": "{y}年{m}月{d}日",            # 2024年3月5日
    "cn_month": "{y}年{m}月",           # 2024年3月 (the day is lost)
    "slash_month": "{y}/{m:02d}",      # 2024/03
    "cn_md": "{m}月{d}日",              # 3月5日 (the year is the ledger's)
    "slash": "{y}/{m}/{d}",            # 2024/3/5
}


# --- exact text and numbers ---------------------------------------------------------------

def decimal_text(value: Decimal) -> str:
    """Fixed-point text without exponent or trailing zeros: Decimal('3.50E+4') → '35000'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def in_unit(amount_wan: Decimal, unit: str) -> Decimal:
    """万元 → 万元 or 亿元, exactly (a shift of the exponent, no division)."""
    return amount_wan.scaleb(-4) if unit == "亿元" else amount_wan


def cell_number(value: Decimal) -> int | float | str:
    """What to put in a cell: int, a float whose shortest repr is the Decimal, else text."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else decimal_text(value)


def format_amount(amount_wan: Decimal, *, unit: str = "万元", style: str = "plain") -> str:
    """Amount as a ledger writes it: plain '35000', comma '35,000', suffix '3.5亿元',
    short '3000万', fullwidth '３５０００'."""
    text = decimal_text(in_unit(amount_wan, unit))
    if style == "plain":
        return text
    if style == "comma":
        whole, _, frac = text.partition(".")
        return f"{int(whole):,}" + (f".{frac}" if frac else "")
    if style == "suffix":
        return text + unit
    if style == "short":
        return text + unit[0]
    if style == "fullwidth":
        return text.translate(_FULL_WIDTH)
    raise ValueError(f"unknown amount style {style!r}")


def format_date(value: date, style: str) -> str:
    return DATE_STYLES[style].format(y=value.year, m=value.month, d=value.day)


def excel_serial(value: date) -> int:
    return (value - EXCEL_EPOCH).days


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (periods and section numbers stay below 100)."""
    if not 0 <= n < 100:
        raise ValueError(n)
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


# --- names from the reference ---------------------------------------------------------------

def full_district_name(district: str) -> str:
    """郾城区 → 漯河市郾城区; 漯河经济技术开发区 stays as it is."""
    city = load_reference().city_name
    return district if district.startswith(city.removesuffix("市")) else city + district


def short_district_name(district: str) -> str:
    rec = next((d for d in load_reference().districts if d.name == district), None)
    return rec.short_name if rec else district


def district_alias(district: str, rng: random.Random) -> str:
    """One of the loose spellings the reference knows (郾城, 经开区, 示范区 …), never a code."""
    ref = load_reference()
    rec = next((d for d in ref.districts if d.name == district), None)
    if rec is None:
        return district
    aliases = sorted({a for a, code in ref.district_aliases.items()
                      if code == rec.code and a != district and not any(c.isdigit() for c in a)})
    if rec.short_name != district and rng.random() < 0.6:
        return rec.short_name
    return rng.choice(aliases) if aliases else district


def stage_text(stage: str, rng: random.Random, p_alias: float) -> str:
    """The canonical stage, or with probability p_alias one of its reference aliases (在建, 已投产 …)."""
    if rng.random() >= p_alias:
        return stage
    aliases = sorted(a for a, s in load_reference().stage_aliases.items() if s == stage and a != stage)
    return rng.choice(aliases) if aliases else stage


def unit_name(district: str) -> str:
    return f"{short_district_name(district)}招商服务中心"


SECTION_ORDER = ("签约", "履约", "开工", "投产", "达效", "在谈", "终止")


def by_stage(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    ordered = sorted(rows, key=lambda r: SECTION_ORDER.index(r["stage"]))   # stable: keeps row order
    return [(stage, list(items)) for stage, items in groupby(ordered, key=lambda r: r["stage"])]


def amount_in(row: dict, unit: str) -> Decimal | None:
    """The amount in `unit` that counts toward a 合计 (None when absent, masked or unusable)."""
    wan = row.get("total_investment_wan")
    if wan is None or row.get("amount_text") or row.get("masked"):
        return None
    return in_unit(wan, unit)


# --- xlsx plumbing ------------------------------------------------------------------------

_TITLE = Font(name="宋体", bold=True, size=16)
BOLD = Font(name="宋体", bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def save_workbook(wb: Workbook, path: Path, *, when: datetime) -> Path:
    """Save with fixed document and zip-entry times, so the same workbook gives the same bytes."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "Administrator"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    path = Path(path)
    path.write_bytes(out.getvalue())
    return path


def stamp(as_of: date) -> datetime:
    return datetime(as_of.year, as_of.month, as_of.day, 17, 30)


def title_lines(ws, lines: list[str], width: int) -> None:
    """Merged lines above the header: the first is the title, the rest plain notes."""
    for i, text in enumerate(lines, start=1):
        cell = ws.cell(i, 1, text)
        cell.font = _TITLE if i == 1 else Font(name="宋体")
        cell.alignment = _CENTER if i == 1 else Alignment(horizontal="left")
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)


def style_header(ws, first_row: int, last_row: int, widths: list[int]) -> None:
    for r in range(first_row, last_row + 1):
        for c in range(1, len(widths) + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border = BOLD, _CENTER, _BOX
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


def header_width(header: str) -> int:
    return {"序号": 6, "项目名称": 40, "项目名": 40, "投资方": 30, "投资主体": 30, "建设单位": 30}.get(header, 14)


