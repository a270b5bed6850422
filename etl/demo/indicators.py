"""The demo's targets (目标任务分解表) and monthly indicator reports (指标完成情况表), 2024 and 2025.

    write_indicator_files(out_dir / "targets", ref, projects, seed)

Targets for the ledger-sourced indicators (签约项目数, 签约项目投资额) are set from what the demo's
projects really sign in the year, divided by the district's pace; the reported indicators
(省外资金, 外资, 进出口) follow a seasonal curve times the pace. Paces make a realistic spread:
some districts ahead, some behind, one far behind on foreign capital (the third district: 召陵区
in 漯河). The reports also carry 签约项目数 and 签约项目投资额 as the districts count them (the
ledgers come only quarterly); the fourth district reports two projects more than its ledger shows
(a disagreement the dashboard flags).

Layouts (what the loader must read): 2024 targets — districts as rows, one column per indicator,
units in the headers; 2025 targets — one row per district and indicator, the district merged
down, a 单位 column, 省外资金 in 万元 and 进出口 in 亿元; 2024 reports — merged indicator groups
with 目标 / 1-M月完成 / 完成率 under each and a 全市 row; 2025 reports — one row per district and
indicator with 全年目标, 1-M月累计完成 and 同比增长（%）.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook

from etl.layouts import cell_number, save_workbook, style_header, title_lines
from warehouse.reference import Reference

from .ledgers import _month_end
from .projects import Project

YEARS = (2024, 2025)
SIGNED_PROJECTS, SIGNED_INVESTMENT = "签约项目数", "签约项目投资额"
DOMESTIC, FOREIGN, TRADE = "实际利用省外境内资金", "实际利用外资", "货物进出口额"
REPORTED = (DOMESTIC, FOREIGN, TRADE)
# cumulative share of the year's result by the end of each month (a slow first quarter)
SEASON = (0.04, 0.09, 0.2, 0.28, 0.37, 0.5, 0.57, 0.65, 0.75, 0.83, 0.91, 1.0)
# by the district's position in the reference: how fast it goes against its targets
PACES = (1.12, 1.03, 0.82, 0.88, 1.0, 1.08, 0.95, 0.86)
FAR_BEHIND = (2, FOREIGN, 0.58)           # (district position, indicator, pace)
OVER_REPORTING = (3, 2)                   # (district position, extra projects it reports)
# yearly size of the reported indicators for a district of weight 1 (亿元, 万美元, 万元)
BASE = {DOMESTIC: Decimal(12), FOREIGN: Decimal(120), TRADE: Decimal(30000)}
CENT = Decimal("0.01")


def _q(value: Decimal, step: Decimal = CENT) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _signed(projects: list[Project], code: str, year: int, until: date) -> tuple[int, Decimal]:
    """Projects of a district signed between 1 January and `until`, and their investment (万元)."""
    n, wan = 0, Decimal(0)
    for p in projects:
        if p.district_code != code:
            continue
        signed = next((d for d, s in p.events if s == "签约"), None)
        if signed and signed.year == year and signed <= until:
            n += 1
            wan += p.total_investment_wan
    return n, wan


def plan_indicators(ref: Reference, projects: list[Project], seed: int) -> dict:
    """targets[year][code][indicator] (canonical units) and actuals[year][month][code][indicator]."""
    rng = random.Random(f"{seed}:indicators")
    targets: dict = {}
    actuals: dict = {}
    weights = {d.code: Decimal(str(round(rng.uniform(0.5, 1.6), 2))) for d in ref.districts}
    for year in YEARS:
        targets[year], actuals[year] = {}, {m: {} for m in range(1, 13)}
        growth = Decimal(1) + Decimal(year - YEARS[0]) * Decimal("0.1")
        for i, d in enumerate(ref.districts):
            weight = weights[d.code]
            pace = {ind: PACES[i % len(PACES)] + rng.uniform(-0.05, 0.05) for ind in (*REPORTED, SIGNED_PROJECTS)}
            pace[SIGNED_INVESTMENT] = pace[SIGNED_PROJECTS] + rng.uniform(-0.04, 0.04)
            if i == FAR_BEHIND[0] and year == YEARS[-1]:
                pace[FAR_BEHIND[1]] = FAR_BEHIND[2]
            n, wan = _signed(projects, d.code, year, date(year, 12, 31))
            t = {SIGNED_PROJECTS: Decimal(max(2, round(n / pace[SIGNED_PROJECTS]))),
                 SIGNED_INVESTMENT: max(Decimal(1), _q(wan / 10000 / Decimal(str(pace[SIGNED_INVESTMENT])),
                                                        Decimal("0.1")))}
            for ind in REPORTED:
                t[ind] = _q(BASE[ind] * weight * growth, Decimal(1) if ind != DOMESTIC else Decimal("0.1"))
            targets[year][d.code] = t
            for ind in REPORTED:
                final = t[ind] * Decimal(str(pace[ind]))
                previous = Decimal(0)
                for m in range(1, 13):
                    share = Decimal(str(SEASON[m - 1])) * Decimal(str(1 + rng.uniform(-0.04, 0.04) if m < 12 else 1))
                    value = max(previous, _q(final * share))
                    actuals[year][m].setdefault(d.code, {})[ind] = value
                    previous = value
            for m in range(1, 13):
                count, wan = _signed(projects, d.code, year, _month_end(year, m))
                extra = OVER_REPORTING[1] if i == OVER_REPORTING[0] and count else 0
                actuals[year][m][d.code][SIGNED_PROJECTS] = Decimal(count + extra)
                actuals[year][m][d.code][SIGNED_INVESTMENT] = _q(wan / 10000)     # reported to the cent
    return {"targets": targets, "actuals": actuals}


def _stamp(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0)


def _number(value: Decimal):
    return cell_number(value.normalize() if value == value.to_integral_value() else value)


def _city(ref: Reference) -> str:
    return ref.city_name


def _write_targets_wide(path: Path, ref: Reference, year: int, targets: dict) -> Path:
    """2024: districts as rows, one column per indicator (unit in the header), a 全市 row."""
    heads = [("签约项目数（个）", SIGNED_PROJECTS, Decimal(1)), ("签约项目投资额（亿元）", SIGNED_INVESTMENT, Decimal(1)),
             ("实际利用省外境内资金（亿元）", DOMESTIC, Decimal(1)), ("实际利用外资（万美元）", FOREIGN, Decimal(1)),
             ("货物进出口额（万元）", TRADE, Decimal(1))]
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年目标任务"
    width = len(heads) + 3
    title_lines(ws, [f"{_city(ref)}{year}年度招商引资目标任务分解表", f"印发单位：{_city(ref)}招商引资工作领导小组办公室"],
                width)
    for c, h in enumerate(["序号", "县（市、区）", *[h for h, _, _ in heads], "备注"], start=1):
        ws.cell(3, c, h)
    style_header(ws, 3, 3, [6, 22] + [16] * len(heads) + [12])
    r = 4
    for k, d in enumerate(ref.districts, start=1):
        ws.cell(r, 1, k)
        ws.cell(r, 2, d.name)
        for c, (_, ind, _) in enumerate(heads, start=3):
            ws.cell(r, c, _number(targets[d.code][ind]))
        r += 1
    ws.cell(r, 1, "全市合计")
    for c, (_, ind, _) in enumerate(heads, start=3):
        ws.cell(r, c, _number(sum(targets[d.code][ind] for d in ref.districts)))
    ws.cell(r + 2, 1, "注：签约项目数、签约项目投资额以市商务局认定为准。")
    return save_workbook(wb, path, when=_stamp(date(year, 1, 15)))


LONG_UNITS = {SIGNED_PROJECTS: ("个", Decimal(1)), SIGNED_INVESTMENT: ("亿元", Decimal(1)),
              DOMESTIC: ("万元", Decimal(10000)), FOREIGN: ("万美元", Decimal(1)), TRADE: ("亿元", Decimal("0.0001"))}


def _write_targets_long(path: Path, ref: Reference, year: int, targets: dict) -> Path:
    """2025: one row per district and indicator, the district merged down, units in a column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "目标任务"
    title_lines(ws, [f"{_city(ref)}{year}年招商引资目标任务"], 5)
    for c, h in enumerate(["县区", "指标", "单位", "年度目标", "备注"], start=1):
        ws.cell(2, c, h)
    style_header(ws, 2, 2, [22, 26, 10, 14, 12])
    r = 3
    for d in ref.districts:
        first = r
        for ind, (unit, factor) in LONG_UNITS.items():
            ws.cell(r, 2, ind)
            ws.cell(r, 3, unit)
            ws.cell(r, 4, _number(targets[d.code][ind] * factor))
            r += 1
        ws.cell(first, 1, d.short_name if d.kind == "行政区" else d.name)
        ws.merge_cells(start_row=first, start_column=1, end_row=r - 1, end_column=1)
    return save_workbook(wb, path, when=_stamp(date(year, 2, 1)))


