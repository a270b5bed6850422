"""目标进度: districts against their annual targets (时间过半、任务过半).

Every number is a column of the `indicator_progress` view (warehouse/sql/schema/010_indicators.sql):
completion = actual / target, time_progress = month / 12, gap_points = (completion −
time_progress) × 100, rank, and per date and indicator the city's total row (is_total). The one
column the view cannot hold is the traffic light, because its thresholds are settings: it is
added by the query here (`light_sql`), from the exact DECIMAL values, not the rounded gap —
green when behind by less than yellow_gap_points (or ahead), yellow when behind by
yellow_gap_points … red_gap_points, red when more than red_gap_points behind.

The view is costly on a big warehouse (it counts the ledgers at every report date), so a caller
reads `indicator_progress(con, year)` once and derives the rest from that frame with the pure
`*_of` functions (report_dates_of, indicators_of, city_totals_of, behind_summary_of).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from warehouse.db import has_relation
from warehouse.settings import settings

GREEN, YELLOW, RED = "green", "yellow", "red"
PROGRESS_COLUMNS = (
    "district_code", "district", "is_city", "is_total", "from_city_row", "indicator", "unit", "source",
    "year", "as_of", "target", "actual", "actual_source", "actual_reported", "actual_ledger", "ledger_as_of",
    "disagreement", "completion", "time_progress", "gap_points", "rank", "ranked_districts", "prior_actual",
    "yoy", "target_file", "district_order", "indicator_order",
)


def thresholds() -> tuple[Decimal, Decimal]:
    s = settings()
    return (Decimal(str(s.get("progress", "yellow_gap_points"))),
            Decimal(str(s.get("progress", "red_gap_points"))))


def light_sql(actual: str = "actual", target: str = "target", as_of: str = "as_of") -> tuple[str, list]:
    """The light as SQL and its parameters (yellow, red from the settings), decided exactly:
    behind by at least `yellow` points ⇔ 100·actual/target − 100·month/12 ≤ −yellow
    ⇔ 1200·actual ≤ target·(100·month − 12·yellow); no completion (no target, or none yet) → NULL."""
    yellow, red = thresholds()
    month = f"month({as_of})"
    sql = (f"CASE WHEN {actual} IS NULL OR {target} IS NULL OR {target} <= 0 THEN NULL "
           f"WHEN 1200 * {actual} < {target} * (100 * {month} - 12 * ?::DECIMAL(18, 6)) THEN '{RED}' "
           f"WHEN 1200 * {actual} <= {target} * (100 * {month} - 12 * ?::DECIMAL(18, 6)) THEN '{YELLOW}' "
           f"ELSE '{GREEN}' END")
    return sql, [red, yellow]


def _ready(con) -> bool:
    """The views exist (a warehouse made before this feature, opened read-only, has none)."""
    return has_relation(con, "indicator_progress")


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.String for c in (*PROGRESS_COLUMNS, "light")})


def status(con) -> dict:
    """How much target data there is: files, targets, reported actuals, years with targets."""
    if not _ready(con):
        return {"targets": 0, "actuals": 0, "years": [], "empty": True}
    targets, actuals = con.execute(
        "SELECT (SELECT count(*) FROM indicator_targets), (SELECT count(*) FROM indicator_actuals)").fetchone()
    years = [r[0] for r in con.execute(
        """SELECT DISTINCT year FROM (SELECT year FROM indicator_targets UNION ALL SELECT year FROM indicator_actuals)
           ORDER BY year DESC""").fetchall()]
    return {"targets": targets, "actuals": actuals, "years": years, "empty": not years}


def report_dates_of(progress: pl.DataFrame) -> list[date]:
    """report_dates from a year's `indicator_progress` frame, newest first."""
    if progress.height == 0:
        return []
    return sorted(set(progress["as_of"].to_list()), reverse=True)


def indicators_of(progress: pl.DataFrame) -> pl.DataFrame:
    """indicators() restricted to those in an `indicator_progress` frame, in the same order."""
    if progress.height == 0:
        return pl.DataFrame(schema={"indicator": pl.String, "unit": pl.String, "source": pl.String})
    return (progress.group_by("indicator")
            .agg(pl.col("unit").first(), pl.col("source").first(), pl.col("indicator_order").min().alias("_o"))
            .sort("_o", "indicator").select("indicator", "unit", "source"))


def indicator_progress(con, year: int | None = None, as_of: date | None = None,
                       indicator: str | None = None) -> pl.DataFrame:
    """The view's rows (optionally one year, one date, one indicator) with the light, ordered
    by indicator, 全市 first, then the reference order of districts."""
    if not _ready(con):
        return _empty()
    light, light_params = light_sql()
    return con.execute(
        f"""SELECT {', '.join(PROGRESS_COLUMNS)}, {light} AS light FROM indicator_progress
            WHERE (? IS NULL OR year = ?) AND (? IS NULL OR as_of = ?) AND (? IS NULL OR indicator = ?)
            ORDER BY year, as_of, indicator_order, indicator, district_order, district""",
        [*light_params, year, year, as_of, as_of, indicator, indicator]).pl()


def _at(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return progress.filter(pl.col("as_of") == as_of) if progress.height else progress


def city_totals_of(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The city's row per indicator at `as_of` (the view's is_total rows), in indicator order."""
    df = _at(progress, as_of)
    return df.filter(pl.col("is_total")).sort("indicator_order", "indicator") if df.height else df


def district_rows_of(progress: pl.DataFrame) -> pl.DataFrame:
    """The districts' rows that have a target (the matrix, the bars, the rankings)."""
    if progress.height == 0:
        return progress
    return progress.filter(~pl.col("is_city") & pl.col("target").is_not_null())


def trajectory_of(progress: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """Each district's completion at every date of the year, and the city's total."""
    if progress.height == 0:
        return progress
    return progress.filter((pl.col("indicator") == indicator) & (~pl.col("is_city") | pl.col("is_total")))


def behind_summary_of(progress: pl.DataFrame, as_of: date) -> dict:
    """For the leader's sentence: districts with targets, those behind time progress (any
    indicator), those with a yellow or red light, the furthest behind (district, indicator,
    gap_points), the red ones and the indicators with no actual yet."""
    df = district_rows_of(_at(progress, as_of))
    if df.height == 0:
        return {"districts": [], "behind": [], "lagging": [], "worst": None, "red": [], "yellow": [], "missing": []}
    districts = df.unique("district", maintain_order=True)["district"].to_list()
    behind = df.filter(pl.col("gap_points") < 0).unique("district", maintain_order=True)["district"].to_list()
    lagging = df.filter(pl.col("light").is_in([YELLOW, RED]))
    worst = None
    if lagging.height:
        r = lagging.sort("gap_points").row(0, named=True)
        worst = (r["district"], r["indicator"], r["gap_points"])
    reds = [(r["district"], r["indicator"]) for r in df.filter(pl.col("light") == RED).iter_rows(named=True)]
    yellows = [(r["district"], r["indicator"]) for r in df.filter(pl.col("light") == YELLOW).iter_rows(named=True)]
    missing = df.filter(pl.col("actual").is_null()).select("district", "indicator").rows()
    return {"districts": districts, "behind": behind,
            "lagging": lagging.unique("district", maintain_order=True)["district"].to_list(),
            "worst": worst, "red": reds, "yellow": yellows, "missing": missing}
