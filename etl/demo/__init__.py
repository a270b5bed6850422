"""A demo data set: three years of monthly/quarterly district ledgers for the configured city.

    from etl.demo import generate_demo, demo_truth
    paths = generate_demo(Path("demo"))      # demo/ledgers/<县区>/<file>, demo/targets/, demo/README.txt
    truth = demo_truth()                     # what the latest ledgers say, to check a load against

Same seed, same bytes. Everything in it is made up.
"""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from etl.layouts import WITHOUT_COORDINATES, WRITERS
from warehouse.reference import Reference, load_reference

from .indicators import write_indicator_files
from .ledgers import LATEST, SNAPSHOTS, LedgerFile, plan_ledgers
from .projects import make_projects
from .six import plan_six, write_six_files

__all__ = ["generate_demo", "demo_truth", "plan_demo"]

README_TEXT = """演示数据说明
============

本目录是自动生成的演示数据，项目名称、企业、金额、坐标、领导姓名均为虚构，仅用于演示和测试，
不代表任何真实项目。

内容：{city}全部 {n_districts} 个县区（含功能区）约 {n_projects} 个招商引资项目，2023—2025 年。
ledgers/<县区>/ 下是各县区报送的项目台账：2023—2025 年每季度末一份，2025 年 10—12 月每月一份，
每份是该县区截至当月底的全部项目及其当时的进展阶段。

为检验导入程序，台账故意保留了真实台账常见的各种写法：
- 合并标题行、填报单位/填报时间/单位行、两行表头、分组标题行（一、签约项目）、空行、合计/小计行；
- 一个阶段一个工作表（无“项目状态”列）、“填报说明”工作表、隐藏工作表；
- 金额以亿元或万元计，写成“35,000”“3.5亿元”“１２５００”“待定”，公开版中的“**”“***”；
- 日期写成 Excel 日期、序列号、“2024.3.5”“2024年3月5日”“2024年3月”“2024/03”“3月5日”；
- 县区写成简称或全称，产业链写成别名、加“产业链”后缀，少数产业链不在参考表中（如“低空经济”）；
- 坐标为高德（GCJ-02）、百度（BD-09，经纬度在一个单元格）或 WGS-84，约一成项目没有坐标；
- 旧版 .xls、GB18030 编码的 CSV；
- 一个项目同时出现在两个县区的台账中；一份台账的合计数与明细不符；
- 最新台账中有几行无法使用的数据（金额写“两千万左右”、缺项目名称），导入时应被拒绝并说明原因。

六职/<县区>/ 下是各县区 2025 年每季度报送的“六职”领导干部招商情况（外出招商、接待客商、包抓项目），
每份含当年截至该季度末的全部记录（同一次外出在后续各季度的表中重复出现，只计一次）；有的县区按行填报、
有的每位领导一个工作表。全市合计：外出招商258批次、拜访企业363家，“六职”包抓项目签约93个、履约82个、
开工60个；西城区年初谋划拟招引项目10个，签约8个、履约7个、开工7个。

targets/ 下是 2024、2025 年的目标任务分解表，targets/月报/ 下是每月的招商引资指标完成情况表
（各县区 1—N 月累计完成数；签约项目数、签约项目投资额也由县区报送，驾驶舱与台账统计数核对）。
两年的表格式不同：按县区分行、指标分列（含“目标/完成/完成率”分组表头），或每个县区每个指标一行；
单位有亿元、万元、万美元混用。有的县区超前、有的落后，一个县区的实际利用外资严重滞后；
一个县区报送的签约项目数比台账多两个，驾驶舱会标出不一致（公开版台账金额脱敏，签约投资额也会不一致）。
"""


def plan_demo(seed: int = 2024, ref: Reference | None = None) -> list[LedgerFile]:
    """Every ledger file of the demo with its rows, without writing anything."""
    ref = ref or load_reference()
    return plan_ledgers(ref, make_projects(ref, seed), seed)


