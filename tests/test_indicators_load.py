"""Targets workbooks and monthly indicator reports through the loader: every layout, unit mixes,
row rejections vs whole-file refusals, nothing lost, idempotent, atomic, supersede."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from etl import layouts
from etl.kinds import classify
from etl.parse import ParseContext, parse_file
from etl.read import read_workbook
from warehouse.reference import load_reference

from targets_fixture import (LUOHE_TARGETS_2024, load, luohe_targets_wide, reset_city, use_city, write_xlsx,
                             xicheng_ledger, xicheng_report)
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parent.parent
D = Decimal
JUNE = date(2024, 6, 30)


def rows(db, sql, params=()):
    con = wdb.connect(db, read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def targets_of(db) -> dict:
    return {(d, i, y): t for d, i, y, t in rows(db, "SELECT district, indicator, year, target FROM indicator_targets")}


def actuals_of(db) -> dict:
    return {(d, i, a): v for d, i, a, v in rows(db, "SELECT district, indicator, as_of, actual FROM indicator_actuals")}


def snapshot(db) -> tuple:
    return (rows(db, "SELECT * FROM indicator_targets ORDER BY ALL"),
            rows(db, "SELECT * FROM indicator_actuals ORDER BY ALL"),
            rows(db, "SELECT * FROM rejected_rows ORDER BY ALL"),
            rows(db, "SELECT load_id, status FROM loads WHERE status <> 'refused' ORDER BY ALL"))


def one(result_list):
    (r,) = result_list
    return r


def accounted(r) -> bool:
    return r.rows_read == r.rows_loaded + r.rows_skipped + r.rows_rejected


# --- layouts --------------------------------------------------------------------------------------

def test_wide_targets_table(tmp_path):
    db = tmp_path / "w.duckdb"
    r = one(load([luohe_targets_wide(tmp_path / "目标.xlsx")], db))
    assert r.status == "loaded" and accounted(r) and (r.rows_read, r.rows_loaded) == (4, 4)
    kind, as_of, source = rows(db, "SELECT kind, as_of, as_of_source FROM loads")[0]
    assert (kind, as_of, source) == ("目标任务", date(2024, 1, 1), "目标年度")
    got = targets_of(db)
    assert len(got) == 20
    assert got[("西城区", "签约项目数", 2024)] == D(12)
    assert got[("西城区", "签约项目投资额", 2024)] == D(20)
    assert got[("西城区", "实际利用外资", 2024)] == D(30)
    assert got[("源汇区", "实际利用省外境内资金", 2024)] == D("12.5")
    assert got[("西城区", "货物进出口额", 2024)] == D(5300)
    assert rows(db, "SELECT DISTINCT unit FROM indicator_targets WHERE indicator = '实际利用外资'") == [("万美元",)]
    assert rows(db, "SELECT count(*) FROM indicator_actuals") == [(0,)]


def test_wide_report_with_merged_groups(tmp_path):
    db = tmp_path / "w.duckdb"
    r = one(load([xicheng_report(tmp_path / "报表.xlsx", 5, foreign=12, trade=1116.12)], db))
    assert r.status == "loaded" and accounted(r)
    assert rows(db, "SELECT kind, as_of, as_of_source FROM loads") == [("指标月报", date(2024, 5, 31), "表格标题")]
    assert actuals_of(db) == {("西城区", "实际利用外资", date(2024, 5, 31)): D(12),
                              ("西城区", "货物进出口额", date(2024, 5, 31)): D("1116.12")}
    assert targets_of(db) == {("西城区", "实际利用外资", 2024): D(30), ("西城区", "货物进出口额", 2024): D(5300)}


def test_wide_report_as_gbk_csv_without_merge_information(tmp_path):
    """A CSV has no merged cells: the group name stands over its first column only."""
    text = ("2024年1-3月各县区招商引资指标完成情况\n"
            "县区,签约项目数,,,实际利用外资,,\n"
            ",目标,完成,完成率,年度目标,累计完成,同比增长(%)\n"
            "源汇,15,4,26.7%,50,11.5,12.5\n"
            "召陵区,10,2,20%,40,\"1,234.5\",-3\n")
    path = tmp_path / "月报.csv"
    path.write_bytes(text.encode("gb18030"))
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and accounted(r), r.message
    assert actuals_of(db) == {("源汇区", "签约项目数", date(2024, 3, 31)): D(4),
                              ("召陵区", "签约项目数", date(2024, 3, 31)): D(2),
                              ("源汇区", "实际利用外资", date(2024, 3, 31)): D("11.5"),
                              ("召陵区", "实际利用外资", date(2024, 3, 31)): D("1234.5")}
    assert rows(db, "SELECT district, reported_yoy FROM indicator_actuals WHERE indicator = '实际利用外资' "
                    "ORDER BY district") == [("召陵区", D("-0.03")), ("源汇区", D("0.125"))]


@pytest.mark.parametrize("merged", [True, False])
def test_a_group_over_count_and_amount(tmp_path, merged):
    """签约项目 over 个数 | 金额（亿元）: two indicators under one group cell."""
    path = write_xlsx(tmp_path / "月报.xlsx", [
        ["漯河市2024年1-6月招商引资工作完成情况"],
        ["县区", "签约项目", None, "实际利用外资（万美元）", None],
        [None, "个数", "金额（亿元）", "目标", "完成"],
        ["西城区", 8, 10, 30, 18], ["源汇区", 9, "12.5", 50, 20]],
        ("A1:E1", "B2:C2", "D2:E2", "A2:A3") if merged else ())
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and r.rows_loaded == 2, r.message
    assert actuals_of(db) == {("西城区", "签约项目数", JUNE): D(8), ("西城区", "签约项目投资额", JUNE): D(10),
                              ("西城区", "实际利用外资", JUNE): D(18), ("源汇区", "签约项目数", JUNE): D(9),
                              ("源汇区", "签约项目投资额", JUNE): D("12.5"), ("源汇区", "实际利用外资", JUNE): D(20)}
    assert targets_of(db) == {("西城区", "实际利用外资", 2024): D(30), ("源汇区", "实际利用外资", 2024): D(50)}


@pytest.mark.parametrize("merged", [True, False])
def test_indicators_as_rows_and_districts_as_columns(tmp_path, merged):
    path = write_xlsx(tmp_path / "月报.xlsx", [
        ["漯河市2024年1-6月招商引资主要指标完成情况"],
        ["指标", "单位", "源汇区", None, "西城区", None, "全市", None],
        [None, None, "目标", "完成", "目标", "完成", "目标", "完成"],
        ["签约项目数", "个", 15, 9, 12, 8, 60, 40],
        ["签约项目投资额", "万元", 300000, 150000, 200000, 100000, 900000, 500000],
        ["其中：亿元以上项目投资额", "万元", 250000, 120000, 150000, 90000, None, None],
        ["实际利用外资", "万美元", 50, "很多", 30, 18, 200, 90],
    ], ("A1:H1", "C2:D2", "E2:F2", "G2:H2", "A2:A3", "B2:B3") if merged else ())
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and accounted(r), r.message
    assert (r.rows_loaded, r.rows_skipped, r.rows_rejected) == (2, 1, 1)
    assert "很多" in r.rejected[0]["reason"]
    assert actuals_of(db) == {("源汇区", "签约项目数", JUNE): D(9), ("西城区", "签约项目数", JUNE): D(8),
                              ("全市", "签约项目数", JUNE): D(40), ("源汇区", "签约项目投资额", JUNE): D(15),
                              ("西城区", "签约项目投资额", JUNE): D(10), ("全市", "签约项目投资额", JUNE): D(50)}
    assert targets_of(db)[("西城区", "签约项目投资额", 2024)] == D(20)


def test_targets_with_districts_as_columns(tmp_path):
    path = write_xlsx(tmp_path / "目标.xlsx", [
        ["2025年度招商引资目标任务分解表（单位：万元）"],
        ["序号", "指标", "源汇", "郾城", "合计"],
        [1, "签约项目数（个）", 15, 16, 31],
        [2, "省外资金", 120000, 140000, 260000]])
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and r.rows_loaded == 2, r.message
    assert targets_of(db) == {("源汇区", "签约项目数", 2025): D(15), ("郾城区", "签约项目数", 2025): D(16),
                              ("全市", "签约项目数", 2025): D(31), ("源汇区", "实际利用省外境内资金", 2025): D(12),
                              ("郾城区", "实际利用省外境内资金", 2025): D(14), ("全市", "实际利用省外境内资金", 2025): D(26)}


def test_long_targets_with_merged_districts_and_a_unit_column(tmp_path):
    rows_ = [["2025年招商引资目标任务"], ["县区", "指标", "单位", "年度目标", "备注"]]
    block = [("签约项目数", "个", 20), ("签约项目投资额", "万元", 350000), ("实际利用省外境内资金", "万元", 123456),
             ("实际利用外资", "万美元", 80), ("货物进出口额", "亿元", 2.5)]
    for district in ("源汇", "漯河经济技术开发区"):
        for k, (ind, unit, value) in enumerate(block):
            rows_.append([district if k == 0 else None, ind, unit, value, None])
    path = write_xlsx(tmp_path / "2025年目标.xlsx", rows_, ("A1:E1", "A3:A7", "A8:A12"))
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and accounted(r) and r.rows_loaded == 10
    got = targets_of(db)
    assert got[("源汇区", "签约项目投资额", 2025)] == D(35)                 # 350000万元 → 35亿元
    assert got[("源汇区", "实际利用省外境内资金", 2025)] == D("12.3456")
    assert got[("漯河经济技术开发区", "货物进出口额", 2025)] == D(25000)      # 2.5亿元 → 25000万元
    assert got[("漯河经济技术开发区", "实际利用外资", 2025)] == D(80)


@pytest.fixture()
def shangluo(monkeypatch, tmp_path):
    use_city(monkeypatch, tmp_path, "611000")
    yield
    reset_city()


def test_long_report_with_prior_year_and_yoy(tmp_path, shangluo):
    path = write_xlsx(tmp_path / "月报.xlsx", [
        ["商洛市2024年1-5月招商引资指标完成情况"],
        ["县区", "指标名称", "计量单位", "全年目标", "1-5月累计", "上年同期", "同比增长（%）"],
        ["商州区", "实际使用内资", "亿元", 12.5, 7.8, 4.3, "81.4"],
        [None, "外商直接投资", "万美元", None, 3.07, None, "—"],
        [None, "其中：省际项目实际使用内资", "亿元", 10, 6.5, None, None],
        ["洛南", "实际使用内资", "万元", 98000, 52000, "五万", None],
    ])
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and accounted(r) and (r.rows_loaded, r.rows_skipped) == (3, 1), r.message
    assert rows(db, "SELECT district, indicator, actual, prior_actual, reported_yoy FROM indicator_actuals "
                    "ORDER BY source_row") == [
        ("商州区", "实际利用省外境内资金", D("7.8"), D("4.3"), D("0.814")),
        ("商州区", "实际利用外资", D("3.07"), None, None),
        ("洛南县", "实际利用省外境内资金", D("5.2"), None, None)]
    assert targets_of(db) == {("商州区", "实际利用省外境内资金", 2024): D("12.5"),
                              ("洛南县", "实际利用省外境内资金", 2024): D("9.8")}
    assert any("上年同期" in w and "五万" in w for w in r.warnings)    # an aside, not a rejection


def test_a_district_of_another_city_has_no_district_column(tmp_path):
    path = write_xlsx(tmp_path / "月报.xlsx", [
        ["商洛市2024年1-5月招商引资指标完成情况"],
        ["县区", "指标名称", "计量单位", "全年目标", "1-5月累计"],
        ["商州区", "实际使用内资", "亿元", 12.5, 7.8], ["洛南县", "实际使用内资", "亿元", 9.8, 5.2]])
    r = one(load([path], tmp_path / "w.duckdb"))
    assert r.status == "refused" and "县区“商州区”无法识别" in r.message   # not a district of 漯河


def test_single_district_sheet_takes_the_district_from_the_title(tmp_path):
    path = write_xlsx(tmp_path / "目标.xlsx", [
        ["漯河市西城区2024年招商引资目标任务"],
        ["指标", "单位", "全年目标"],
        ["签约项目数", "个", 12], ["签约项目投资额", "亿元", 20], ["利用外资", "万美元", 30],
        ["外贸进出口", "万元", 5300],
    ])
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and r.rows_loaded == 4
    assert targets_of(db) == {("西城区", "签约项目数", 2024): D(12), ("西城区", "签约项目投资额", 2024): D(20),
                              ("西城区", "实际利用外资", 2024): D(30), ("西城区", "货物进出口额", 2024): D(5300)}


def test_the_citys_own_targets_without_a_district_column(tmp_path):
    path = write_xlsx(tmp_path / "目标.xlsx", [
        ["漯河市2024年招商引资目标任务"], ["指标", "单位", "全年目标"],
        ["签约项目数", "个", 120], ["实际利用外资", "万美元", 900]])
    db = tmp_path / "w.duckdb"
    assert one(load([path], db)).status == "loaded"
    assert rows(db, "SELECT district_code, district, indicator, target FROM indicator_targets ORDER BY indicator") == [
        ("411100", "全市", "实际利用外资", D(900)), ("411100", "全市", "签约项目数", D(120))]


def test_unit_mix_in_one_workbook_and_the_cells_own_units(tmp_path):
    path = write_xlsx(tmp_path / "目标.xlsx", [
        ["2024年度目标任务分解表", None, None, None],
        ["单位：万元", None, None, None],
        ["县区", "签约项目投资额", "实际利用省外境内资金（亿元）", "货物进出口额"],
        ["源汇区", 300000, 12.5, "0.8亿元"],
        ["郾城区", "35亿元", "140000万元", 26000],
    ])
    db = tmp_path / "w.duckdb"
    one(load([path], db))
    got = targets_of(db)
    assert got[("源汇区", "签约项目投资额", 2024)] == D(30)
    assert got[("郾城区", "签约项目投资额", 2024)] == D(35)
    assert got[("郾城区", "实际利用省外境内资金", 2024)] == D(14)
    assert got[("源汇区", "货物进出口额", 2024)] == D(8000)
    assert got[("郾城区", "货物进出口额", 2024)] == D(26000)


def test_skipped_rows_city_row_and_rejected_rows(tmp_path):
    path = write_xlsx(tmp_path / "目标.xlsx", [
        ["漯河市2024年度招商引资目标任务分解表"],
        ["序号", "县区", "签约项目数（个）", "实际利用外资（万美元）"],
        [None, "一、行政区", None, None],
        [1, "源汇区", 15, 50],
        [2, "郾城", 16, "很多"],                 # one bad cell: the row is rejected
        [3, "召陵区", 10.5, 40],                  # a fractional count
        [None, None, None, None],
        [None, "二、功能区", None, None],
        [4, "高新区", 8, 20],                     # not a district of 漯河
        [5, "西城区", "待定", "—"],               # nothing to load
        [None, "小计", 25, 70],
        [None, "功能区合计", 8, 20],
        [None, "全市合计", 60, 200],
        ["注：签约项目数以市商务局认定为准。", None, None, None],
    ])
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert r.status == "loaded" and accounted(r)
    assert (r.rows_read, r.rows_loaded, r.rows_skipped, r.rows_rejected) == (12, 2, 7, 3)
    reasons = {row: reason for _, _, row, reason, _ in
               rows(db, "SELECT load_id, source_file, source_row, reason, raw_values FROM rejected_rows")}
    assert "很多" in reasons[5] and "应为整数" in reasons[6] and "高新区" in reasons[9]
    skipped = dict(rows(db, "SELECT source_row, reason FROM skipped_rows"))
    assert skipped == {3: "分组标题行", 8: "分组标题行", 10: "没有数值", 11: "合计/小计行", 12: "合计/小计行",
                       14: "备注行"}
    assert targets_of(db) == {("源汇区", "签约项目数", 2024): D(15), ("源汇区", "实际利用外资", 2024): D(50),
                              ("全市", "签约项目数", 2024): D(60), ("全市", "实际利用外资", 2024): D(200)}
    raw = json.loads(rows(db, "SELECT raw_values FROM rejected_rows WHERE source_row = 5")[0][0])
    assert raw == {"序号": "2", "县区": "郾城", "签约项目数(个)": "16", "实际利用外资(万美元)": "很多"}


def test_duplicates_across_sheets(tmp_path):
    header = [["2024年目标任务"], ["县区", "签约项目数", "实际利用外资"]]
    path = write_xlsx(tmp_path / "目标.xlsx", header + [["源汇区", 15, 50], ["郾城区", 16, 80]], sheet="一",
                      extra_sheets={"二": header + [["源汇区", 15, 50], ["郾城区", 18, 80]]})
    db = tmp_path / "w.duckdb"
    r = one(load([path], db))
    assert accounted(r) and (r.rows_loaded, r.rows_skipped, r.rows_rejected) == (2, 1, 1)
    assert "郾城区签约项目数目标与工作表“一”第4行不同（16 与 18）" in r.rejected[0]["reason"]
    assert targets_of(db)[("郾城区", "签约项目数", 2024)] == D(16)


def test_instruction_and_hidden_sheets_are_skipped_and_counted(tmp_path):
    wbpath = luohe_targets_wide(tmp_path / "目标.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(wbpath)
    guide = wb.create_sheet("填报说明")
    guide.append(["请按县区填写年度目标。"])
    hidden = wb.create_sheet("旧版")
    hidden.append(["源汇区", 1])
    hidden.sheet_state = "hidden"
    wb.save(wbpath)
    r = one(load([wbpath], tmp_path / "w.duckdb"))
    assert r.status == "loaded" and accounted(r) and r.rows_skipped == 2
    assert any("填报说明" in w for w in r.warnings) and any("隐藏" in w for w in r.warnings)


# --- refusals: nothing changes ----------------------------------------------------------------------

REFUSALS = {
    "every target is text": ([["2024年度目标任务分解表"], ["县区", "签约项目数", "实际利用外资"],
                              ["源汇区", "很多", "不少"], ["郾城区", "较多", "很多"]], "没有可以入库的数值"),
    "no district column": ([["2024年度目标任务分解表"], ["序号", "签约项目数", "实际利用外资"],
                            [1, 15, 50], [2, 16, 80]], "没有找到县区列"),
    "neither 目标 nor 完成": ([["漯河市2024年招商引资主要指标"], ["县区", "签约项目数", "实际利用外资"],
                              ["源汇区", 15, 50]], "无法判断数值的含义"),
    "no year": ([["招商引资目标任务分解表"], ["县区", "签约项目数", "实际利用外资"], ["源汇区", 15, 50]],
                "无法确定目标年度"),
    "foreign capital in yuan": ([["2024年度目标任务分解表"], ["县区", "签约项目数", "实际利用外资（亿元）"],
                                 ["源汇区", 15, 5]], "应以万美元计，表头单位为亿元"),
    "a report without a month": ([["招商引资指标完成情况"], ["县区", "实际利用外资"], [None, "完成"],
                                  ["源汇区", 12]], "无法确定指标完成情况的数据月份"),
    "no known indicator": ([["2024年度目标任务分解表"], ["县区", "新增市场主体", "税收"], ["源汇区", 15, 50]],
                           "没有找到项目台账"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_malformed_files_are_refused_and_nothing_changes(tmp_path, case):
    db = tmp_path / "w.duckdb"
    one(load([luohe_targets_wide(tmp_path / "good.xlsx")], db))
    before = snapshot(db)
    sheet_rows, message = REFUSALS[case]
    path = write_xlsx(tmp_path / "bad.xlsx", sheet_rows)
    r = one(load([path], db))
    assert r.status == "refused" and message in r.message, r.message
    assert snapshot(db) == before
    assert rows(db, "SELECT status FROM loads WHERE file_name = 'bad.xlsx'") == [("refused",)]


def test_a_load_that_fails_midway_leaves_nothing(tmp_path, monkeypatch):
    import dataclasses

    import etl.kinds

    def save_then_fail(original):
        def save(con, load_id, parsed, file_name):
            original(con, load_id, parsed, file_name)
            raise duckdb.IOException("No space left on device")
        return save

    monkeypatch.setattr(etl.kinds, "KINDS", tuple(dataclasses.replace(k, save=save_then_fail(k.save))
                                                  for k in etl.kinds.KINDS))
    db = tmp_path / "w.duckdb"
    r = one(load([luohe_targets_wide(tmp_path / "目标.xlsx")], db))
    assert r.status == "refused" and "磁盘空间不足" in r.message
    assert rows(db, "SELECT count(*) FROM indicator_targets") == [(0,)]
    assert rows(db, "SELECT count(*) FROM loads WHERE status = 'loaded'") == [(0,)]


# --- idempotence and supersede -------------------------------------------------------------------

def test_loading_twice_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    paths = [luohe_targets_wide(tmp_path / "目标.xlsx"), xicheng_report(tmp_path / "1-6月.xlsx", 6, foreign=18)]
    assert [r.status for r in load(paths, db)] == ["loaded", "loaded"]
    before = snapshot(db)
    again = load(paths, db)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert "未作改动" in again[0].message
    assert snapshot(db) == before


def test_a_corrected_file_supersedes_the_old_one(tmp_path):
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "v1"
    one(load([xicheng_report(folder / "2024年1-6月指标完成情况.xlsx", 6, foreign=18, trade=1500)], db))
    folder = tmp_path / "v2"     # the district re-sends a corrected report under the same name
    r = one(load([xicheng_report(folder / "2024年1-6月指标完成情况.xlsx", 6, foreign=19)], db))
    assert r.status == "loaded"
    assert actuals_of(db) == {("西城区", "实际利用外资", date(2024, 6, 30)): D(19)}
    assert rows(db, "SELECT status FROM loads ORDER BY load_id") == [("superseded",), ("loaded",)]
    assert rows(db, "SELECT count(*) FROM indicator_targets") == [(2,)]


def test_the_newest_target_wins(tmp_path):
    db = tmp_path / "w.duckdb"
    one(load([luohe_targets_wide(tmp_path / "目标.xlsx")], db))
    adjusted = write_xlsx(tmp_path / "调整.xlsx", [["2024年1-6月指标完成情况"], ["县区", "实际利用外资", None],
                                                  [None, "调整后目标", "完成"], ["西城区", 25, 18]])
    one(load([adjusted], db))
    con = wdb.connect(db, read_only=True)
    assert con.execute("SELECT target FROM indicator_target_current WHERE district_code = '411100-XC' "
                       "AND indicator = '实际利用外资'").fetchall() == [(D(25),)]
    con.close()


# --- other kinds stay what they are ----------------------------------------------------------------

def _ledger_rows():
    base = {"project_code": None, "district": "郾城区", "park": None, "chain": "休闲食品", "investor": "某食品公司",
            "foreign_investment_wan_usd": D(300), "sign_date": date(2024, 3, 5), "start_date": None,
            "production_date": None, "period": None, "batch": None, "lng": None, "lat": None,
            "responsible_unit": "郾城商务局", "leader": None, "investor_kind": "", "investor_origin": "", "event": None}
    return [{**base, "project_code": "P1", "project_name": "进出口贸易中心项目", "total_investment_wan": D(35000),
             "stage": "签约"},
            {**base, "project_code": "P2", "project_name": "外资利用示范园项目", "total_investment_wan": D(12000),
             "stage": "签约"}]


@pytest.mark.parametrize("layout", sorted(layouts.WRITERS))
def test_project_ledgers_are_not_claimed(layout, tmp_path):
    suffix = {"flat_csv_gb18030": ".csv", "legacy_xls": ".xls"}.get(layout, ".xlsx")
    path = tmp_path / f"台账{suffix}"
    layouts.WRITERS[layout](path, _ledger_rows(), district="郾城区", as_of=date(2024, 6, 30), rng=random.Random(1))
    context = ParseContext.load()
    kind, _ = classify(read_workbook(path), context)
    assert kind.name == "项目台账"
    assert parse_file(path, context).kind == "项目台账"


def test_xicheng_ledger_is_a_ledger(tmp_path):
    path = xicheng_ledger(tmp_path / "台账.xlsx")
    assert parse_file(path, ParseContext.load()).kind == "项目台账"


def test_the_cli_recognises_a_targets_file(tmp_path):
    path = luohe_targets_wide(tmp_path / "目标.xlsx")
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(tmp_path / "w.duckdb"),
                          "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    (result,) = json.loads(out.stdout)["files"]
    assert result["status"] == "loaded" and result["rows_loaded"] == len(LUOHE_TARGETS_2024)


def test_the_upload_preview_lists_every_value(tmp_path):
    path = xicheng_report(tmp_path / "1-5月.xlsx", 5, trade=1116.12)
    r = one(load([path], None, dry_run=True))
    assert r.preview.select("district", "indicator", "value_kind", "value").rows() == [
        ("西城区", "实际利用外资", "目标", D(30)), ("西城区", "货物进出口额", "目标", D(5300)),
        ("西城区", "货物进出口额", "完成", D("1116.12"))]
