"""目标进度: districts against their annual targets (时间过半、任务过半).

Every number comes from the `indicator_progress` view (warehouse/sql/schema/010_indicators.sql):
completion = actual / target, time_progress = month / 12, gap_points = (completion −
time_progress) × 100. The traffic light needs the settings' thresholds, so it is added here —
from the exact values, not the rounded gap: green when behind by less than yellow_gap_points (or
ahead), yellow when behind by yellow_gap_points … red_gap_points, red when more than
red_gap_points behind.

The view is costly on a big warehouse (it counts the ledgers at every report date), so a caller
that needs several things about one year reads `indicator_progress(con, year)` once and derives
the rest from that frame with the pure `*_of` functions (report_dates_of, indicators_of,
city_totals_of, behind_summary_of, leader_sentence_of, trajectory_of); the functions taking `con`
are the same computations for callers that need just one of them.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import polars as pl

from warehouse.settings import settings

GREEN, YELLOW, RED = "green", "yellow", "red"
PROGRESS_COLUMNS = (
    "district_code", "district", "is_city", "indicator", "unit", "source", "year", "as_of", "target",
    "actual", "actual_source", "actual_reported", "actual_ledger", "ledger_as_of", "disagreement",
    "completion", "time_progress", "gap_points", "rank", "ranked_districts", "prior_actual", "yoy",
    "target_file", "district_order", "indicator_order",
)


def thresholds() -> tuple[Decimal, Decimal]:
    s = settings()
    return (Decimal(str(s.get("progress", "yellow_gap_points"))),
            Decimal(str(s.get("progress", "red_gap_points"))))


def light(actual: Decimal | None, target: Decimal | None, month: int,
          yellow: Decimal, red: Decimal) -> str | None:
    """The light from exact values: behind by at least `yellow` points ⇔
    100·actual/target − 100·month/12 ≤ −yellow ⇔ 1200·actual ≤ target·(100·month − 12·yellow)."""
    if actual is None or target is None or target <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 80
        lhs = 1200 * Decimal(actual)
        if lhs < Decimal(target) * (100 * month - 12 * red):
            return RED
        if lhs <= Decimal(target) * (100 * month - 12 * yellow):
            return YELLOW
    return GREEN


def exact_gap(actual: Decimal | None, target: Decimal | None, month: int) -> Decimal | None:
    """gap_points exactly (for the sentence, rounded to one decimal there)."""
    if actual is None or target is None or target <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(actual) * 100 / Decimal(target) - Decimal(100 * month) / 12


def _ready(con) -> bool:
    """The views exist (a warehouse made before this feature, opened read-only, has none)."""
    return con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'indicator_progress'"
                       ).fetchone()[0] > 0


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


def report_dates(con, year: int) -> list[date]:
    """The dates progress is measured at in a year, newest first: the dates of the view's rows
    (its keys — calendar dates of a year with targets, and reported dates — without computing
    the ledger figures)."""
    if not _ready(con):
        return []
    return [r[0] for r in con.execute(
        """SELECT DISTINCT as_of FROM (
               SELECT c.as_of, c.year FROM indicator_calendar c JOIN indicator_target_current t USING (year)
               UNION SELECT as_of, year FROM indicator_reported)
           WHERE year = ? ORDER BY as_of DESC""", [int(year)]).fetchall()]


def report_dates_of(progress: pl.DataFrame) -> list[date]:
    """report_dates from a year's `indicator_progress` frame, newest first."""
    if progress.height == 0:
        return []
    return sorted(set(progress["as_of"].to_list()), reverse=True)


def indicators(con) -> pl.DataFrame:
    """The indicators in the reference order, with their unit and source."""
    if not _ready(con):
        return pl.DataFrame(schema={"indicator": pl.String, "unit": pl.String, "source": pl.String})
    return con.execute(
        """SELECT indicator, any_value(unit) AS unit, any_value(source) AS source
           FROM indicator_progress GROUP BY indicator ORDER BY min(indicator_order), indicator""").pl()


def indicators_of(progress: pl.DataFrame) -> pl.DataFrame:
    """indicators() restricted to those in an `indicator_progress` frame, in the same order."""
    if progress.height == 0:
        return pl.DataFrame(schema={"indicator": pl.String, "unit": pl.String, "source": pl.String})
    return (progress.group_by("indicator")
            .agg(pl.col("unit").first(), pl.col("source").first(), pl.col("indicator_order").min().alias("_o"))
            .sort("_o", "indicator").select("indicator", "unit", "source"))


def _with_light(df: pl.DataFrame) -> pl.DataFrame:
    yellow, red = thresholds()
    lights = [light(a, t, d.month, yellow, red) for a, t, d in
              zip(df["actual"].to_list(), df["target"].to_list(), df["as_of"].to_list())]
    return df.with_columns(pl.Series("light", lights, dtype=pl.String))


