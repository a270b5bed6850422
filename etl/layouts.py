"""Writers of district ledgers (台账) in the layouts districts really send (see DOMAIN.md).

Each writer takes plain project rows (dicts; see `write_title_twoheader_xlsx` for the keys) and
writes one file. They feed the demo data set and the loader's tests, so every quirk is on
purpose and every figure is exact: money stays Decimal, and a number goes into a cell as a
number only when the float holds the Decimal's digits exactly.

Optional row keys beyond the project fields: `amount_text` (write this text instead of the
amount — a district's unusable entry), `masked` (publication copies: hide the amount).
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path

import xlwt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from warehouse.geo import gcj02_to_bd09, gcj02_to_wgs84
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


def _unit_name(district: str) -> str:
    return f"{short_district_name(district)}招商服务中心"


SECTION_ORDER = ("签约", "履约", "开工", "投产", "达效", "在谈", "终止")


def _by_stage(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    ordered = sorted(rows, key=lambda r: SECTION_ORDER.index(r["stage"]))   # stable: keeps row order
    return [(stage, list(items)) for stage, items in groupby(ordered, key=lambda r: r["stage"])]


def _amount(row: dict, unit: str) -> Decimal | None:
    """The amount in `unit` that counts toward a 合计 (None when absent, masked or unusable)."""
    wan = row.get("total_investment_wan")
    if wan is None or row.get("amount_text") or row.get("masked"):
        return None
    return in_unit(wan, unit)


# --- xlsx plumbing ------------------------------------------------------------------------

_TITLE = Font(name="宋体", bold=True, size=16)
_BOLD = Font(name="宋体", bold=True)
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


def _stamp(as_of: date) -> datetime:
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
            cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BOX
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w


def _width(header: str) -> int:
    return {"序号": 6, "项目名称": 40, "项目名": 40, "投资方": 30, "投资主体": 30, "建设单位": 30}.get(header, 14)


# --- a. title, two-row header, sections, 合计 (亿元) -----------------------------------------

A_GROUPS = (
    ("项目基本情况", ("序号", "项目名称", "投资方", "所属产业链", "承载平台")),
    ("投资情况", ("总投资（亿元）", "其中外资（万美元）")),
    ("项目进展", ("项目状态", "签约时间", "开工时间", "投产时间")),
    (None, ("三个一批期数", "批次", "经度", "纬度", "包保领导", "责任单位", "备注")),
)


def write_title_twoheader_xlsx(path: Path, rows: list[dict], *, district: str, as_of: date,
                               rng: random.Random, total_error_wan: Decimal | None = None) -> Path:
    """Rows: project_code, project_name, district, park, chain, investor, total_investment_wan,
    foreign_investment_wan_usd, stage, sign_date, start_date, production_date, period, batch,
    lng, lat (GCJ-02), responsible_unit, leader, investor_kind, investor_origin, event.
    `total_error_wan` makes the 合计 row wrong by that much (a district's slip)."""
    headers = [h for _, names in A_GROUPS for h in names]
    wb = Workbook()
    ws = wb.active
    ws.title = f"{as_of.year}年台账"
    title_lines(ws, [f"{full_district_name(district)}{as_of.year}年招商引资项目台账",
                     f"填报单位：{_unit_name(district)}    填报时间：{format_date(as_of, 'cn')}    单位：亿元"],
                len(headers))
    col = 1
    for group, names in A_GROUPS:
        if group:
            ws.cell(3, col, group)
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(names) - 1)
        for j, name in enumerate(names):
            ws.cell(4 if group else 3, col + j, name)
            if not group:
                ws.merge_cells(start_row=3, start_column=col + j, end_row=4, end_column=col + j)
        col += len(names)
    style_header(ws, 3, 4, [_width(h) for h in headers])
    ws.freeze_panes = "C5"

    date_format = rng.choice(["yyyy/m/d", "yyyy-mm-dd", 'yyyy"年"m"月"d"日"'])
    blank_after = rng.randrange(1, len(rows) + 1) if rows else 0
    total, foreign_total = Decimal(0), Decimal(0)
    r, seq = 5, 0
    for k, (stage, items) in enumerate(_by_stage(rows), start=1):
        ws.cell(r, 1, f"{chinese_numeral(k)}、{stage}项目").font = _BOLD
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        r += 1
        for row in items:
            seq += 1
            amount = _amount(row, "亿元")
            total += amount or 0
            foreign = row.get("foreign_investment_wan_usd")
            foreign_total += foreign or 0
            values = [seq, row.get("project_name"), row.get("investor"), row.get("chain"), row.get("park"),
                      row.get("amount_text") or (cell_number(amount) if amount is not None else None),
                      cell_number(foreign) if foreign is not None else None,
                      row["stage"], row.get("sign_date"), row.get("start_date"), row.get("production_date"),
                      f"第{row['period']}期" if row.get("period") else None, row.get("batch"),
                      row.get("lng"), row.get("lat"), row.get("leader"), row.get("responsible_unit"),
                      f"{row['event']}签约" if row.get("event") else None]
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r, c, value)
                if isinstance(value, date):
                    cell.number_format = date_format
            r += 1 + (seq == blank_after)   # one blank row, as people leave them
    ws.cell(r, 2, "合计").font = _BOLD
    ws.cell(r, 6, cell_number(total + (total_error_wan or 0) / Decimal(10000)))
    ws.cell(r, 7, cell_number(foreign_total))
    return save_workbook(wb, path, when=_stamp(as_of))


