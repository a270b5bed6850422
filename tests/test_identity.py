"""Project identity (etl/normalise/identity.py, etl/store.py unify_identities): which rows of which
ledgers are the same project — by 项目编号 when there is one, else by district and name as compared —
and names shown as the district wrote them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from etl.load import load_files
from etl.normalise.identity import CODE_PREFIX, name_key, name_keys, project_ids
from warehouse import db as wdb


@pytest.mark.parametrize("name, key", [
    ("甲项目", "甲项目"),
    (" 甲 项 目 ", "甲项目"),                        # stray spaces
    ("甲项目（一期）", "甲项目(一期)"),               # full-width brackets fold to half-width
    ("“智能”装备产业园", "智能装备产业园"),          # quotes do not count
    ("《年产5万吨》项目", "年产5万吨项目"),
    ("ＡＢＣ食品项目", "abc食品项目"),                # full-width letters, then lower case
    ("ABC\n食品项目", "abc食品项目"),                 # a line break inside the cell
])
def test_name_key(name, key):
    assert name_key(name) == key


def test_name_keys_of_a_column_agree_with_name_key():
    names = ["甲项目(一期)", "“智能”装备", "ABC 项目", None]
    assert name_keys(pl.Series(names)).to_list() == ["甲项目(一期)", "智能装备", "abc项目", None]


def test_project_ids():
    ids = project_ids(pl.Series(["ZL-001", None, None]), pl.Series(["411104", "411104", None]),
                      pl.Series(["召陵区", "召陵区", "火星区"]), pl.Series(["x", "甲项目", "乙项目"]))
    assert ids.to_list() == [f"{CODE_PREFIX}ZL-001", "411104|甲项目", "火星区|乙项目"]


def ledger(path: Path, rows: list[tuple], code: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "所属县区", "总投资（万元）", "项目状态"] if code else
              ["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    for r in rows:
        ws.append(list(r) if code else list(r[1:]))
    wb.save(path)
    return path


def q(db: Path, sql: str):
    con = wdb.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_uncoded_history_joins_the_coded_project_that_arrives_later(tmp_path):
    db = tmp_path / "w.duckdb"
    load_files([ledger(tmp_path / "召陵区2024年03月.xlsx", [(None, "甲项目", "召陵区", 10, "签约")], code=False)], db=db)
    load_files([ledger(tmp_path / "召陵区2024年06月.xlsx", [("ZL-1", "甲项目", "召陵区", 10, "开工")])], db=db)
    assert q(db, "SELECT project_id, stage, first_seen FROM projects") == [
        ("编号:ZL-1", "开工", __import__("datetime").date(2024, 3, 31))]
    assert q(db, "SELECT DISTINCT project_id FROM project_history") == [("编号:ZL-1",)]


def test_an_uncoded_row_takes_the_id_of_the_coded_project_of_its_district(tmp_path):
    db = tmp_path / "w.duckdb"
    load_files([ledger(tmp_path / "召陵区2024年03月.xlsx", [("ZL-1", "甲项目", "召陵区", 10, "签约")])], db=db)
    load_files([ledger(tmp_path / "召陵区2024年06月.xlsx", [(None, "甲 项目", "召陵区", 10, "开工"),
                                                          (None, "甲项目", "源汇区", 5, "签约")], code=False)], db=db)
    assert q(db, "SELECT project_id, district, stage FROM projects ORDER BY 1") == [
        ("411102|甲项目", "源汇区", "签约"),              # the same name in another district: another project
        ("编号:ZL-1", "召陵区", "开工")]


def test_one_project_however_its_name_is_written_and_shown_as_written(tmp_path):
    db = tmp_path / "w.duckdb"
    load_files([ledger(tmp_path / "召陵区2024年03月.xlsx", [(None, "甲项目(一期)", "召陵区", 10, "签约")], code=False)], db=db)
    load_files([ledger(tmp_path / "召陵区2024年06月.xlsx", [(None, "甲项目（一期）", "召陵区", 10, "开工")], code=False)], db=db)
    assert q(db, "SELECT project_id, project_name, stage FROM projects") == [("411104|甲项目(一期)", "甲项目（一期）", "开工")]
    assert q(db, "SELECT project_name FROM project_history ORDER BY as_of") == [("甲项目(一期)",), ("甲项目（一期）",)]


def test_coded_and_uncoded_rows_of_one_file_are_one_project(tmp_path):
    db = tmp_path / "w.duckdb"
    [r] = load_files([ledger(tmp_path / "召陵区2024年06月.xlsx", [("ZL-1", "甲项目", "召陵区", 10, "开工"),
                                                                (None, "甲项目", "召陵区", 10, "签约")])], db=db)
    assert r.rows_loaded == 2
    assert q(db, "SELECT project_id, stage FROM projects") == [("编号:ZL-1", "开工")]
