"""Loader hooks for accounts (issue 12): a district account may write only its own districts, and
every load records who made it. Nothing of another district changes, whatever the file says."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.load import load_files
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parent.parent
YANCHENG, ZHAOLING = "411103", "411104"
HEADER = ["项目编号", "项目名称", "所属县区", "总投资（万元）", "项目状态"]


def ledger(path: Path, rows: list[tuple]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def q(db: Path, sql: str, params=()):
    con = wdb.connect(db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def district_state(db: Path, code: str) -> dict:
    """Everything the warehouse holds of one district, byte for byte."""
    tables = {
        "project_current": f"SELECT * FROM project_current WHERE district_code = '{code}'",
        "project_rows": f"SELECT * FROM project_rows WHERE district_code = '{code}'",
        "project_batches": f"SELECT b.* FROM project_batches b JOIN project_current c USING (project_id) "
                           f"WHERE c.district_code = '{code}'",
        "project_timeline": f"SELECT * FROM project_timeline WHERE district_code = '{code}'",
        "load_districts": f"SELECT * FROM load_districts WHERE district_code = '{code}'",
        "loads": f"SELECT l.* FROM loads l WHERE load_id IN (SELECT load_id FROM project_rows WHERE district_code = '{code}')",
    }
    return {t: q(db, sql + " ORDER BY ALL") for t, sql in tables.items()}


@pytest.fixture()
def city(tmp_path) -> Path:
    """召陵区 (a coded and an uncoded project) and 郾城区, loaded by the city."""
    db = tmp_path / "w.duckdb"
    results = load_files([
        ledger(tmp_path / "召陵区2024年06月.xlsx", [("ZL-001", "召陵食品项目", "召陵区", 100, "签约"),
                                                 (None, "召陵物流项目", "召陵区", 200, "开工")]),
        ledger(tmp_path / "郾城区2024年06月.xlsx", [("YC-001", "郾城装备项目", "郾城区", 300, "签约")])],
        db=db, user="city_admin")
    assert [r.status for r in results] == ["loaded", "loaded"]
    return db


def test_rows_of_another_district_are_rejected_and_that_district_is_unchanged(city, tmp_path):
    before = district_state(city, ZHAOLING)
    f = ledger(tmp_path / "郾城区2024年07月.xlsx", [("YC-001", "郾城装备项目", "郾城区", 300, "开工"),
                                                  (None, "召陵物流项目", "召陵区", 999, "投产")])
    [r] = load_files([f], db=city, user="yc_user", districts={YANCHENG})
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert r.rejected[0]["source_row"] == 3
    assert r.rejected[0]["reason"] == "所属县区“召陵区”不在本账号的填报范围（郾城区）内，未入库"
    assert json.loads(r.rejected[0]["raw_values"])["项目名称"] == "召陵物流项目"
    assert district_state(city, ZHAOLING) == before
    assert q(city, "SELECT stage FROM projects WHERE project_id = '编号:YC-001'") == [("开工",)]
    assert q(city, "SELECT loaded_by FROM loads ORDER BY load_id") == [("city_admin",), ("city_admin",), ("yc_user",)]


def test_a_code_that_belongs_to_another_districts_project_is_rejected(city, tmp_path):
    before = district_state(city, ZHAOLING)
    f = ledger(tmp_path / "郾城区2024年07月.xlsx", [("ZL-001", "召陵食品项目", "郾城区", 1, "投产"),
                                                  ("YC-002", "郾城新项目", "郾城区", 50, "在谈")])
    [r] = load_files([f], db=city, user="yc_user", districts={YANCHENG})
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert r.rejected[0]["reason"] == "项目编号“ZL-001”已是召陵区的项目，不在本账号的填报范围（郾城区）内，未入库"
    assert district_state(city, ZHAOLING) == before
    assert q(city, "SELECT project_id, district FROM projects WHERE project_id = '编号:ZL-001'") == [
        ("编号:ZL-001", "召陵区")]


def test_a_file_of_other_districts_only_is_refused_and_stores_nothing(city, tmp_path):
    before = {code: district_state(city, code) for code in (YANCHENG, ZHAOLING)}
    f = ledger(tmp_path / "召陵区2024年07月.xlsx", [("ZL-001", "召陵食品项目", "召陵区", 1, "投产"),
                                                  (None, "召陵物流项目", "召陵区", 2, "投产")])
    [r] = load_files([f], db=city, user="yc_user", districts={YANCHENG})
    assert r.status == "refused"
    assert r.message.startswith("召陵区2024年07月.xlsx：文件中的项目都不属于本账号的县区（郾城区），2行均未入库。")
    assert {code: district_state(city, code) for code in (YANCHENG, ZHAOLING)} == before
    assert q(city, "SELECT count(*) FROM rejected_rows") == [(0,)]
    assert q(city, "SELECT status, loaded_by FROM loads ORDER BY load_id DESC LIMIT 1") == [("refused", "yc_user")]


def test_a_district_file_named_like_another_districts_does_not_supersede_it(city, tmp_path):
    """Same name, same as-of date as 召陵区's load: for a 郾城区 account it is a new load, and
    召陵区's load stays; a corrected 郾城区 version then supersedes only 郾城区's own."""
    before = district_state(city, ZHAOLING)
    folder = tmp_path / "郾城"
    folder.mkdir()
    f = ledger(folder / "召陵区2024年06月.xlsx", [("YC-003", "郾城同名文件项目", "郾城区", 10, "签约")])
    [r] = load_files([f], db=city, user="yc_user", districts={YANCHENG}, as_of=date(2024, 6, 30))
    assert r.status == "loaded"
    assert any("未被替代" in w for w in r.warnings)
    assert district_state(city, ZHAOLING) == before
    ledger(f, [("YC-003", "郾城同名文件项目", "郾城区", 20, "签约")])          # corrected
    [r2] = load_files([f], db=city, user="yc_user", districts={YANCHENG}, as_of=date(2024, 6, 30))
    assert r2.status == "loaded"
    assert district_state(city, ZHAOLING) == before
    assert q(city, "SELECT load_id, status FROM loads WHERE file_name = '召陵区2024年06月.xlsx' ORDER BY load_id") == [
        (1, "loaded"), (r.load_id, "superseded"), (r2.load_id, "loaded")]
    assert q(city, "SELECT total_investment_wan FROM projects WHERE project_id = '编号:YC-003'") == [(20,)]


def test_the_city_may_supersede_any_district(city, tmp_path):
    f = ledger(tmp_path / "召陵区2024年06月.xlsx", [("ZL-001", "召陵食品项目", "召陵区", 150, "签约")])
    [r] = load_files([f], db=city, user="city_admin")
    assert r.status == "loaded"
    assert q(city, "SELECT status FROM loads WHERE file_name = '召陵区2024年06月.xlsx' ORDER BY load_id") == [
        ("superseded",), ("loaded",)]


def test_the_preview_shows_the_same_rejections_and_writes_nothing(city, tmp_path):
    before = {t: q(city, f"SELECT * FROM {t} ORDER BY ALL") for t in ("loads", "project_rows", "project_current")}
    f = ledger(tmp_path / "郾城区2024年07月.xlsx", [("ZL-001", "召陵食品项目", "郾城区", 1, "投产"),
                                                  (None, "召陵物流项目", "召陵区", 2, "投产"),
                                                  ("YC-001", "郾城装备项目", "郾城区", 300, "开工")])
    [r] = load_files([f], db=city, dry_run=True, user="yc_user", districts={YANCHENG})
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 2)
    assert [x["reason"] for x in r.rejected] == [
        "所属县区“召陵区”不在本账号的填报范围（郾城区）内，未入库",
        "项目编号“ZL-001”已是召陵区的项目，不在本账号的填报范围（郾城区）内，未入库"]
    assert r.preview.get_column("project_name").to_list() == ["郾城装备项目"]
    assert {t: q(city, f"SELECT * FROM {t} ORDER BY ALL") for t in before} == before


def test_targets_of_other_districts_and_the_city_row_are_rejected(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年度招商引资目标任务分解表"])
    ws.append(["县区", "签约项目数（个）", "实际利用外资（万美元）"])
    ws.append(["全市", 40, 1000])
    ws.append(["郾城区", 12, 300])
    ws.append(["召陵区", 10, 200])
    wb.save(tmp_path / "2024年目标.xlsx")
    db = tmp_path / "w.duckdb"
    [r] = load_files([tmp_path / "2024年目标.xlsx"], db=db, user="yc_user", districts={YANCHENG})
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 2)
    assert [(x["source_row"], x["reason"]) for x in r.rejected] == [
        (3, "全市的数值不属于本账号的填报范围（郾城区），未入库"),
        (5, "县区“召陵区”不在本账号的填报范围（郾城区）内，未入库")]
    assert q(db, "SELECT district_code, indicator, target FROM indicator_targets ORDER BY 2") == [
        (YANCHENG, "实际利用外资", 300), (YANCHENG, "签约项目数", 12)]


def test_the_command_line_records_itself_as_the_user(tmp_path):
    f = ledger(tmp_path / "郾城区2024年07月.xlsx", [("YC-001", "郾城装备项目", "郾城区", 300, "开工")])
    p = subprocess.run([sys.executable, "-m", "etl", "load", str(f), "--db", str(tmp_path / "w.duckdb"), "--json"],
                       cwd=ROOT, capture_output=True, text=True)
    assert json.loads(p.stdout)["files"][0]["status"] == "loaded"
    assert q(tmp_path / "w.duckdb", "SELECT loaded_by FROM loads") == [("命令行",)]