# --- b. one sheet per stage, text numbers and dates, BD-09 in one cell, 小计 ----------------

B_DATE_FIELDS = {"在谈": (), "签约": ("sign_date",), "履约": ("sign_date",), "终止": ("sign_date",),
                 "开工": ("sign_date", "start_date"),
                 "投产": ("sign_date", "start_date", "production_date"),
                 "达效": ("sign_date", "start_date", "production_date")}
B_SHEET_ORDER = ("签约", "开工", "投产", "在谈", "履约", "达效", "终止")
B_DATE_HEADERS = {"sign_date": "签约时间", "start_date": "开工时间", "production_date": "投产时间"}
B_GUIDE = (
    "填报说明",
    "1. 每个工作表填报一类项目：签约项目、开工项目、投产项目、在谈项目等，项目进展以工作表为准。",
    "2. 计划总投资以万元为单位；尚未确定的填“待定”。",
    "3. 日期填写到日，如 2024.3.5；确实不清楚具体日期的可填到月。",
    "4. 坐标请在百度地图拾取，格式为“经度,纬度”。",
    "5. 每表最后一行为小计，请核对后报送。",
)


def _b_amount(row: dict, rng: random.Random):
    if row.get("amount_text"):
        return row["amount_text"]
    wan = row.get("total_investment_wan")
    if wan is None:
        return "待定"
    style = rng.choices(("number", "comma", "suffix", "fullwidth"), weights=(45, 25, 15, 15))[0]
    if style == "number":
        return cell_number(wan)
    if style == "suffix":
        return format_amount(wan, unit="亿元" if wan >= 10000 else "万元", style="suffix")
    return format_amount(wan, style=style)


def _b_date(value: date | None, as_of: date, rng: random.Random) -> str | None:
    if value is None:
        return None
    styles = ["dot", "dot", "cn", "cn", "cn_month", "slash_month"] + (["cn_md"] if value.year == as_of.year else [])
    return format_date(value, rng.choice(styles))


def _bd09_text(row: dict) -> str | None:
    if row.get("lng") is None or row.get("lat") is None:
        return None
    lng, lat = gcj02_to_bd09(row["lng"], row["lat"])
    return f"{lng:.6f},{lat:.6f}"


