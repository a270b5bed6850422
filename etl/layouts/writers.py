"""The five ledger layouts districts send (see etl/layouts/__init__.py), one writer each."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import xlwt
from openpyxl import Workbook

from etl.layouts.cells import (BOLD, amount_in, by_stage, cell_number, chinese_numeral, district_alias, excel_serial,
                               format_amount, format_date, full_district_name, header_width, save_workbook, stage_text,
                               stamp, style_header, title_lines, unit_name)
from warehouse.geo import gcj02_to_bd09, gcj02_to_wgs84
from warehouse.reference import load_reference

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
                     f"填报单位：{unit_name(district)}    填报时间：{format_date(as_of, 'cn')}    单位：亿元"],
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
    style_header(ws, 3, 4, [header_width(h) for h in headers])
    ws.freeze_panes = "C5"

    date_format = rng.choice(["yyyy/m/d", "yyyy-mm-dd", 'yyyy"年"m"月"d"日"'])
    blank_after = rng.randrange(1, len(rows) + 1) if rows else 0
    total, foreign_total = Decimal(0), Decimal(0)
    r, seq = 5, 0
    for k, (stage, items) in enumerate(by_stage(rows), start=1):
        ws.cell(r, 1, f"{chinese_numeral(k)}、{stage}项目").font = BOLD
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        r += 1
        for row in items:
            seq += 1
            amount = amount_in(row, "亿元")
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
    ws.cell(r, 2, "合计").font = BOLD
    ws.cell(r, 6, cell_number(total + (total_error_wan or 0) / Decimal(10000)))
    ws.cell(r, 7, cell_number(foreign_total))
    return save_workbook(wb, path, when=stamp(as_of))


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
    stage_rows = dict(by_stage(rows))
    for stage in B_SHEET_ORDER:
        items = stage_rows.get(stage, [])
        if not items and stage not in B_SHEET_ORDER[:3]:
            continue
        ws = wb.create_sheet(f"{stage}项目")
        headers = ["序号", "项目名", "县区", "所属行业", "投资主体", "计划总投资（万元）",
                   *(B_DATE_HEADERS[f] for f in B_DATE_FIELDS[stage]), "坐标（百度）", "包保领导", "备注"]
        title_lines(ws, [f"{full_district_name(district)}{as_of.year}年{as_of.month}月招商引资{stage}项目明细表",
                         f"填报单位：{unit_name(district)}　　截至：{format_date(as_of, 'cn')}"], len(headers))
        ws.append(headers)
        style_header(ws, 3, 3, [header_width(h) for h in headers])
        subtotal = Decimal(0)
        for i, row in enumerate(items, start=1):
            subtotal += amount_in(row, "万元") or 0
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
    return save_workbook(wb, path, when=stamp(as_of))


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
        ws.col(c).width = 256 * header_width(name.replace(" ", ""))
    total = Decimal(0)
    r = 2
    for seq, row in enumerate(rows, start=1):
        amount = amount_in(row, "万元")
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
    style_header(ws, 2, 2, [header_width(h) for h in E_HEADERS])
    for seq, row in enumerate(rows, start=1):
        masked = row["masked"] if "masked" in row else rng.random() < 0.25
        wan = row.get("total_investment_wan")
        amount = (rng.choice(("**", "***")) if masked else
                  row.get("amount_text") or (cell_number(wan) if wan is not None else None))
        ws.append([seq, row.get("project_name"), _mask_investor(row.get("investor"), rng), row.get("chain"),
                   row.get("park"), amount, row["stage"], row.get("sign_date"), row.get("start_date"),
                   row.get("production_date"), row.get("lng"), row.get("lat")])
    return save_workbook(wb, path, when=stamp(as_of))


WRITERS = {
    "title_twoheader_xlsx": write_title_twoheader_xlsx,
    "sheet_per_stage_xlsx": write_sheet_per_stage_xlsx,
    "flat_csv_gb18030": write_flat_csv_gb18030,
    "legacy_xls": write_legacy_xls,
    "masked_publication_xlsx": write_masked_publication_xlsx,
}
WITH_TOTALS = ("title_twoheader_xlsx", "sheet_per_stage_xlsx", "legacy_xls")   # accept total_error_wan
WITHOUT_COORDINATES = ("legacy_xls",)