def indicator_progress(con, year: int | None = None, as_of: date | None = None,
                       indicator: str | None = None) -> pl.DataFrame:
    """The view's rows (optionally one year, one date, one indicator) with the light, ordered
    by indicator, 全市 first, then the reference order of districts."""
    if not _ready(con):
        return _empty()
    df = con.execute(
        f"""SELECT {', '.join(PROGRESS_COLUMNS)} FROM indicator_progress
            WHERE (? IS NULL OR year = ?) AND (? IS NULL OR as_of = ?) AND (? IS NULL OR indicator = ?)
            ORDER BY year, as_of, indicator_order, indicator, district_order, district""",
        [year, year, as_of, as_of, indicator, indicator]).pl()
    return _with_light(df)


def city_totals(con, year: int, as_of: date) -> pl.DataFrame:
    """One row per indicator for the whole city: the report's 全市 row where there is one, else
    the sum over the districts (targets and actuals of the districts that have both)."""
    return city_totals_of(indicator_progress(con, year, as_of), as_of)


def _at(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    return progress.filter(pl.col("as_of") == as_of) if progress.height else progress


def city_totals_of(progress: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """city_totals from an `indicator_progress` frame of the year (rows of other dates are ignored)."""
    df = _at(progress, as_of)
    if df.height == 0:
        return df
    yellow, red = thresholds()
    rows = []
    for ind in df.select("indicator", "indicator_order").unique().sort("indicator_order")["indicator"]:
        part = df.filter(pl.col("indicator") == ind)
        city = part.filter(pl.col("is_city") & pl.col("target").is_not_null() & pl.col("actual").is_not_null())
        if city.height:
            r = city.row(0, named=True)
            target, actual, from_row = r["target"], r["actual"], True
        else:
            both = part.filter(~pl.col("is_city") & pl.col("target").is_not_null() & pl.col("actual").is_not_null())
            if both.height == 0:
                continue
            target, actual, from_row = sum(both["target"].to_list()), sum(both["actual"].to_list()), False
        first = part.row(0, named=True)
        completion = float(Decimal(actual) / Decimal(target)) if target else None
        rows.append({
            "indicator": ind, "unit": first["unit"], "target": target, "actual": actual,
            "completion": completion, "time_progress": as_of.month / 12,
            "gap_points": None if completion is None else (completion - as_of.month / 12) * 100,
            "light": light(actual, target, as_of.month, yellow, red),
            "from_city_row": from_row,
        })
    return pl.DataFrame(rows, schema_overrides={"target": pl.Decimal(38, 12), "actual": pl.Decimal(38, 12),
                                                "completion": pl.Float64, "gap_points": pl.Float64})


def trajectory(con, year: int, indicator: str) -> pl.DataFrame:
    """Each district's completion at every date of the year, for the line against 序时进度."""
    return indicator_progress(con, year, None, indicator)


def trajectory_of(progress: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """trajectory from an `indicator_progress` frame of the year."""
    return progress.filter(pl.col("indicator") == indicator) if progress.height else progress


def behind_summary(con, year: int, as_of: date) -> dict:
    """For the leader's sentence: districts with targets, those with a yellow or red light, the
    furthest behind (district, indicator, exact gap) and the red ones."""
    return behind_summary_of(indicator_progress(con, year, as_of), as_of)


def behind_summary_of(progress: pl.DataFrame, as_of: date) -> dict:
    """behind_summary from an `indicator_progress` frame of the year."""
    df = _at(progress, as_of)
    if df.height == 0:
        return {"districts": [], "behind": [], "worst": None, "red": [], "missing": []}
    df = df.filter(~pl.col("is_city") & pl.col("target").is_not_null())
    districts = df.unique("district", maintain_order=True)["district"].to_list()
    lagging = df.filter(pl.col("light").is_in([YELLOW, RED]))
    behind = lagging.unique("district", maintain_order=True)["district"].to_list()
    worst = None
    for r in lagging.iter_rows(named=True):
        gap = exact_gap(r["actual"], r["target"], as_of.month)
        if worst is None or gap < worst[2]:
            worst = (r["district"], r["indicator"], gap)
    reds = [(r["district"], r["indicator"]) for r in df.filter(pl.col("light") == RED).iter_rows(named=True)]
    missing = df.filter(pl.col("actual").is_null()).select("district", "indicator").rows()
    return {"districts": districts, "behind": behind, "worst": worst, "red": reds, "missing": missing}


def leader_sentence(con, year: int, as_of: date) -> str:
    """'7个县区中3个落后序时进度，召陵区实际利用外资落后31.2个百分点。'"""
    return leader_sentence_of(indicator_progress(con, year, as_of), year, as_of)


def leader_sentence_of(progress: pl.DataFrame, year: int, as_of: date) -> str:
    """leader_sentence from an `indicator_progress` frame of the year."""
    s = behind_summary_of(progress, as_of)
    n = len(s["districts"])
    if n == 0:
        return f"{year}年尚无县区目标任务数据。"
    yellow, _ = thresholds()
    if not s["behind"]:
        return f"{n}个县区各项指标均达到序时进度（或落后不足{_num(yellow)}个百分点）。"
    district, indicator, gap = s["worst"]
    points = (-gap).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{n}个县区中{len(s['behind'])}个落后序时进度，{district}{indicator}落后{points}个百分点。"
    if s["red"]:
        text += f"红灯{len(s['red'])}项：" + "、".join(f"{d}{i}" for d, i in s["red"][:6]) + \
            ("等。" if len(s["red"]) > 6 else "。")
    return text


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")