def write_sheet_per_stage_xlsx(path: Path, rows: list[dict], *, district: str, as_of: date,
                               rng: random.Random, total_error_wan: Decimal | None = None) -> Path:
    wb = Workbook()
    guide = wb.active
    guide.title = "填报说明"
    for line in B_GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 90
    alias = district_alias(district, rng)
    by_stage = dict(_by_stage(rows))
    for stage in B_SHEET_ORDER:
        items = by_stage.get(stage, [])
        if not items and stage not in B_SHEET_ORDER[:3]:
            continue
        ws = wb.create_sheet(f"{stage}项目")
        headers = ["序号", "项目名", "县区", "所属行业", "投资主体", "计划总投资（万元）",
                   *(B_DATE_HEADERS[f] for f in B_DATE_FIELDS[stage]), "坐标（百度）", "包保领导", "备注"]
        title_lines(ws, [f"{full_district_name(district)}{as_of.year}年{as_of.month}月招商引资{stage}项目明细表",
                         f"填报单位：{_unit_name(district)}　　截至：{format_date(as_of, 'cn')}"], len(headers))
        ws.append(headers)
        style_header(ws, 3, 3, [_width(h) for h in headers])
        subtotal = Decimal(0)
        for i, row in enumerate(items, start=1):
            subtotal += _amount(row, "万元") or 0
            ws.append([i, row.get("project_name"), alias, row.get("chain"), row.get("investor"),
                       _b_amount(row, rng),
                       *(_b_date(row.get(f), as_of, rng) for f in B_DATE_FIELDS[stage]),
                       _bd09_text(row), row.get("leader"), None])
        if total_error_wan and stage == B_SHEET_ORDER[0]:
            subtotal += total_error_wan
        ws.append([None, "小计", None, None, None, cell_number(subtotal)])
    scratch = wb.create_sheet("Sheet2")
    scratch.sheet_state = "hidden"
    scratch.append(["核对用（勿删）"])
    scratch.append(["项目名称", "总投资"])
    for row in rows[:3]:
        scratch.append([row.get("project_name"), cell_number(row["total_investment_wan"])
                        if row.get("total_investment_wan") is not None else None])
    scratch.append(["上月数", rng.randrange(10, 200)])
    return save_workbook(wb, path, when=_stamp(as_of))


# --- c. flat CSV export in GB18030, WGS-84 --------------------------------------------------

C_HEADERS = ("项目编号", "项目名称", "所属县区", "产业链", "投资方", "总投资(万元)", "其中外资(万美元)",
             "项目进展", "签约日期", "开工日期", "投产日期", "三个一批期数", "批次",
             "经度(WGS84)", "纬度(WGS84)", "包保领导", "投资方类型", "投资方来源地", "签约活动")


def _c_district(name: str) -> str:
    rec = next((d for d in load_reference().districts if d.name == name), None)
    return rec.short_name if rec and rec.kind == "功能区" else full_district_name(name)


def _c_chain(chain: str | None, rng: random.Random) -> str | None:
    if chain and not chain.endswith("产业链") and rng.random() < 0.3:
        return chain + "产业链"
    return chain


def write_flat_csv_gb18030(path: Path, rows: list[dict], *, district: str, as_of: date,
                           rng: random.Random) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(C_HEADERS)
    for row in rows:
        wan, foreign = row.get("total_investment_wan"), row.get("foreign_investment_wan_usd")
        wgs = gcj02_to_wgs84(row["lng"], row["lat"]) if row.get("lng") is not None else None
        writer.writerow([
            row.get("project_code") or "", row.get("project_name") or "",
            _c_district(row.get("district") or district), _c_chain(row.get("chain"), rng) or "",
            row.get("investor") or "",
            row.get("amount_text") or (format_amount(wan) if wan is not None else ""),
            format_amount(foreign) if foreign is not None else "",
            stage_text(row["stage"], rng, 0.25),
            *(format_date(row[f], "iso") if row.get(f) else ""
              for f in ("sign_date", "start_date", "production_date")),
            f"第{chinese_numeral(row['period'])}期" if row.get("period") else "", row.get("batch") or "",
            f"{wgs[0]:.6f}" if wgs else "", f"{wgs[1]:.6f}" if wgs else "",
            row.get("leader") or "", row.get("investor_kind") or "", row.get("investor_origin") or "",
            row.get("event") or "",
        ])
    path = Path(path)
    path.write_bytes(out.getvalue().encode("gb18030"))
    return path


