"""The 目标进度 page under AppTest: the seed figures on screen, demo-like data (numbers equal the
warehouse's), and a friendly start on an empty, missing or ledger-only warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from report.format import pct
from report.takeaways import targets_sentence
from warehouse import targets
from warehouse.db import reading
from warehouse.filters import Filters

from auth_fixture import sign_in
from test_pages_app import plain
from targets_fixture import (build_demo_like, load, reset_city, shangluo_report, use_city, xicheng_files)

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "targets.py")
JUNE, MAY = date(2024, 6, 30), date(2024, 5, 31)
INDICATORS = ["签约项目数", "签约项目投资额", "实际利用省外境内资金", "实际利用外资", "货物进出口额"]


def open_page(db, year: int | None = None, as_of: date | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    sign_in(at, "city", db)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if year is not None:
        at.selectbox(key="tg-year").set_value(year).run()
    if as_of is not None:
        at.selectbox(key="tg-as-of").set_value(as_of).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ranking(at: AppTest, indicator: str) -> dict[str, dict]:
    """The ranking table under an indicator's tab: 县区 → its row."""
    i = [t.label for t in at.tabs].index(indicator)
    (frame,) = [df.value for df in at.tabs[i].dataframe]
    return {r["县区"]: r for r in frame.to_dict("records")}


@pytest.fixture()
def warehouse(monkeypatch):
    def use(path):
        monkeypatch.setenv("WAREHOUSE_PATH", str(path))
        return path
    return use


def test_xicheng_seed_on_the_page(tmp_path, warehouse):
    db = warehouse(tmp_path / "w.duckdb")
    assert {r.status for r in load(xicheng_files(tmp_path / "in"), db)} == {"loaded"}
    at = open_page(db, 2024, JUNE)
    assert at.title[0].value == "目标进度"
    signed = ranking(at, "签约项目数")["西城区"]
    assert (signed["目标"], signed["完成"], signed["完成率"], signed["较序时进度"], signed["预警"]) == \
        ("12个", "8个", "66.67%", "+16.67个百分点", "● 绿灯")
    money = ranking(at, "签约项目投资额")["西城区"]
    assert (money["目标"], money["完成"], money["完成率"]) == ("20.00亿元", "10.00亿元", "50.00%")
    foreign = ranking(at, "实际利用外资")["西城区"]
    assert (foreign["目标"], foreign["完成"], foreign["完成率"]) == ("30.00万美元", "18.00万美元", "60.00%")
    at.selectbox(key="tg-as-of").set_value(MAY).run()
    trade = ranking(at, "货物进出口额")["西城区"]
    assert (trade["目标"], trade["完成"], trade["完成率"], trade["预警"]) == \
        ("5,300.00万元", "1,116.12万元", "21.06%", "● 黄灯")
    assert "西城区货物进出口额落后20.6个百分点" in plain(at.info[0].value)


def test_shangluo_seed_on_the_page(tmp_path, warehouse, monkeypatch):
    use_city(monkeypatch, tmp_path, "611000")
    try:
        db = warehouse(tmp_path / "w.duckdb")
        assert load([shangluo_report(tmp_path / "商洛.xlsx")], db)[0].status == "loaded"
        at = open_page(db, 2024, MAY)
        metrics = {m.label: m for m in at.metric}
        assert metrics["实际利用省外境内资金"].value == "57.30%"
        assert "34.89亿元" in metrics["实际利用省外境内资金"].help and "60.89亿元" in metrics["实际利用省外境内资金"].help
        assert ranking(at, "实际利用省外境内资金")["商州区"]["完成率"] == "62.40%"
    finally:
        reset_city()


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-like")
    return build_demo_like(folder, folder / "w.duckdb")


