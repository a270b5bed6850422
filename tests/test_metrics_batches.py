"""三个一批 metrics against hand counts: membership from every snapshot, size bands, conversion."""

from decimal import Decimal

from warehouse import batches
from warehouse.filters import Filters


def _by_key(df, *keys):
    return {tuple(r[k] for k in keys): r for r in df.iter_rows(named=True)}


def test_batch_summary_counts_and_investment(small_con):
    rows = _by_key(batches.batch_summary(small_con, Filters()), "period", "batch")
    nonzero = {k: (r["projects"], r["investment_wan"]) for k, r in rows.items() if r["projects"]}
    assert nonzero == {
        (8, "开工一批"): (1, Decimal("1100000")),
        (10, "投产一批"): (1, Decimal("20000")),
        (11, "签约一批"): (1, Decimal("600000")),
        (12, "签约一批"): (2, Decimal("58000")),        # P01 (May) and P04
        (13, "签约一批"): (2, Decimal("12000.5")),      # P02 and P09 (amount unknown)
        (13, "开工一批"): (1, Decimal("50000")),        # P01 moved on in June
        (13, "投产一批"): (1, Decimal("150000")),
    }
    assert rows[(13, "签约一批")]["prev_projects"] == 2   # against 第12期
    assert rows[(8, "签约一批")]["prev_projects"] is None


def test_size_bands_are_cumulative(small_con):
    rows = _by_key(batches.size_bands(small_con, Filters()), "period", "batch", "band")
    assert [rows[(8, "开工一批", b)]["projects"] for b, _ in batches.SIZE_BANDS] == [1, 1, 1, 1]
    assert [rows[(11, "签约一批", b)]["projects"] for b, _ in batches.SIZE_BANDS] == [1, 1, 1, 0]
    assert [rows[(12, "签约一批", b)]["projects"] for b, _ in batches.SIZE_BANDS] == [1, 0, 0, 0]
    assert [rows[(13, "投产一批", b)]["projects"] for b, _ in batches.SIZE_BANDS] == [1, 1, 0, 0]
    assert rows[(13, "签约一批", "≥1亿元")]["investment_wan"] == Decimal("12000.5")


def test_period_conversion(small_con):
    rows = _by_key(batches.period_conversion(small_con, Filters()), "period", "conversion")
    p12 = rows[(12, "签约→开工")]
    assert (p12["projects"], p12["converted"], p12["rate"], p12["reached_now"]) == (2, 1, 0.5, 2)
    assert (rows[(11, "签约→开工")]["converted"], rows[(13, "签约→开工")]["converted"]) == (0, 0)
    assert rows[(8, "开工→投产")]["projects"] == 1 and rows[(8, "开工→投产")]["rate"] == 0.0


def test_period_filter_keeps_conversion_into_later_periods(small_con):
    df = batches.period_conversion(small_con, Filters(periods=(12,)))
    assert df.select("period", "converted").rows() == [(12, 1)]


def test_breakdown_and_report(small_con):
    chain = batches.batch_breakdown(small_con, Filters(periods=(12,)), "chain")
    assert sorted(chain.select("chain", "projects").rows()) == [("电子信息", 1), ("肉制品", 1)]
    report = batches.batch_report(small_con, Filters(), None, "district")
    assert report["period"] == 13
    assert sorted(report["breakdown"].filter(report["breakdown"]["batch"] == "签约一批")["district"].to_list()) \
        == sorted(["西城区", "源汇区"])


def test_district_filter_uses_latest_state(small_con):
    df = batches.batch_summary(small_con, Filters(districts=("临颍县",)))
    assert df.filter(df["projects"] > 0).select("period", "batch").rows() == [(8, "开工一批")]
