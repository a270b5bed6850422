"""The indicator_progress view and warehouse/targets.py: the seed figures, the ledger-sourced
definition, disagreement, 同比, rank, lights from the settings, the leader's sentence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from report.takeaways import targets_sentence
from warehouse import targets
from warehouse.db import reading
from report.format import pct

from targets_fixture import (SHANGLUO_ACTUAL, SHANGLUO_TARGET, load, luohe_targets_wide, reset_city,
                             shangluo_report, use_city, write_xlsx, xicheng_files)

D = Decimal
JUNE, MAY = date(2024, 6, 30), date(2024, 5, 31)


def progress(db, **kw):
    with reading(db) as con:
        return targets.indicator_progress(con, **kw)


def row(df, district, indicator) -> dict:
    """A district's row (for 全市: the report's own row, not the city total the view adds)."""
    (r,) = [r for r in df.iter_rows(named=True)
            if r["district"] == district and r["indicator"] == indicator and not r["is_total"]]
    return r


@pytest.fixture()
def xicheng(tmp_path):
    db = tmp_path / "w.duckdb"
    assert {r.status for r in load(xicheng_files(tmp_path / "in"), db)} == {"loaded"}
    return db


# --- the seeds ----------------------------------------------------------------------------------

def test_xicheng_first_half_2024(xicheng):
    june = progress(xicheng, year=2024, as_of=JUNE)
    signed = row(june, "西城区", "签约项目数")
    assert (signed["target"], signed["actual"], signed["actual_source"]) == (D(12), D(8), "台账")
    assert pct(signed["completion"]) == "66.67%" and signed["light"] == "green"
    money = row(june, "西城区", "签约项目投资额")
    assert (money["target"], money["actual"], money["unit"]) == (D(20), D(10), "亿元")
    assert money["completion"] == 0.5 and money["time_progress"] == 0.5 and money["gap_points"] == 0
    foreign = row(june, "西城区", "实际利用外资")
    assert (foreign["target"], foreign["actual"], foreign["completion"]) == (D(30), D(18), 0.6)
    may = progress(xicheng, year=2024, as_of=MAY)
    trade = row(may, "西城区", "货物进出口额")
    assert (trade["target"], trade["actual"]) == (D(5300), D("1116.12"))
    assert pct(trade["completion"]) == "21.06%" and trade["light"] == "yellow"
    assert round(trade["gap_points"], 2) == -20.61


def test_shangluo_january_to_may(tmp_path, monkeypatch):
    use_city(monkeypatch, tmp_path, "611000")
    try:
        db = tmp_path / "w.duckdb"
        (r,) = load([shangluo_report(tmp_path / "商洛1-5月.xlsx")], db)
        assert r.status == "loaded" and not r.warnings, r.message     # the 全市 row equals the districts' sum
        df = progress(db, year=2024, as_of=MAY)
        city = row(df, "全市", "实际利用省外境内资金")
        assert (city["target"], city["actual"]) == (D(SHANGLUO_TARGET), D(SHANGLUO_ACTUAL))
        assert pct(city["completion"]) == "57.30%" and city["rank"] is None and city["is_city"]
        assert row(df, "全市", "实际利用外资")["actual"] == D("3.07")
        with reading(db) as con:
            totals = targets.city_totals_of(targets.indicator_progress(con, 2024), MAY)
        domestic = totals.row(0, named=True)
        assert (domestic["indicator"], domestic["actual"], domestic["from_city_row"]) == \
            ("实际利用省外境内资金", D("34.89"), True)
        assert pct(domestic["completion"]) == "57.30%"
        ranked = df.filter(~df["is_city"] & (df["indicator"] == "实际利用省外境内资金")).sort("rank")
        assert ranked["district"].to_list()[0] == "山阳县" and ranked["ranked_districts"].to_list() == [7] * 7
    finally:
        reset_city()


# --- the ledger-sourced indicators ---------------------------------------------------------------

def ledger(path, district: str, as_of: date, projects) -> object:
    rows = [[f"漯河市{district}{as_of.year}年招商引资项目台账"],
            [f"填报时间：{as_of.year}年{as_of.month}月{as_of.day}日"],
            ["序号", "项目编号", "项目名称", "总投资（万元）", "项目状态", "签约时间"]]
    rows += [[i, *p] for i, p in enumerate(projects, start=1)]
    return write_xlsx(path, rows)


def test_ledger_actuals_use_each_projects_latest_snapshot(tmp_path):
    db = tmp_path / "w.duckdb"
    targets_file = write_xlsx(tmp_path / "目标.xlsx", [
        ["2024年度目标任务分解表"], ["县区", "签约项目数", "签约项目投资额（亿元）"],
        ["源汇区", 10, 2], ["郾城区", 4, 1], ["全市", 14, 3]])
    files = [
        targets_file,
        ledger(tmp_path / "源汇3月.xlsx", "源汇区", date(2024, 3, 31), [
            ("A", "甲项目", 5000, "签约", "2024-02-10"), ("B", "乙项目", 3000, "签约", "2024-03-01"),
            ("C", "丙项目", 2000, "在谈", None), ("Z", "往年项目", 9000, "开工", "2023-05-01")]),
        ledger(tmp_path / "源汇6月.xlsx", "源汇区", date(2024, 6, 30), [
            ("A", "甲项目", 5000, "开工", None),                 # the date is not repeated: kept from March
            ("B", "乙项目", 3000, "签约", "2023-12-20"),         # corrected: signed last year
            ("C", "丙项目", 2500, "签约", "2024-05-05"),
            ("S", "共建项目", 1000, "签约", "2024-06-01")]),
        ledger(tmp_path / "郾城6月.xlsx", "郾城区", date(2024, 6, 30), [
            ("S", "共建项目", 1000, "签约", "2024-06-01"), ("Y", "郾城项目", 4000, "签约", "2024-04-01")]),
        ledger(tmp_path / "源汇9月.xlsx", "源汇区", date(2024, 9, 30), [
            ("A", "甲项目", 5000, "投产", "2024-02-10"), ("E", "戊项目", 1500, "签约", "2024-07-01")]),
    ]
    assert {r.status for r in load(files, db)} == {"loaded"}
    df = progress(db, year=2024)
    got = {(r["district"], r["indicator"], r["as_of"]): (r["actual"], r["ledger_as_of"])
           for r in df.iter_rows(named=True)}
    assert got[("源汇区", "签约项目数", date(2024, 3, 31))] == (D(2), date(2024, 3, 31))
    assert got[("源汇区", "签约项目投资额", date(2024, 3, 31))] == (D("0.8"), date(2024, 3, 31))
    assert got[("源汇区", "签约项目数", JUNE)] == (D(3), JUNE)              # A, C, S (B moved to 2023)
    assert got[("源汇区", "签约项目投资额", JUNE)] == (D("0.85"), JUNE)
    assert got[("郾城区", "签约项目数", JUNE)] == (D(2), JUNE)              # S and Y
    assert got[("郾城区", "签约项目数", date(2024, 3, 31))] == (None, None)    # no ledger yet: unknown, not 0
    assert got[("全市", "签约项目数", JUNE)] == (D(4), JUNE)                # the shared project once
    assert got[("全市", "签约项目投资额", JUNE)] == (D("1.25"), JUNE)
    # September: A and E from September's ledger; C and S are not in it, but their latest snapshot
    # (June) says they were signed in 2024, so they still count
    assert got[("源汇区", "签约项目数", date(2024, 9, 30))] == (D(4), date(2024, 9, 30))
    assert got[("源汇区", "签约项目投资额", date(2024, 9, 30))] == (D("1.0"), date(2024, 9, 30))


def test_reported_and_ledger_both_shown_and_a_disagreement_flagged(tmp_path):
    db = tmp_path / "w.duckdb"
    files = [
        luohe_targets_wide(tmp_path / "目标.xlsx"),
        ledger(tmp_path / "西城3月.xlsx", "西城区", date(2024, 3, 31), [("A", "甲项目", 5000, "签约", "2024-02-10")]),
        ledger(tmp_path / "西城6月.xlsx", "西城区", JUNE, [
            ("A", "甲项目", 5000, "签约", "2024-02-10"), ("B", "乙项目", 5000, "签约", "2024-04-10"),
            ("C", "丙项目", 5000, "签约", "2024-06-10")]),
        write_xlsx(tmp_path / "5月.xlsx", [["2024年1-5月指标完成情况"], ["县区", "签约项目数"], [None, "完成"],
                                          ["西城区", 2]]),
        write_xlsx(tmp_path / "6月.xlsx", [["2024年1-6月指标完成情况"], ["县区", "签约项目数"], [None, "完成"],
                                          ["西城区", 4]]),
    ]
    assert {r.status for r in load(files, db)} == {"loaded"}
    may = row(progress(db, year=2024, as_of=MAY), "西城区", "签约项目数")
    assert (may["actual"], may["actual_source"], may["actual_ledger"], may["ledger_as_of"], may["disagreement"]) == \
        (D(2), "报送", D(1), date(2024, 3, 31), False)                 # March's ledger is older: the report counts
    june = row(progress(db, year=2024, as_of=JUNE), "西城区", "签约项目数")
    assert (june["actual"], june["actual_source"], june["actual_reported"], june["disagreement"]) == \
        (D(3), "台账", D(4), True)


def test_same_period_last_year(tmp_path):
    db = tmp_path / "w.duckdb"
    files = [
        luohe_targets_wide(tmp_path / "目标.xlsx"),
        write_xlsx(tmp_path / "2023年6月.xlsx", [["2023年1-6月指标完成情况"], ["县区", "实际利用外资", "签约项目数"],
                                                [None, "完成", "完成"], ["西城区", 10, 3]]),
        write_xlsx(tmp_path / "2024年6月.xlsx", [["2024年1-6月指标完成情况"], ["县区", "实际利用外资"],
                                                [None, "完成"], ["西城区", 18]]),
        write_xlsx(tmp_path / "2024年5月.xlsx", [["2024年1-5月指标完成情况"], ["县区", "实际利用外资"],
                                                [None, "完成"], ["源汇区", "12"]]),
        ledger(tmp_path / "西城2023.xlsx", "西城区", date(2023, 6, 30), [("A", "甲项目", 5000, "签约", "2023-02-10")]),
        ledger(tmp_path / "西城2024.xlsx", "西城区", JUNE, [("B", "乙项目", 5000, "签约", "2024-02-10"),
                                                          ("C", "丙项目", 5000, "签约", "2024-03-10")]),
    ]
    assert {r.status for r in load(files, db)} == {"loaded"}
    june = progress(db, year=2024, as_of=JUNE)
    foreign = row(june, "西城区", "实际利用外资")
    assert (foreign["prior_actual"], round(foreign["yoy"], 10)) == (D(10), 0.8)
    signed = row(june, "西城区", "签约项目数")
    assert (signed["actual"], signed["prior_actual"], signed["yoy"]) == (D(2), D(1), 1.0)    # ledger vs ledger


def test_rank_lights_and_the_leaders_sentence(tmp_path):
    db = tmp_path / "w.duckdb"
    report = write_xlsx(tmp_path / "6月.xlsx", [
        ["漯河市2024年1-6月招商引资指标完成情况"], ["县区", "实际利用外资（万美元）", None], [None, "目标", "完成"],
        ["源汇区", 50, 30], ["郾城区", 80, 30], ["召陵区", 40, 7.52], ["西城区", 30, 18]], ("B2:C2",))
    assert {r.status for r in load([luohe_targets_wide(tmp_path / "目标.xlsx"), report], db)} == {"loaded"}
    df = progress(db, year=2024, as_of=JUNE, indicator="实际利用外资")
    got = {r["district"]: (r["rank"], r["light"], r["ranked_districts"]) for r in df.filter(~df["is_city"]).iter_rows(named=True)}
    assert got == {"源汇区": (1, "green", 4), "西城区": (1, "green", 4), "郾城区": (3, "yellow", 4),
                   "召陵区": (4, "red", 4)}
    with reading(db) as con:
        assert targets_sentence(targets.indicator_progress(con, 2024), 2024, JUNE) == \
            "4个县区中2个落后序时进度（2个亮黄灯或红灯），召陵区实际利用外资落后31.2个百分点。红灯1项：召陵区实际利用外资。"


def test_the_thresholds_are_settings(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    report = write_xlsx(tmp_path / "6月.xlsx", [
        ["2024年1-6月指标完成情况"], ["县区", "实际利用外资", None], [None, "目标", "完成"], ["郾城区", 80, 30]])
    load([report], db)
    assert row(progress(db, year=2024, as_of=JUNE), "郾城区", "实际利用外资")["light"] == "yellow"   # −12.5
    use_city(monkeypatch, tmp_path, "411100", "[progress]\nyellow_gap_points = 15\nred_gap_points = 25\n")
    try:
        assert row(progress(db, year=2024, as_of=JUNE), "郾城区", "实际利用外资")["light"] == "green"
    finally:
        reset_city()


def test_an_empty_or_old_warehouse_has_no_progress(tmp_path, empty_warehouse):
    with reading(empty_warehouse) as con:
        assert targets.status(con)["empty"] and targets.indicator_progress(con).height == 0
    old = tmp_path / "old.duckdb"        # made before this feature: no indicator views at all
    duckdb.connect(str(old)).close()
    with reading(old) as con:
        assert targets.status(con) == {"targets": 0, "actuals": 0, "years": [], "empty": True}
        assert targets.report_dates_of(targets.indicator_progress(con, 2024)) == []


@pytest.mark.parametrize("actual, target, month, expected", [
    ("8", "12", 6, targets.GREEN),          # 66.67% at 50%: ahead
    ("10", "20", 6, targets.GREEN),         # exactly on time
    ("41", "100", 6, targets.GREEN),        # 9 points behind
    ("40", "100", 6, targets.YELLOW),       # exactly 10 behind: yellow
    ("20", "100", 6, targets.YELLOW),       # exactly 30 behind: still yellow
    ("19.99", "100", 6, targets.RED),       # more than 30 behind
    ("1116.12", "5300", 5, targets.YELLOW),  # 21.06% at 41.67%
    ("31.6666", "100", 5, targets.YELLOW),  # 41.6666…−10 = 31.6666…: just behind by more than 10
    (None, "100", 6, None), ("5", None, 6, None), ("5", "0", 6, None),
])
def test_light_is_exact_at_the_thresholds(actual, target, month, expected):
    """The SQL that decides every light (warehouse.targets.light_sql), on DECIMAL values."""
    sql, params = targets.light_sql("a", "t", "d")
    con = duckdb.connect()
    got = con.execute(f"SELECT {sql} FROM (SELECT ?::DECIMAL(38, 12) AS a, ?::DECIMAL(38, 12) AS t, ?::DATE AS d)",
                      [*params, actual, target, date(2024, month, 28)]).fetchone()[0]
    assert got == expected