def test_the_page_on_demo_like_data(demo_like, warehouse):
    warehouse(demo_like)
    at = open_page(demo_like)
    with reading(demo_like) as con:
        year_rows = targets.indicator_progress(con, 2025)
        latest = targets.report_dates_of(year_rows)[0]
        city = targets.city_totals_of(year_rows, latest)
        sentence = targets_sentence(year_rows, 2025, latest)
        view = targets.indicator_progress(con, 2025, latest)
    assert latest == date(2025, 12, 31)
    assert plain(at.info[0].value) == sentence and "落后序时进度" in sentence
    assert [t.label for t in at.tabs] == INDICATORS
    shown = {m.label: m.value for m in at.metric}
    assert shown == {r["indicator"]: pct(r["completion"]) for r in city.iter_rows(named=True)}
    for indicator in INDICATORS:
        table = ranking(at, indicator)
        for r in view.filter(~view["is_city"] & (view["indicator"] == indicator)).iter_rows(named=True):
            assert table[r["district"]]["完成率"] == pct(r["completion"])
            assert table[r["district"]]["排名"] == str(r["rank"])
    assert any("舞阳县" in w.value and "不一致" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 1 + 2 * len(INDICATORS)      # matrix, bars and trajectory per tab


def test_an_earlier_month_and_year_on_demo_like_data(demo_like, warehouse):
    warehouse(demo_like)
    at = open_page(demo_like, 2024, date(2024, 6, 30))
    assert any("2024年6月，序时进度 50.00%" in plain(c.value) for c in at.caption)
    foreign = ranking(at, "实际利用外资")
    assert len(foreign) == 8 and all(r["完成率"].endswith("%") for r in foreign.values())
    with reading(demo_like) as con:
        assert plain(at.info[0].value) == targets_sentence(targets.indicator_progress(con, 2024), 2024, date(2024, 6, 30))


@pytest.mark.parametrize("where", ["empty", "ledgers only"])     # no warehouse at all: test_pages_app
def test_a_friendly_start_without_target_data(where, empty_warehouse, small_warehouse, tmp_path, warehouse):
    path = {"empty": empty_warehouse, "ledgers only": small_warehouse}[where]
    warehouse(path)
    at = open_page(path)
    assert at.title[0].value == "目标进度"
    assert any("尚无数据" in i.value for i in at.info)
    text = " ".join(m.value for m in at.markdown)
    assert "数据管理" in text and "python" not in text     # what to do, in words a clerk can follow


def test_targets_without_any_progress_yet(tmp_path, warehouse):
    from targets_fixture import luohe_targets_wide

    db = warehouse(tmp_path / "w.duckdb")
    assert load([luohe_targets_wide(tmp_path / "目标.xlsx")], db)[0].status == "loaded"
    at = open_page(db)
    assert any("2024年已有目标，但还没有完成情况" in i.value for i in at.info)


def test_the_sidebar_district_filter_narrows_the_page(tmp_path, warehouse):
    db = warehouse(tmp_path / "w.duckdb")
    assert {r.status for r in load(xicheng_files(tmp_path / "in"), db)} == {"loaded"}
    at = open_page(db, 2024, JUNE)
    assert set(ranking(at, "签约项目数")) == {"源汇区", "郾城区", "召陵区", "西城区"}
    at.multiselect(key="flt_districts").set_value(["西城区"]).run()
    assert not at.exception
    assert set(ranking(at, "签约项目数")) == {"西城区"}
    assert any("本页只按县区筛选" in c.value for c in at.caption)


def _lights_everywhere(db: Path) -> dict[str, str]:
    """郾城区's 实际利用外资 light as the page, its deck and its Excel list show it (2024-06-30)."""
    import io

    import openpyxl
    from pptx import Presentation

    import pages
    from report import excel
    from report.view import Download, View, walk

    at = open_page(db, 2024, JUNE)
    shown = ranking(at, "实际利用外资")["郾城区"]["预警"]
    legend = " ".join(plain(c.value) for c in at.caption)
    with reading(db) as con:
        values = {"tg-year": 2024, "tg-as-of": JUNE}
        deck = Presentation(io.BytesIO(pages.page_deck(con, "targets", Filters(), values=values).to_bytes()))
        items = walk(pages.page_items("targets", View(ask=pages.on_connection(con), values=values)))
        (download,) = [i for i in items if isinstance(i, Download)]
        workbook = openpyxl.load_workbook(io.BytesIO(excel.xlsx_bytes(download.sheets(), title=download.title)))
    rows = [[c.text for c in r.cells] for slide in deck.slides for s in slide.shapes if s.has_table for r in s.table.rows]
    in_deck = {r[1]: r[6] for r in rows if len(r) > 6 and r[1] == "郾城区"}
    sheet = workbook.active
    header = [c.value for c in sheet[3]]
    in_excel = {(r[header.index("县区")], r[header.index("指标")]): r[header.index("预警")]
                for r in sheet.iter_rows(min_row=4, values_only=True)}
    return {"page": shown, "deck": in_deck["郾城区"], "excel": in_excel[("郾城区", "实际利用外资")], "legend": legend}


def test_changing_the_thresholds_changes_page_deck_and_excel_together(tmp_path, warehouse, monkeypatch):
    """郾城区 实际利用外资 30 of 80万美元 at 30 June: 37.5% against 50%, 12.5 points behind — yellow
    with the shipped thresholds (10/30), green once the settings file says 15/25."""
    from targets_fixture import write_xlsx

    db = warehouse(tmp_path / "w.duckdb")
    report = write_xlsx(tmp_path / "6月.xlsx", [
        ["2024年1-6月指标完成情况"], ["县区", "实际利用外资", None], [None, "目标", "完成"], ["郾城区", 80, 30]])
    assert load([report], db)[0].status == "loaded"
    before = _lights_everywhere(db)
    assert (before["page"], before["deck"], before["excel"]) == ("● 黄灯", "● 黄灯", "● 黄灯")
    assert "落后10至30个百分点" in before["legend"]
    use_city(monkeypatch, tmp_path, "411100", "[progress]\nyellow_gap_points = 15\nred_gap_points = 25\n")
    try:
        after = _lights_everywhere(db)
    finally:
        reset_city()
    assert (after["page"], after["deck"], after["excel"]) == ("● 绿灯", "● 绿灯", "● 绿灯")
    assert "落后15至25个百分点" in after["legend"]
