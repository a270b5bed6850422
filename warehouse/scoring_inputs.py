"""考评 inputs: each indicator's value per district for one period, aggregated in DuckDB.

Sources (warehouse/scoring_rules.py SOURCES):
  target   completion = actual / target of a 目标任务 indicator (the `indicator_progress` view) at
           the newest report date on or before the period's end; no target → 无目标; no actual → 未报送
  ledger   projects that reached a stage (warehouse/progress.py reached_sql, as every page counts
           them) with that stage's date in the period (or since 1 January: window = "year"), count
           or investment (万元); stalled projects now (warehouse/stalls.py, a stall is a state now)
  six      六职 activity (`six_district_month`) in the period; a district without a row: 未报送
  batches  the district's projects in a 三个一批 batch of the period's 期 (`project_batches`)
  manual   the newest entry in `score_inputs` (the 考评录入 page); none: 未录入
Counts a district has none of are 0 (a value); only reported inputs can be missing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from warehouse.filters import Filters
from warehouse.progress import ORD, reached_sql
from warehouse.scoring_points import NO_TARGET
from warehouse.scoring_rules import LEDGER_STAGES, Indicator, Period, Rules
from warehouse.stalls import stalled_summary

Inputs = dict[str, tuple[Decimal | None, str]]      # district code → (value, reason)
NOT_REPORTED, NOT_ENTERED = "未报送", "未录入"


def has_relation(con, name: str) -> bool:
    """A table or view exists (a warehouse made before a feature, opened read-only, lacks it)."""
    return con.execute("SELECT (SELECT count(*) FROM duckdb_views() WHERE view_name = ?) "
                       "+ (SELECT count(*) FROM duckdb_tables() WHERE table_name = ?)", [name, name]).fetchone()[0] > 0


def _window(ind: Indicator, period: Period) -> tuple[date, date]:
    start = date(period.end.year, 1, 1) if ind.window == "year" else period.start
    return start, period.end


def _target_rows(con, rules: Rules, period: Period, memo: dict) -> dict[tuple[str, str], tuple]:
    """(indicator, district_code) → (target, actual) at the newest report date on or before the
    period's end. The year's rows are read once (`memo`, shared by the periods a board compares:
    the view is the heaviest read of 考评)."""
    wanted = [i.target for i in rules.indicators if i.source == "target"]
    if not wanted or not has_relation(con, "indicator_progress"):
        return {}
    year = period.end.year
    key = ("targets", year, tuple(wanted))
    if key not in memo:
        memo[key] = con.execute(
            """SELECT as_of, indicator, district_code, target, actual FROM indicator_progress
               WHERE year = ? AND list_contains(?::VARCHAR[], indicator) AND NOT is_city""", [year, wanted]).fetchall()
    dates = [r[0] for r in memo[key] if r[0] <= period.end]
    if not dates:
        return {}
    newest = max(dates)
    return {(r[1], r[2]): (r[3], r[4]) for r in memo[key] if r[0] == newest}


def _target(rows: dict, ind: Indicator, codes: list[str]) -> Inputs:
    out: Inputs = {}
    for code in codes:
        target, actual = rows.get((ind.target, code), (None, None))
        if target is None or target <= 0:
            out[code] = (None, NO_TARGET)
        elif actual is None:
            out[code] = (None, NOT_REPORTED)
        else:
            out[code] = (Decimal(actual) / Decimal(target), "")
    return out


def _counted(con, sql: str, params: list, codes: list[str], missing: str | None = None) -> Inputs:
    """(district_code, value) rows → inputs; a district without a row: 0, or `missing`."""
    found = dict(con.execute(sql, params).fetchall())
    return {code: ((Decimal(found[code]), "") if code in found else
                   ((None, missing) if missing else (Decimal(0), ""))) for code in codes}


def _ledger(con, ind: Indicator, period: Period, codes: list[str], names: dict[str, str], memo: dict) -> Inputs:
    if ind.measure == "stalled":           # a state now: the same for every period
        if "stalled" not in memo:
            memo["stalled"] = dict(stalled_summary(con, Filters(), "district").select("district", "stalled").iter_rows())
        by_name = memo["stalled"]
        return {code: (Decimal(by_name.get(names[code], 0)), "") for code in codes}
    value = "count(*)" if ind.measure == "count" else "coalesce(sum(total_investment_wan), 0)"
    start, end = _window(ind, period)
    return _counted(con, f"""SELECT district_code, {value} FROM projects p
                             WHERE {reached_sql('p')} >= ? AND p.{LEDGER_STAGES[ind.stage]} BETWEEN ? AND ?
                               AND district_code IS NOT NULL GROUP BY district_code""",
                    [ORD[ind.stage], start, end], codes)


def _six(con, ind: Indicator, period: Period, codes: list[str]) -> Inputs:
    if not has_relation(con, "six_district_month"):
        return {code: (None, NOT_REPORTED) for code in codes}
    start, end = _window(ind, period)
    return _counted(con, f"""SELECT district_code, sum({ind.measure}) FROM six_district_month
                             WHERE make_date(year, month, 1) BETWEEN ? AND ? GROUP BY district_code""",
                    [start, end], codes, NOT_REPORTED)


def _batches(con, ind: Indicator, period: Period, codes: list[str]) -> Inputs:
    value = "count(*)" if ind.measure == "count" else "coalesce(sum(b.investment_wan), 0)"
    return _counted(con, f"""SELECT p.district_code, {value} FROM project_batches b JOIN projects p USING (project_id)
                             WHERE b.period = ? AND b.batch = ? AND p.district_code IS NOT NULL
                             GROUP BY p.district_code""", [period.number, ind.batch], codes)


def _manual(con, rules: Rules, ind: Indicator, period: Period, codes: list[str]) -> Inputs:
    if not has_relation(con, "score_input_current"):
        return {code: (None, NOT_ENTERED) for code in codes}
    return _counted(con, """SELECT district_code, value FROM score_input_current
                            WHERE year = ? AND period = ? AND indicator = ?""",
                    [rules.year, period.label, ind.key], codes, NOT_ENTERED)


def gather(con, rules: Rules, period: Period, districts: dict[str, str], memo: dict | None = None
           ) -> dict[str, Inputs]:
    """Every indicator's inputs: key → district code → (value, reason). districts: code → name.
    `memo` carries what does not depend on the period between the periods one board compares."""
    codes = list(districts)
    memo = {} if memo is None else memo
    out: dict[str, Inputs] = {}
    targets = _target_rows(con, rules, period, memo)
    for ind in rules.indicators:
        if ind.source == "target":
            out[ind.key] = _target(targets, ind, codes)
        elif ind.source == "ledger":
            out[ind.key] = _ledger(con, ind, period, codes, districts, memo)
        elif ind.source == "six":
            out[ind.key] = _six(con, ind, period, codes)
        elif ind.source == "batches":
            out[ind.key] = _batches(con, ind, period, codes)
        else:
            out[ind.key] = _manual(con, rules, ind, period, codes)
    return out
