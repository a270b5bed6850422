"""Tiny workbooks for the 目标进度 tests, built with openpyxl, and the seed cases.

西城区 (seed 003, 2024 H1): signed 8 projects / 10亿 against a year target of 12 / 20亿; foreign
funds 18万美元 = 60% of target (so the target is 30万美元); trade 1116.12万元 by May against
5300万元. 商洛 (seed 004, 1-5月): domestic funds 34.89亿 = 57.3% of the year target.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import openpyxl

from etl.load import load_files


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), sheet: str = "Sheet1",
               extra_sheets: dict[str, list[list]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    for name, sheet_rows in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in sheet_rows:
            other.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def load(paths, db, **kwargs):
    return load_files([Path(p) for p in paths], db=db, **kwargs)


# --- 漯河 2024 targets, districts as rows (the seed's 西城区 figures) -------------------------

LUOHE_TARGETS_2024 = [  # 县区, 签约项目数, 签约项目投资额(亿元), 省外资金(亿元), 外资(万美元), 进出口(万元)
    ["源汇区", 15, 30, 12.5, 50, 8000],
    ["郾城区", 16, 35, 14, 80, 26000],
    ["召陵区", 10, 25, 6, 40, 6000],
    ["西城区", 12, 20, 7, 30, 5300],
]


def luohe_targets_wide(path: Path) -> Path:
    rows = [["漯河市2024年度招商引资目标任务分解表"],
            ["序号", "县（市、区）", "签约项目数（个）", "签约项目投资额（亿元）", "实际利用省外境内资金（亿元）",
             "实际利用外资（万美元）", "货物进出口额（万元）", "备注"]]
    rows += [[i, *r, None] for i, r in enumerate(LUOHE_TARGETS_2024, start=1)]
    return write_xlsx(path, rows, ("A1:H1",), sheet="2024年")


XICHENG_PROJECTS = [  # name, 万元, stage, sign date, start date — 8 signed in 2024 H1, 100000万 = 10亿
    ("中食数联项目", 20000, "签约", "2024-01-15", None),
    ("盛威旅游出行综合服务平台项目", 15000, "开工", "2024-02-20", "2024-05-10"),
    ("数字经济文化产业项目", 12000, "签约", "2024.3.8", None),
    ("神飞航天食品产业园项目", 18000, "履约", "2024年3月28日", None),
    ("飞图科技项目", 8000, "签约", "2024-04-16", None),
    ("艺龙酒店项目", 5000, "签约", "2024-05-09", None),
    ("智慧物流总部项目", 12000, "开工", "2024-05-30", "2024-06-20"),
    ("山外科技孵化项目", 10000, "签约", "2024-06-18", None),
    ("大数据产业园三期项目", 30000, "开工", "2023-09-01", "2024-01-10"),   # signed last year
    ("中国动漫集团项目", 20000, "在谈", None, None),                       # not signed
]


def xicheng_ledger(path: Path, as_of: date = date(2024, 6, 30), projects=XICHENG_PROJECTS) -> Path:
    rows = [["漯河市西城区2024年招商引资项目台账"],
            [f"填报单位：西城区招商服务中心    填报时间：{as_of.year}年{as_of.month}月{as_of.day}日    单位：万元"],
            ["序号", "项目名称", "总投资（万元）", "项目状态", "签约时间", "开工时间"]]
    rows += [[i, n, w, s, d, st] for i, (n, w, s, d, st) in enumerate(projects, start=1)]
    return write_xlsx(path, rows, ("A1:F1", "A2:F2"), sheet="项目台账")


def xicheng_report(path: Path, month: int, foreign: object = None, trade: object = None) -> Path:
    """A monthly report, merged indicator groups with 目标 / 1-M月完成 / 完成率 under each."""
    rows = [[f"漯河市2024年1-{month}月招商引资主要指标完成情况"],
            ["县区", "实际利用外资（万美元）", None, None, "货物进出口额（万元）", None, None],
            [None, "目标", f"1-{month}月完成", "完成率", "目标", f"1-{month}月完成", "完成率"],
            ["西城区", 30, foreign, None, 5300, trade, None]]
    return write_xlsx(path, rows, ("A1:G1", "A2:A3", "B2:D2", "E2:G2"))


def xicheng_files(folder: Path) -> list[Path]:
    return [luohe_targets_wide(folder / "2024年目标任务分解表.xlsx"),
            xicheng_ledger(folder / "西城区2024年6月台账.xlsx"),
            xicheng_report(folder / "2024年1-5月指标完成情况.xlsx", 5, trade=1116.12),
            xicheng_report(folder / "2024年1-6月指标完成情况.xlsx", 6, foreign=18)]


# --- 商洛 1-5月 2024 ------------------------------------------------------------------------

# The seed gives 34.89亿 = 57.3% but not the target. 60.89亿 is a target that fits: 34.89 / 60.89
# = 0.57300… → 57.30%. The districts' figures below add up to exactly these two numbers.
SHANGLUO_DOMESTIC = [  # 县区, 年度目标(亿元), 1-5月完成(亿元)
    ("商州区", "12.5", "7.8"), ("洛南县", "9.8", "5.2"), ("丹凤县", "7.6", "4.1"), ("商南县", "7.2", "3.9"),
    ("山阳县", "8.9", "5.6"), ("镇安县", "7.39", "4.09"), ("柞水县", "7.5", "4.2"),
]
SHANGLUO_TARGET, SHANGLUO_ACTUAL = "60.89", "34.89"


def shangluo_report(path: Path) -> Path:
    rows = [["商洛市2024年1-5月招商引资主要指标完成情况"],
            ["序号", "县区", "实际使用内资（亿元）", None, None, "外商直接投资（万美元）"],
            [None, None, "年度目标", "1-5月完成", "完成率", "1-5月完成"]]
    rows += [[i, d, float(t), float(a), None, None] for i, (d, t, a) in enumerate(SHANGLUO_DOMESTIC, start=1)]
    rows.append([None, "全市", float(SHANGLUO_TARGET), float(SHANGLUO_ACTUAL), "57.3%", 3.07])
    return write_xlsx(path, rows, ("A1:F1", "A2:A3", "B2:B3", "C2:E2"))


class _SkipEmptyLists:
    """A connection whose executemany ignores an empty parameter list (DuckDB refuses one)."""

    def __init__(self, con):
        self._con = con

    def executemany(self, sql, params):
        if params:
            self._con.executemany(sql, params)

    def __getattr__(self, name):
        return getattr(self._con, name)


def use_city(monkeypatch, tmp_path: Path, code: str, extra: str = "") -> None:
    """Point settings (and the reference) at another city for one test.

    商洛 has no parks in data/reference/parks.csv, and warehouse.reference.write_reference_tables
    then calls executemany with an empty list, which DuckDB rejects: every load would fail. Until
    that is fixed there (reported), the loader's call is given a connection that skips empty lists.
    """
    import etl.load
    import warehouse.reference
    import warehouse.settings

    settings = tmp_path / "settings.toml"
    settings.write_text(f'[city]\ncode = "{code}"\n{extra}', encoding="utf-8")
    monkeypatch.setenv("SETTINGS_PATH", str(settings))
    warehouse.settings._load.cache_clear()
    warehouse.reference.load_reference.cache_clear()
    write = warehouse.reference.write_reference_tables
    monkeypatch.setattr(etl.load, "write_reference_tables", lambda con, ref: write(_SkipEmptyLists(con), ref))


def reset_city() -> None:
    import warehouse.reference
    import warehouse.settings

    os.environ.pop("SETTINGS_PATH", None)
    warehouse.settings._load.cache_clear()
    warehouse.reference.load_reference.cache_clear()


# --- demo-like data: the demo's targets and reports, with the ledgers of two snapshots -------

DEMO_LEDGER_DATES = (date(2025, 6, 30), date(2025, 12, 31))


def build_demo_like(folder: Path, db: Path, seed: int = 2024) -> Path:
    """The demo's 2024–2025 targets and monthly reports (etl/demo/indicators.py) and every
    district's ledgers of June and December 2025 — the demo, minus most ledger snapshots."""
    import random

    from etl.demo.indicators import write_indicator_files
    from etl.demo.ledgers import plan_ledgers
    from etl.demo.projects import make_projects
    from etl.layouts import WRITERS
    from warehouse.reference import load_reference

    ref = load_reference()
    projects = make_projects(ref, seed)
    paths = write_indicator_files(folder / "targets", ref, projects, seed)
    for f in plan_ledgers(ref, projects, seed):
        if f.as_of in DEMO_LEDGER_DATES:
            target = folder / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            rng = random.Random(f"{seed}:{f.district.code}:{f.as_of.isoformat()}")
            paths.append(WRITERS[f.layout](target, f.rows, district=f.district.name, as_of=f.as_of, rng=rng))
    results = load(paths, db)
    assert {r.status for r in results} == {"loaded"}, [r.message for r in results if r.status != "loaded"]
    return db