# --- d. legacy .xls: spaced headers, serial-number dates, 合计 --------------------------------

D_HEADERS = ("序号", "项 目 名 称", "建设单位", "产业类别", "总投资\n（万元）", "进展情况",
             "签约时间", "开工时间", "投产时间", "所在园区", "包保领导", "备注")


def write_legacy_xls(path: Path, rows: list[dict], *, district: str, as_of: date,
                     rng: random.Random, total_error_wan: Decimal | None = None) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    title = xlwt.easyxf("font: bold on, height 320; align: horiz center")
    head = xlwt.easyxf("font: bold on; align: wrap on, horiz center, vert center; "
                       "borders: left thin, right thin, top thin, bottom thin")
    ws.write_merge(0, 0, 0, len(D_HEADERS) - 1,
                   f"{full_district_name(district)}招商引资项目台账（{as_of.year}年{as_of.month}月）", title)
    for c, name in enumerate(D_HEADERS):
        ws.write(1, c, name, head)
        ws.col(c).width = 256 * _width(name.replace(" ", ""))
    total = Decimal(0)
    r = 2
    for seq, row in enumerate(rows, start=1):
        amount = _amount(row, "万元")
        total += amount or 0
        values = [seq, row.get("project_name") or "", row.get("investor") or "", row.get("chain") or "",
                  row.get("amount_text") or (cell_number(amount) if amount is not None else ""),
                  stage_text(row["stage"], rng, 0.3),
                  *(excel_serial(row[f]) if row.get(f) else "" for f in ("sign_date", "start_date", "production_date")),
                  row.get("park") or "", row.get("leader") or "", ""]
        for c, value in enumerate(values):
            ws.write(r, c, value)
        r += 1
    ws.write(r, 1, "合计")
    ws.write(r, 4, cell_number(total + (total_error_wan or 0)))
    path = Path(path)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


# --- e. masked copy for publication -----------------------------------------------------------

E_HEADERS = ("序号", "项目名称", "投资方", "产业链", "所属园区", "总投资（万元）", "项目状态",
             "签约时间", "开工时间", "投产时间", "经度", "纬度")


def _mask_investor(investor: str | None, rng: random.Random) -> str | None:
    if not investor or rng.random() >= 0.4:
        return investor
    return "**公司" if rng.random() < 0.5 else investor[:2] + "****有限公司"


def write_masked_publication_xlsx(path: Path, rows: list[dict], *, district: str, as_of: date,
                                  rng: random.Random) -> Path:
    """A row is masked when row['masked'] says so; rows without the key are masked at random."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目清单"
    title_lines(ws, [f"{full_district_name(district)}招商引资项目情况表（公开版）"], len(E_HEADERS))
    ws.append(list(E_HEADERS))
    style_header(ws, 2, 2, [_width(h) for h in E_HEADERS])
    for seq, row in enumerate(rows, start=1):
        masked = row["masked"] if "masked" in row else rng.random() < 0.25
        wan = row.get("total_investment_wan")
        amount = (rng.choice(("**", "***")) if masked else
                  row.get("amount_text") or (cell_number(wan) if wan is not None else None))
        ws.append([seq, row.get("project_name"), _mask_investor(row.get("investor"), rng), row.get("chain"),
                   row.get("park"), amount, row["stage"], row.get("sign_date"), row.get("start_date"),
                   row.get("production_date"), row.get("lng"), row.get("lat")])
    return save_workbook(wb, path, when=_stamp(as_of))


WRITERS = {
    "title_twoheader_xlsx": write_title_twoheader_xlsx,
    "sheet_per_stage_xlsx": write_sheet_per_stage_xlsx,
    "flat_csv_gb18030": write_flat_csv_gb18030,
    "legacy_xls": write_legacy_xls,
    "masked_publication_xlsx": write_masked_publication_xlsx,
}
WITH_TOTALS = ("title_twoheader_xlsx", "sheet_per_stage_xlsx", "legacy_xls")   # accept total_error_wan
WITHOUT_COORDINATES = ("legacy_xls",)
