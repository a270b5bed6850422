"""Stalled projects (N, M months) and data freshness against hand counts."""

from datetime import date

from warehouse import freshness, stalls
from warehouse.filters import Filters


def test_stalled_projects_default_settings(small_con):
    assert stalls.stall_months() == (6, 18)
    df = stalls.stalled_projects(small_con, Filters())
    assert df.select("kind", "project_id", "months").rows() == [
        ("签约未开工", "P10", 14), ("签约未开工", "P06", 13), ("开工未投产", "P07", 24)]


def test_stalled_ignores_terminated_and_recent(small_con):
    ids = set(stalls.stalled_projects(small_con, Filters())["project_id"])
    assert "P04" not in ids     # started, then terminated
    assert "P02" not in ids     # signed 2024-03-15, 3 months before the newest ledger


def test_stalled_thresholds_are_parameters(small_con):
    df = stalls.stalled_projects(small_con, Filters(), signed_months=2, started_months=1)
    assert set(df.filter(df["kind"] == "签约未开工")["project_id"]) == {"P02", "P06", "P10", "P09"}
    assert set(df.filter(df["kind"] == "开工未投产")["project_id"]) == {"P01", "P07"}
    assert stalls.stalled_counts(small_con, Filters(), 2, 1) == {"签约未开工": 4, "开工未投产": 2, "total": 6}


def test_stalled_summary_by_district_and_unit(small_con):
    by_district = stalls.stalled_summary(small_con, Filters(), "district")
    assert sorted(by_district.select("district", "signed_not_started", "started_not_producing").rows()) == [
        ("临颍县", 0, 1), ("源汇区", 1, 0), ("舞阳县", 1, 0)]
    by_unit = stalls.stalled_summary(small_con, Filters(), "responsible_unit")
    assert set(by_unit["responsible_unit"]) == {"-源汇区商务局", "舞阳县发改委", "临颍县产业集聚区"}


def test_stalled_list_limit_per_kind(small_con):
    df = stalls.stalled_projects(small_con, Filters(), limit=1)
    assert df.select("kind", "project_id").rows() == [("签约未开工", "P10"), ("开工未投产", "P07")]


def test_district_freshness_names_late_districts(small_con):
    df = freshness.district_freshness(small_con, 40)
    rows = {r["district"]: r for r in df.iter_rows(named=True)}
    assert rows["舞阳县"]["latest_as_of"] == date(2024, 3, 31) and rows["舞阳县"]["days_behind"] == 91
    assert rows["漯河经济技术开发区"]["days_behind"] == 30 and not rows["漯河经济技术开发区"]["late"]
    assert rows["东城区"]["latest_as_of"] is None
    assert df.filter(df["late"])["district"].to_list() == ["舞阳县", "东城区"]
    late_100 = freshness.district_freshness(small_con, 100)
    assert late_100.filter(late_100["late"])["district"].to_list() == ["东城区"]


def test_data_status(small_con, empty_warehouse):
    from warehouse.db import reading
    assert freshness.data_status(small_con) == {"projects": 11, "loads": 3,
                                                "newest_as_of": date(2024, 6, 30), "empty": False}
    with reading(empty_warehouse) as con:
        assert freshness.data_status(con)["empty"]