def _write_report_wide(path: Path, ref: Reference, year: int, month: int, targets: dict, actuals: dict) -> Path:
    """2024 reports: indicator groups (目标 / 1-M月完成 / 完成率), units in the group header, 全市 row."""
    heads = [("签约项目数（个）", SIGNED_PROJECTS), ("签约项目投资额（亿元）", SIGNED_INVESTMENT),
             ("实际利用省外境内资金（亿元）", DOMESTIC), ("实际利用外资（万美元）", FOREIGN), ("货物进出口额（万元）", TRADE)]
    wb = Workbook()
    ws = wb.active
    ws.title = f"{month}月"
    width = 2 + 3 * len(heads)
    title_lines(ws, [f"{_city(ref)}{year}年1-{month}月招商引资主要指标完成情况", f"统计时间：截至{year}年{month}月底"], width)
    ws.cell(3, 1, "序号")
    ws.cell(3, 2, "县区")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.merge_cells(start_row=3, start_column=2, end_row=4, end_column=2)
    for k, (head, _) in enumerate(heads):
        c = 3 + 3 * k
        ws.cell(3, c, head)
        ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=c + 2)
        for j, sub in enumerate(("全年目标", f"1-{month}月完成", "完成率")):
            ws.cell(4, c + j, sub)
    style_header(ws, 3, 4, [6, 22] + [14] * (width - 2))
    month_actuals = actuals[month]
    rows = [(str(k), d.name, d.code) for k, d in enumerate(ref.districts, start=1)]
    r = 5
    for seq, name, code in [*rows, ("", "全市", None)]:
        ws.cell(r, 1, int(seq) if seq else None)
        ws.cell(r, 2, name)
        for k, (_, ind) in enumerate(heads):
            c = 3 + 3 * k
            if code is None:
                target = sum(targets[d.code][ind] for d in ref.districts)
                actual = sum(month_actuals[d.code][ind] for d in ref.districts)
            else:
                target, actual = targets[code][ind], month_actuals[code][ind]
            ws.cell(r, c, _number(target))
            ws.cell(r, c + 1, _number(actual))
            ws.cell(r, c + 2, f"{_q(actual / target * 100)}%" if target else "—")
        r += 1
    return save_workbook(wb, path, when=_stamp(_month_end(year, month)))


