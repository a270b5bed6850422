"""The cockpit's metrics against hand counts on the small warehouse (tests/warehouse_fixture.py)."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from warehouse import overview
from warehouse.filters import Filters

YEAR_2024 = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))


def test_headline_counts_investment_and_yoy(small_con):
    rows = {r["event"]: r for r in overview.headline(small_con, YEAR_2024).iter_rows(named=True)}
    # signed 2024-01-01..06-30: P01 P02 P04 P09; a year earlier: P03 P06 P08 P10
    assert (rows["签约"]["projects"], rows["签约"]["investment_wan"]) == (4, Decimal("70000.5"))
    assert (rows["签约"]["prev_projects"], rows["签约"]["prev_investment_wan"]) == (4, Decimal("775000"))
    assert rows["签约"]["projects_yoy"] == 0.0
    assert rows["签约"]["investment_yoy"] == pytest.approx((70000.5 - 775000) / 775000)
    assert (rows["开工"]["projects"], rows["开工"]["investment_wan"]) == (2, Decimal("58000"))
    assert (rows["开工"]["prev_projects"], rows["开工"]["prev_investment_wan"]) == (2, Decimal("170000"))
    assert (rows["投产"]["projects"], rows["投产"]["investment_wan"]) == (1, Decimal("150000"))
    assert rows["投产"]["prev_projects"] == 0 and rows["投产"]["projects_yoy"] is None


def test_headline_window_ends_at_newest_ledger(small_con):
    assert overview.window_of(small_con, YEAR_2024) == (date(2024, 1, 1), date(2024, 6, 30))


def test_headline_without_window_counts_every_reached_project(small_con):
    rows = {r["event"]: r for r in overview.headline(small_con, Filters()).iter_rows(named=True)}
    assert rows["签约"]["projects"] == 9          # all but the two 在谈
    assert rows["开工"]["projects"] == 5          # P01 P03 P04(started, then 终止) P07 P08
    assert rows["投产"]["projects"] == 2          # P03 P08
    assert rows["签约"]["prev_projects"] is None  # no 同比 without a window


def test_funnel_rates_over_signed_cohort(small_con):
    df = overview.funnel(small_con, YEAR_2024)
    got = {r["stage"]: (r["projects"], r["rate"]) for r in df.iter_rows(named=True)}
    assert got == {"在谈": (2, None), "签约": (4, None), "履约": (3, 0.75), "开工": (2, 0.5),
                   "投产": (0, 0.0), "达效": (0, None)}
    assert df["terminated_in_cohort"][0] == 1     # P04 stays in the denominators


def test_funnel_all_time(small_con):
    df = overview.funnel(small_con, Filters()).filter(pl.col("rate_name").is_not_null())
    rates = dict(zip(df["rate_name"], df["rate"]))
    assert rates["履约率"] == pytest.approx(6 / 9)
    assert rates["开工率"] == pytest.approx(5 / 9)
    assert rates["投产率"] == pytest.approx(2 / 5)   # 投产 ÷ 开工
    assert rates["达效率"] == pytest.approx(1 / 2)   # 达效 ÷ 投产


def test_district_ranking(small_con):
    df = overview.district_ranking(small_con, YEAR_2024)
    assert df["district"].to_list()[:3] == ["源汇区", "郾城区", "西城区"]
    top = df.row(0, named=True)
    assert (top["rank"], top["signed"], top["signed_wan"], top["started"]) == (1, 2, Decimal("62000.5"), 1)
    assert df.height == 8                         # every district, the empty ones at the bottom
    assert df.filter(df["district"] == "东城区")["signed"].to_list() == [0]


def test_district_filter_narrows_everything(small_con):
    f = YEAR_2024.narrowed(districts=("郾城区",))
    rows = {r["event"]: r["projects"] for r in overview.headline(small_con, f).iter_rows(named=True)}
    assert rows == {"签约": 1, "开工": 1, "投产": 1}   # P04 signed+started, P03 in production
    assert overview.district_ranking(small_con, f)["district"].to_list() == ["郾城区"]


def test_monthly_trend(small_con):
    df = overview.monthly_trend(small_con, YEAR_2024)
    assert df.height == 6 * 3                     # Jan..Jun × three events
    hits = {(r["month"].month, r["event"]): r["projects"] for r in df.iter_rows(named=True) if r["projects"]}
    assert hits == {(1, "签约"): 1, (2, "签约"): 1, (3, "签约"): 1, (3, "开工"): 1, (4, "签约"): 1,
                    (4, "投产"): 1, (5, "开工"): 1}
    assert sum(df["projects"]) == 7


def test_top_projects(small_con):
    df = overview.top_projects(small_con, YEAR_2024, 10)
    # active in 2024 (any date in 2024, or none yet): P03 P01 P02 P04 P05, then unknown amounts
    assert df["project_id"].to_list() == ["P03", "P01", "P02", "P04", "P05", "P09", "P11"]
    assert overview.top_projects(small_con, Filters(), 3)["project_id"].to_list() == ["P07", "P06", "P03"]
