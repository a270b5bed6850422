"""The current state the loader keeps incrementally equals a full recomputation from history.

etl.store advances project_current in place for the common case (a file's only row of a project,
no older than its state) and recomputes the rest from history. After every step of sequences
built to hit each branch — first loads, monthly updates, a late snapshot, a later ledger that
omits a date, a project listed twice, a re-sent file, codes appearing and disappearing, two files
with the same date — project_current must equal REFRESH_CURRENT_SQL run over every project.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from etl.load import load_files
from etl.store import REFRESH_CURRENT_SQL
from warehouse import derived
from warehouse import db as wdb
from warehouse_copy import copy_warehouse

_SCRATCH = itertools.count()


def ledger(path: Path, rows: list[tuple]) -> Path:
    """rows: (name, district, amount, stage, start_date or None, code or None)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "所属县区", "总投资（万元）", "项目状态", "开工时间"])
    for name, district, amount, stage, start, code in rows:
        ws.append([code, name, district, amount, stage, start])
    wb.save(path)
    return path


def summary_differences(db: Path) -> dict[str, tuple[int, int]]:
    """Rows only in each summary table the loader keeps / only in its definition over the whole history."""
    con = wdb.connect(db, read_only=True)
    try:
        out = {}
        definitions = {**{n: derived.definition(n) for n in derived.DEFINITIONS}, **derived.CITY_DEFINITIONS}
        for name, full in definitions.items():
            out[name] = (con.execute(f"SELECT count(*) FROM (FROM {name} EXCEPT ALL FROM ({full}))").fetchone()[0],
                         con.execute(f"SELECT count(*) FROM (FROM ({full}) EXCEPT ALL FROM {name})").fetchone()[0])
        return out
    finally:
        con.close()


def recomputed_differences(db: Path, scratch: Path) -> tuple[int, int, int]:
    """project_current against REFRESH_CURRENT_SQL over every project, on a copy of `db` (a new
    copy each call: a lake copy goes into an empty lake)."""
    scratch = copy_warehouse(db, scratch.with_name(f"{scratch.stem}-{next(_SCRATCH)}.duckdb"))
    con = wdb.connect(scratch)
    try:
        con.execute("CREATE TEMP TABLE kept AS SELECT * FROM project_current")
        con.execute("CREATE TEMP TABLE touched AS SELECT DISTINCT project_id FROM project_rows")
        con.execute(REFRESH_CURRENT_SQL)
        only_kept = con.execute("SELECT count(*) FROM (FROM kept EXCEPT ALL FROM project_current)").fetchone()[0]
        only_full = con.execute("SELECT count(*) FROM (FROM project_current EXCEPT ALL FROM kept)").fetchone()[0]
        n = con.execute("SELECT count(*) FROM kept").fetchone()[0]
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    return only_kept, only_full, n


def current(db: Path) -> list[tuple]:
    con = wdb.connect(db, read_only=True)
    try:
        return con.execute("SELECT project_id, stage, total_investment_wan, start_date, as_of, first_seen "
                           "FROM projects ORDER BY project_id").fetchall()
    finally:
        con.close()


D = dt.date
STEPS = [
    # (file name, rows) — loaded in this order
    ("召陵区2024年03月.xlsx", [("甲项目", "召陵区", 1000, "签约", None, None),
                              ("乙项目", "召陵区", 2000, "签约", None, "ZL-002"),
                              ("丙项目", "召陵区", 500, "在谈", None, None)]),
    ("召陵区2024年05月.xlsx", [("甲项目", "召陵区", 1000, "开工", "2024-05-10", None),    # monthly advance
                              ("乙项目", "召陵区", 2000, "开工", "2024-05-01", "ZL-002"),
                              ("丙项目", "召陵区", 500, "签约", None, None)]),
    ("召陵区2024年04月.xlsx", [("甲项目", "召陵区", 900, "签约", None, None),            # late snapshot
                              ("丁项目", "召陵区", 300, "签约", "2024-04-02", None)]),    # new in a late file
    ("召陵区2024年06月.xlsx", [("甲项目", "召陵区", 1000, "投产", None, None),           # omits the start date
                              ("乙项目", "召陵区", 2100, "投产", None, "ZL-002"),
                              ("丙项目", "召陵区", 500, "签约", None, "ZL-003"),          # now coded: history joins
                              ("丙项目", "召陵区", 600, "开工", "2024-06-20", "ZL-003")]),  # listed twice
    ("召陵区2024年06月.xlsx", [("甲项目", "召陵区", 1000, "投产", "2024-05-11", None),   # re-sent: supersedes
                              ("乙项目", "召陵区", 2100, "投产", None, "ZL-002"),
                              ("丙项目", "召陵区", 600, "开工", None, "ZL-003")]),
    ("召陵区招商中心2024年06月.xlsx", [("乙项目", "召陵区", 2200, "达效", None, None),  # same date, no code
                                   ("戊项目", "召陵区", 100, "在谈", None, None)]),
    ("召陵区2024年07月.xlsx", [("丙项目", "召陵区", 600, "投产", None, None)]),          # code dropped again
]