def _write_report_long(path: Path, ref: Reference, year: int, month: int, targets: dict, actuals: dict,
                       last_year: dict) -> Path:
    """2025 reports: one row per district and indicator, with 同比 against the same month of 2024."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指标完成情况"
    title_lines(ws, [f"{year}年1-{month}月各县区招商引资指标完成情况（县区报送）"], 7)
    for c, h in enumerate(["序号", "县区", "指标名称", "计量单位", "全年目标", f"1-{month}月累计完成",
                           "同比增长（%）"], start=1):
        ws.cell(2, c, h)
    style_header(ws, 2, 2, [6, 22, 26, 10, 14, 16, 14])
    units = {SIGNED_PROJECTS: ("个", Decimal(1)), SIGNED_INVESTMENT: ("亿元", Decimal(1)), DOMESTIC: ("亿元", Decimal(1)),
             FOREIGN: ("万美元", Decimal(1)), TRADE: ("亿元", Decimal("0.0001"))}
    r, seq = 3, 0
    for d in ref.districts:
        for ind, (unit, factor) in units.items():
            seq += 1
            now = actuals[month][d.code][ind]
            before = last_year[month][d.code][ind]
            yoy = f"{_q((now / before - 1) * 100)}" if before else "—"
            for c, value in enumerate([seq, d.name, ind, unit, _number(targets[d.code][ind] * factor),
                                       _number(now * factor), yoy], start=1):
                ws.cell(r, c, value)
            r += 1
    return save_workbook(wb, path, when=_stamp(_month_end(year, month)))


def write_indicator_files(out_dir: Path, ref: Reference, projects: list[Project], seed: int) -> list[Path]:
    """Two targets workbooks and 24 monthly reports under out_dir (reports in out_dir/月报/)."""
    plan = plan_indicators(ref, projects, seed)
    targets, actuals = plan["targets"], plan["actuals"]
    out_dir = Path(out_dir)
    (out_dir / "月报").mkdir(parents=True, exist_ok=True)
    y1, y2 = YEARS
    written = [
        _write_targets_wide(out_dir / f"{_city(ref)}{y1}年度招商引资目标任务分解表.xlsx", ref, y1, targets[y1]),
        _write_targets_long(out_dir / f"{y2}年招商引资目标任务.xlsx", ref, y2, targets[y2]),
    ]
    for m in range(1, 13):
        written.append(_write_report_wide(out_dir / "月报" / f"{y1}年1-{m}月招商引资指标完成情况.xlsx", ref, y1, m,
                                          targets[y1], actuals[y1]))
    for m in range(1, 13):
        written.append(_write_report_long(out_dir / "月报" / f"{y2}年{m}月指标完成情况（县区报送）.xlsx", ref, y2, m,
                                          targets[y2], actuals[y2], actuals[y1]))
    return written