def generate_demo(out_dir: Path, *, seed: int = 2024) -> list[Path]:
    """Write the ledgers under out_dir/ledgers/<district>/, the targets and monthly indicator
    reports under out_dir/targets/ (etl/demo/indicators.py) and out_dir/README.txt.
    Returns the ledger files (not the targets, not the README), in writing order."""
    ref = load_reference()
    out_dir = Path(out_dir)
    projects = make_projects(ref, seed)
    files = plan_ledgers(ref, projects, seed)
    written: list[Path] = []
    for f in files:
        target = out_dir / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        extra = {"total_error_wan": f.total_error_wan} if f.total_error_wan else {}
        rng = random.Random(f"{seed}:{f.district.code}:{f.as_of.isoformat()}")
        written.append(WRITERS[f.layout](target, f.rows, district=f.district.name, as_of=f.as_of, rng=rng, **extra))
    write_indicator_files(out_dir / "targets", ref, projects, seed)
    write_six_files(out_dir / "六职", plan_six(ref, demo_truth(seed), seed))
    n_projects = len({r["project_code"] for f in files if f.as_of == LATEST for r in f.rows if not r.get("bad")})
    (out_dir / "README.txt").write_text(
        README_TEXT.format(city=ref.city_name, n_districts=len(ref.districts), n_projects=n_projects),
        encoding="utf-8")
    return written


TRUTH_SCHEMA = {
    "district": pl.String, "district_code": pl.String, "project_code": pl.String,
    "project_name": pl.String, "investor": pl.String, "stage": pl.String,
    "total_investment_wan": pl.Decimal(24, 6), "foreign_investment_wan_usd": pl.Decimal(24, 6),
    "chain_written": pl.String, "chain": pl.String, "cluster": pl.String,
    "lng": pl.Float64, "lat": pl.Float64, "masked": pl.Boolean, "shared_with": pl.String,
    "source_file": pl.String, "layout": pl.String, "as_of": pl.Date,
}


def demo_truth(seed: int = 2024) -> pl.DataFrame:
    """One row per project row of each district's latest ledger (bad rows left out): the
    district that lists it, its stage, and its exact total investment in 万元 (None when the
    ledger has 待定 or a masked "**"). lng/lat are the true GCJ-02 points (the files may hold
    BD-09 or WGS-84 conversions of them, to 6 decimals), None when the ledger has none (also
    for every row of a layout without coordinates, the old .xls). chain_written is the project's
    spelling; the CSV layout may add "产业链" to it. A project listed by two districts has two
    rows, each naming the other in shared_with."""
    ref = load_reference()
    projects = make_projects(ref, seed)
    by_code = {p.code: p for p in projects}
    latest = [f for f in plan_ledgers(ref, projects, seed) if f.as_of == LATEST]
    listed: dict[str, list[str]] = {}
    for f in latest:
        for row in f.rows:
            if not row.get("bad"):
                listed.setdefault(row["project_code"], []).append(f.district.name)
    records = []
    for f in latest:
        for row in f.rows:
            if row.get("bad"):
                continue
            p = by_code[row["project_code"]]
            others = [d for d in listed[p.code] if d != f.district.name]
            records.append({
                "district": f.district.name, "district_code": f.district.code, "project_code": p.code,
                "project_name": p.name, "investor": p.investor, "stage": row["stage"],
                "total_investment_wan": None if row.get("masked") else row["total_investment_wan"],
                "foreign_investment_wan_usd": row["foreign_investment_wan_usd"],
                "chain_written": p.chain_written, "chain": p.chain, "cluster": p.cluster,
                "lng": None if f.layout in WITHOUT_COORDINATES else p.lng,
                "lat": None if f.layout in WITHOUT_COORDINATES else p.lat, "masked": bool(row.get("masked")),
                "shared_with": others[0] if others else None,
                "source_file": f.path.rsplit("/", 1)[-1], "layout": f.layout, "as_of": f.as_of,
            })
    return pl.DataFrame(records, schema=TRUTH_SCHEMA)


__all__ += ["SNAPSHOTS", "LATEST"]