def test_incremental_current_state_equals_full_recomputation(tmp_path):
    db = tmp_path / "w.duckdb"
    for i, (name, rows) in enumerate(STEPS):
        folder = tmp_path / f"step{i}"
        folder.mkdir()
        [result] = load_files([ledger(folder / name, rows)], db=db)
        assert result.status == "loaded", result.message
        assert recomputed_differences(db, tmp_path / "scratch.duckdb")[:2] == (0, 0), f"after {name}"
        assert summary_differences(db) == {"project_batches": (0, 0), "project_timeline": (0, 0),
                                           "indicator_ledger": (0, 0), "indicator_progress_kept": (0, 0)}, f"after {name}"

    assert current(db) == [
        ("411104|丁项目", "签约", Decimal("300"), D(2024, 4, 2), D(2024, 4, 30), D(2024, 4, 30)),
        ("411104|戊项目", "在谈", Decimal("100"), None, D(2024, 6, 30), D(2024, 6, 30)),
        ("411104|甲项目", "投产", Decimal("1000"), D(2024, 5, 11), D(2024, 6, 30), D(2024, 3, 31)),
        ("编号:ZL-002", "达效", Decimal("2200"), D(2024, 5, 1), D(2024, 6, 30), D(2024, 3, 31)),
        ("编号:ZL-003", "投产", Decimal("600"), None, D(2024, 7, 31), D(2024, 3, 31)),  # 06-20: superseded file only
    ]


def test_demo_warehouse_current_state_equals_full_recomputation(demo_warehouse, tmp_path):
    only_kept, only_full, n = recomputed_differences(Path(demo_warehouse), tmp_path / "scratch.duckdb")
    assert (only_kept, only_full) == (0, 0)
    assert n > 1900
    assert summary_differences(Path(demo_warehouse)) == {"project_batches": (0, 0), "project_timeline": (0, 0),
                                                         "indicator_ledger": (0, 0), "indicator_progress_kept": (0, 0)}
    with wdb.reading(demo_warehouse) as con:         # the demo has targets and reports: the summary has rows
        assert con.execute("SELECT count(*) FROM indicator_ledger WHERE actual > 0").fetchone()[0] > 100


def test_timeline_merges_months_that_say_the_same(tmp_path):
    """Three monthly ledgers; the amount changes once: two intervals, the sign date carried."""
    db = tmp_path / "w.duckdb"
    for month, amount, sign in ((3, 1000, "2024-02-01"), (4, 1000, None), (5, 1500, None)):
        folder = tmp_path / f"m{month}"
        folder.mkdir()
        wb = openpyxl.Workbook()
        wb.active.append(["项目名称", "所属县区", "总投资（万元）", "项目状态", "签约时间", "三个一批期数", "批次"])
        wb.active.append(["甲项目", "召陵区", amount, "签约", sign, "第3期", "签约一批"])
        wb.save(folder / f"召陵区2024年{month:02d}月.xlsx")
        load_files([folder / f"召陵区2024年{month:02d}月.xlsx"], db=db)
    con = wdb.connect(db, read_only=True)
    try:
        assert con.execute("SELECT as_of, next_as_of, total_investment_wan, sign_date FROM project_timeline "
                           "ORDER BY as_of").fetchall() == [
            (D(2024, 3, 31), D(2024, 5, 31), Decimal("1000"), D(2024, 2, 1)),
            (D(2024, 5, 31), None, Decimal("1500"), D(2024, 2, 1))]
        assert con.execute("SELECT period, batch, investment_wan, as_of FROM project_batches").fetchall() == [
            (3, "签约一批", Decimal("1500"), D(2024, 5, 31))]
    finally:
        con.close()
