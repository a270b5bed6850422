"""A small hand-counted warehouse for the dashboard tests (11 projects in 漯河).

Rows go straight into project_rows / loads with SQL (not through the loader), and
project_current is refreshed from them the way the loader does: the latest row per project,
dates an earlier snapshot gave kept, first_seen = the first snapshot.

The hand counts that the tests assert are written next to the rows below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from auth_fixture import add_accounts
from warehouse.db import connect, next_id
from warehouse.reference import load_reference, write_reference_tables

XSS_NAME = "<script>alert(1)</script><b>x</b>"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","点我")'
SHARED_NAME = "休闲食品项目A"

COLUMNS = [
    "load_id", "as_of", "source_file", "source_sheet", "source_row", "project_id", "project_code",
    "project_name", "district_code", "district", "park", "cluster", "chain", "chain_known",
    "investor", "total_investment_wan", "investment_note", "foreign_investment_wan_usd", "stage",
    "sign_date", "register_date", "start_date", "production_date", "period", "batch", "lng", "lat",
    "location_approximate", "responsible_unit", "leader", "investor_kind", "investor_origin",
    "event", "remark",
]

D = date.fromisoformat
MARCH, MAY, JUNE = D("2024-03-31"), D("2024-05-31"), D("2024-06-30")

# project_id → the fields every snapshot shares
PROJECTS: dict[str, dict] = {
    "P01": dict(project_name="双汇肉制品扩建项目", district="源汇区", district_code="411102",
                cluster="现代食品", chain="肉制品", chain_known=True, investor="双汇集团",
                total_investment_wan=Decimal("50000"), sign_date=D("2024-02-10"),
                lng=113.95, lat=33.55, responsible_unit="源汇区商务局", leader="张三"),
    "P02": dict(project_name=SHARED_NAME, district="源汇区", district_code="411102",
                cluster="现代食品", chain="休闲食品", chain_known=True, investor="甲食品公司",
                total_investment_wan=Decimal("12000.5"), sign_date=D("2024-03-15"),
                lng=113.93, lat=33.54, responsible_unit="源汇区商务局"),
    "P03": dict(project_name="智能装备产业园", district="郾城区", district_code="411103",
                cluster="先进制造", chain="装备制造", chain_known=True, investor="乙装备公司",
                total_investment_wan=Decimal("150000"), sign_date=D("2023-03-01"),
                start_date=D("2023-06-01"), production_date=D("2024-04-20"),
                lng=113.99, lat=33.62, responsible_unit="郾城区招商中心"),
    "P04": dict(project_name="电子元器件项目", district="郾城区", district_code="411103",
                cluster="先进制造", chain="电子信息", chain_known=True, investor="丙电子",
                total_investment_wan=Decimal("8000"), sign_date=D("2024-01-05"),
                start_date=D("2024-03-01"), responsible_unit="郾城区招商中心"),
    "P05": dict(project_name="区块链应用中心", district="召陵区", district_code="411104",
                cluster=None, chain="区块链", chain_known=False, investor="丁科技",
                total_investment_wan=Decimal("3000")),
    "P06": dict(project_name="盐化工循环经济项目", district="舞阳县", district_code="411121",
                cluster="新材料", chain="盐化工", chain_known=True, investor="戊化工",
                total_investment_wan=Decimal("600000"), sign_date=D("2023-05-20"),
                lng=113.62, lat=33.44, responsible_unit="舞阳县发改委", leader="李四"),
    "P07": dict(project_name="临颍休闲食品产业园", district="临颍县", district_code="411122",
                cluster="现代食品", chain="休闲食品", chain_known=True, investor="己食品集团",
                total_investment_wan=Decimal("1100000"), sign_date=D("2022-01-10"),
                start_date=D("2022-06-01"), lng=113.94, lat=33.81,
                responsible_unit="临颍县产业集聚区", leader="王五"),
    "P08": dict(project_name="功能糖项目", district="漯河经济技术开发区", district_code="411171",
                cluster="现代食品", chain="食品添加剂", chain_known=True, investor="庚生物",
                total_investment_wan=Decimal("20000"), sign_date=D("2023-02-01"),
                start_date=D("2023-04-01"), production_date=D("2023-10-01"),
                lng=114.07, lat=33.53, responsible_unit="经开区招商局"),
    "P09": dict(project_name=XSS_NAME, district="西城区", district_code="411100-XC",
                cluster="先进制造", chain="生物医药", chain_known=True, investor="辛医药",
                total_investment_wan=None, investment_note="待定", sign_date=D("2024-04-01"),
                register_date=D("2024-05-10"), lng=113.965, lat=33.585,
                location_approximate=True, responsible_unit="西城区招商服务中心"),
    "P10": dict(project_name=FORMULA_NAME, district="源汇区", district_code="411102",
                cluster="现代食品", chain="肉制品", chain_known=True, investor="@SUM(1+1)",
                total_investment_wan=Decimal("5000"), sign_date=D("2023-04-01"),
                responsible_unit="-源汇区商务局"),
    "P11": dict(project_name=SHARED_NAME, district="郾城区", district_code="411103",
                cluster="现代食品", chain="休闲食品", chain_known=True, investor="甲食品公司",
                total_investment_wan=None),
}

# (load_id, as_of, project_id, stage, period, batch): the monthly snapshots
SNAPSHOTS = [
    (1, MARCH, "P06", "签约", 11, "签约一批"),
    (2, MAY, "P01", "签约", 12, "签约一批"),
    (2, MAY, "P02", "签约", 13, "签约一批"),
    (2, MAY, "P03", "投产", 13, "投产一批"),
    (2, MAY, "P04", "开工", 12, "签约一批"),
    (2, MAY, "P07", "开工", 8, "开工一批"),
    (2, MAY, "P08", "达效", 10, "投产一批"),
    (3, JUNE, "P01", "开工", 13, "开工一批"),
    (3, JUNE, "P02", "签约", 13, "签约一批"),
    (3, JUNE, "P03", "投产", 13, "投产一批"),
    (3, JUNE, "P04", "终止", 12, "签约一批"),
    (3, JUNE, "P05", "在谈", None, None),
    (3, JUNE, "P07", "开工", 8, "开工一批"),
    (3, JUNE, "P09", "履约", 13, "签约一批"),
    (3, JUNE, "P10", "签约", None, None),
    (3, JUNE, "P11", "在谈", None, None),
]
# P01 started on 2024-05-01: the June ledger says so, the May one (still 签约) does not.
LATE_FIELDS = {(3, "P01"): {"start_date": D("2024-05-01")}}

LOADS = [
    (1, "舞阳县2024年3月台账.xlsx", MARCH),
    (2, "全市2024年5月台账.xlsx", MAY),
    (3, "全市2024年6月台账.xlsx", JUNE),
]

# ---- hand counts (window 2024, the default year; newest ledger 2024-06-30) -------------
# signed in 2024-01-01..06-30: P01 P02 P04 P09 → 4, 70000.5 万; a year earlier P03 P06 P08 P10 → 4, 775000 万
# started: P01 P04 → 2, 58000 万 (2023 H1: P03 P08 → 2, 170000 万); production: P03 → 1, 150000 万
# funnel (cohort P01 P02 P04 P09): 履约 3 (75%), 开工 2 (50%), 投产 0 (0%), 达效 — ; 在谈 2
# stalled (N=6, M=18 months): signed not started P06 P10; started not producing P07
# late districts (40 days): 舞阳县 (2024-03-31), 东城区 (never reported)
TOTAL_INVESTMENT_WAN = Decimal("1948000.5")


def _row(load_id: int, as_of: date, pid: str, stage: str, period, batch, source_row: int) -> dict:
    p = dict(PROJECTS[pid])
    fields = {c: None for c in COLUMNS}
    fields.update(p)
    # dates appear in the ledger only once they happened
    for col in ("sign_date", "register_date", "start_date", "production_date"):
        if fields[col] is not None and fields[col] > as_of:
            fields[col] = None
    if pid == "P01" and load_id < 3:
        fields["start_date"] = None
    fields.update(LATE_FIELDS.get((load_id, pid), {}))
    fields.update(load_id=load_id, as_of=as_of, source_file=dict((l, f) for l, f, _ in LOADS)[load_id],
                  source_sheet="Sheet1", source_row=source_row, project_id=pid, project_code=pid, stage=stage,
                  period=period, batch=batch,
                  location_approximate=bool(p.get("location_approximate", False)) if p.get("lng") else None)
    return fields


def refresh_current(con) -> None:
    """The loader's own refresh (etl.store) over every project of the fixture, and the per-load
    summary (warehouse.derived) the loader writes with each load."""
    from etl.store import refresh_current as refresh
    from warehouse import derived

    refresh(con, con.execute("SELECT DISTINCT project_id FROM project_rows").pl())
    for (load_id,) in con.execute("SELECT DISTINCT load_id FROM project_rows ORDER BY 1").fetchall():
        derived.add_load(con, load_id)


def insert_rows(con, rows: list[dict]) -> None:
    placeholders = ", ".join("?" for _ in COLUMNS)
    con.executemany(f"INSERT INTO project_rows ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                    [[r.get(c) for c in COLUMNS] for r in rows])


def _load_id(con, expected: int) -> int:
    got = next_id(con, "load_id_seq")
    assert got == expected            # the sequence hands out 1, 2, 3 like the loader
    return got


def build_small_warehouse(path: Path) -> Path:
    con = connect(path)
    try:
        write_reference_tables(con, load_reference())
        for load_id, name, as_of in LOADS:
            n = sum(1 for s in SNAPSHOTS if s[0] == load_id)
            con.execute(
                "INSERT INTO loads (load_id, file_name, file_path, content_hash, kind, status, message,"
                " as_of, as_of_source, loaded_at, rows_read, rows_loaded, rows_skipped, rows_rejected,"
                " warnings) VALUES (?, ?, ?, ?, '项目台账', 'loaded', ?, ?, '台账日期', ?, ?, ?,"
                " 0, ?, ?)",
                [_load_id(con, load_id), name, f"/data/{name}", f"hash{load_id}", f"{name}：入库{n}行", as_of,
                 datetime(2024, 7, 1, 9, load_id), n + (1 if load_id == 3 else 0), n,
                 1 if load_id == 3 else 0, ["合计行与明细不符"] if load_id == 3 else []])
        rows = [_row(l, a, pid, st, per, b, i + 4) for i, (l, a, pid, st, per, b) in enumerate(SNAPSHOTS)]
        insert_rows(con, rows)
        refresh_current(con)
        con.execute("INSERT INTO rejected_rows VALUES (3, '全市2024年6月台账.xlsx', 'Sheet1', 30, "
                    "'缺少项目名称', '{\"总投资\": \"5亿元\", \"备注\": \"<img src=x onerror=alert(2)>\"}')")
        con.execute("INSERT INTO load_warnings VALUES (3, 'Sheet1', '合计不符', "
                    "'合计行总投资 200000 万元，明细之和 196000 万元')")
        con.execute("INSERT INTO load_warnings VALUES (3, 'Sheet1', '未知产业链', "
                    "'产业链“区块链”不在产业链目录中（第 9 行）')")
        add_accounts(con)
    finally:
        con.close()
    return path


def build_empty_warehouse(path: Path) -> Path:
    """A warehouse file with the schema and reference tables but no load."""
    con = connect(path)
    try:
        write_reference_tables(con, load_reference())
        add_accounts(con)
    finally:
        con.close()
    return path


# what a load writes: a refused file must leave every one of these as it was
DATA_TABLES = ("project_rows", "project_current", "rejected_rows", "skipped_rows", "load_warnings")


def snapshot(db: Path, tables: tuple[str, ...] = DATA_TABLES) -> dict:
    """Every row of `tables`, in a fixed order (before and after a load, to compare)."""
    con = connect(db, read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    finally:
        con.close()
