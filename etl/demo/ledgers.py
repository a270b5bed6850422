"""Which ledger files the demo writes: one per district per snapshot date, in the layout the
district used that month, with the district's mistakes put in on purpose (see README_TEXT in
etl/demo/__init__.py for the list)."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from warehouse.reference import District, Reference

from . import names
from .projects import Project

A, B, C, D, E = ("title_twoheader_xlsx", "sheet_per_stage_xlsx", "flat_csv_gb18030", "legacy_xls",
                 "masked_publication_xlsx")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# quarterly snapshots for three years, then monthly for the last quarter
SNAPSHOTS = tuple(sorted({_month_end(y, m) for y in (2023, 2024, 2025) for m in (3, 6, 9, 12)}
                         | {_month_end(2025, 10), _month_end(2025, 11)}))
LATEST = SNAPSHOTS[-1]
# the layouts a district sends, by its position in the reference: (from month, layout)
LAYOUT_PLANS = (
    ((202301, B), (202501, A)),
    ((202301, A), (202309, B), (202312, A)),
    ((202301, D), (202403, A)),
    ((202301, D),),
    ((202301, B),),
    ((202301, C),),
    ((202301, C), (202407, B)),
    ((202301, A), (202512, E)),
)
FILE_NAMES = {
    A: "{name}_{y}年{m:02d}月_招商项目台账.xlsx",
    B: "{short}{y}年{m}月招商引资项目进展表.xlsx",
    C: "{short}-{y}{m:02d}.csv",
    D: "{name}台账{y}.{m}.xls",
    E: "{name}招商引资项目台账{y}年{m}月（公开版）.xlsx",
}
SHARED_FROM = date(2025, 6, 30)          # a zone starts listing its parent district's project
WRONG_TOTAL_AT = date(2024, 9, 30)       # one ledger's 合计 is off by this much:
WRONG_TOTAL_WAN = Decimal(1000)
MASKED_SHARE = 0.25
# bad rows in the latest ledgers, one per layout: the loader must reject them
BAD_ROWS = {A: "amount_in_words", B: "amount_in_words", C: "no_name", D: "no_name_no_amount"}


@dataclass
class LedgerFile:
    district: District
    as_of: date
    layout: str
    path: str                          # relative to the demo directory
    rows: list[dict]                   # bad rows carry a "bad" key with the reason
    total_error_wan: Decimal | None = None


def layout_at(plan: tuple, day: date) -> str:
    return [layout for start, layout in plan if start <= day.year * 100 + day.month][-1]


def file_path(district: District, layout: str, day: date) -> str:
    name = FILE_NAMES[layout].format(name=district.name, short=district.short_name, y=day.year, m=day.month)
    return f"ledgers/{district.name}/{name}"


def shared_project(ref: Reference, projects: list[Project]) -> tuple[District, Project] | None:
    """A functional zone that also lists a signed project of its parent district."""
    codes = {d.code for d in ref.districts}
    zone = next((d for d in ref.districts if d.kind == "功能区" and d.parent_code in codes), None)
    if zone is None:
        return None
    project = next((p for p in projects if p.district_code == zone.parent_code
                    and p.stage_at(SHARED_FROM) in ("签约", "履约", "开工") and p.total_investment_wan >= 10000),
                   None)
    return (zone, project) if project else None


def bad_row(kind: str, district: District, day: date, rng: random.Random) -> dict:
    brand = names.brand(rng)
    row = {"project_code": None, "project_name": f"{brand}食品深加工项目", "district": district.name,
           "park": None, "chain": "休闲食品", "investor": f"河南{brand}食品有限公司",
           "total_investment_wan": None, "foreign_investment_wan_usd": None, "stage": "签约",
           "sign_date": day - timedelta(days=17), "start_date": None, "production_date": None,
           "period": None, "batch": None, "lng": None, "lat": None, "responsible_unit": None,
           "leader": None, "investor_kind": None, "investor_origin": None, "event": None, "bad": kind}
    if kind == "amount_in_words":
        row["amount_text"] = "两千万左右"
    elif kind == "no_name":
        row.update(project_name=None, total_investment_wan=Decimal(3000))
    else:
        row.update(project_name=None, stage="开工", start_date=day - timedelta(days=9))
    return row


def plan_ledgers(ref: Reference, projects: list[Project], seed: int) -> list[LedgerFile]:
    shared = shared_project(ref, projects)
    files: list[LedgerFile] = []
    for i, district in enumerate(ref.districts):
        plan = LAYOUT_PLANS[i % len(LAYOUT_PLANS)]
        own = [p for p in projects if p.district_code == district.code]
        for day in SNAPSHOTS:
            members = own + ([shared[1]] if shared and shared[0] == district and day >= SHARED_FROM else [])
            rows = [row for p in members if (row := p.row_at(day, district.name))]
            layout = layout_at(plan, day)
            if layout == E:
                mask = random.Random(f"{seed}:mask:{district.code}:{day}")
                for row in rows:
                    row["masked"] = mask.random() < MASKED_SHARE
            files.append(LedgerFile(district, day, layout, file_path(district, layout, day), rows))

    wrong = next((f for f in files if f.as_of == WRONG_TOTAL_AT and f.layout == A), None) or \
        next((f for f in files if f.as_of == WRONG_TOTAL_AT and f.layout in (B, D)), None)
    if wrong:
        wrong.total_error_wan = WRONG_TOTAL_WAN
    rng = random.Random(f"{seed}:bad")
    for layout, kind in BAD_ROWS.items():
        target = next((f for f in files if f.as_of == LATEST and f.layout == layout), None)
        if target:
            target.rows.insert(len(target.rows) // 2, bad_row(kind, target.district, LATEST, rng))
    return files
