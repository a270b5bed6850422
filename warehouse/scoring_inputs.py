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

from warehouse.db import has_relation   # a warehouse made before a feature, opened read-only, lacks it
from warehouse.filters import Filters
from warehouse.progress import ORD, reached_sql
from warehouse.scoring_points import NO_TARGET
from warehouse.scoring_rules import LEDGER_STAGES, Indicator, Period, Rules
from warehouse.stalls import stalled_summary

Inputs = dict[str, tuple[Decimal | None, str]]      # district code → (value, reason)
NOT_REPORTED, NOT_ENTERED = "未报送", "未录入"


def window(ind: Indicator, period: Period) -> tuple[date, date]:
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


def _inputs(found: dict, codes: list[str], missing: str | None = None) -> Inputs:
    """district code → value found; a district without one: 0, or `missing`."""
    return {code: ((Decimal(found[code]), "") if code in found else
                   ((None, missing) if missing else (Decimal(0), ""))) for code in codes}


def _counted(con, sql: str, params: list, codes: list[str], missing: str | None = None) -> Inputs:
    """(district_code, value) rows → inputs."""
    return _inputs(dict(con.execute(sql, params).fetchall()), codes, missing)


def _ledger_values(con, rules: Rules, period: Period, memo: dict) -> dict[str, dict[str, object]]:
    """Every counted ledger indicator of the period in one pass over the projects:
    indicator key → district code → count or investment (万元); districts with none are absent.
    The periods a board compares (memo["periods"]) are counted in the same pass."""
    wanted = [i for i in rules.indicators if i.source == "ledger" and i.measure != "stalled"]
    if not wanted:
        return {}
    if ("ledger", period.label) not in memo:
        periods = [period, *(p for p in memo.get("periods", ()) if p.label != period.label)]
        columns, params = [], []
        for n, (p, ind) in enumerate((p, ind) for p in periods for ind in wanted):
            value = "count(*)" if ind.measure == "count" else "sum(total_investment_wan)"
            columns.append(f"{value} FILTER (WHERE reached >= ? AND {LEDGER_STAGES[ind.stage]} BETWEEN ? AND ?) AS v{n}")
            params += [ORD[ind.stage], *window(ind, p)]
        rows = con.execute(f"""SELECT district_code, {', '.join(columns)}
                               FROM (SELECT *, {reached_sql('p')} AS reached FROM projects p
                                     WHERE district_code IS NOT NULL)
                               GROUP BY district_code""", params).fetchall()
        for k, p in enumerate(periods):
            first = 1 + k * len(wanted)
            memo[("ledger", p.label)] = {ind.key: {r[0]: r[first + n] for r in rows if r[first + n]}
                                         for n, ind in enumerate(wanted)}
    return memo[("ledger", period.label)]


def _ledger(con, ind: Indicator, codes: list[str], names: dict[str, str], memo: dict, values: dict) -> Inputs:
    if ind.measure == "stalled":           # a state now: the same for every period
        if "stalled" not in memo:
            memo["stalled"] = dict(stalled_summary(con, Filters(), "district").select("district", "stalled").iter_rows())
        by_name = memo["stalled"]
        return {code: (Decimal(by_name.get(names[code], 0)), "") for code in codes}
    return _inputs(values[ind.key], codes)


def _six(con, ind: Indicator, period: Period, codes: list[str]) -> Inputs:
    if not has_relation(con, "six_district_month"):
        return {code: (None, NOT_REPORTED) for code in codes}
    start, end = window(ind, period)
    return _counted(con, f"""SELECT district_code, sum({ind.measure}) FROM six_district_month
                             WHERE make_date(year, month, 1) BETWEEN ? AND ? GROUP BY district_code""",
                    [start, end], codes, NOT_REPORTED)


def _batch_values(con, rules: Rules, period: Period, memo: dict) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(district code, batch) → (projects, investment 万元) in the period's 期; the 期 of the
    periods a board compares (memo["periods"]) and any other 期 it shows (memo["batch_numbers"]) in
    the same query."""
    if not any(i.source == "batches" for i in rules.indicators):
        return {}
    if ("batches", period.number) not in memo:
        numbers = sorted({period.number, *(p.number for p in memo.get("periods", ())), *memo.get("batch_numbers", ())})
        rows = con.execute("""SELECT b.period, p.district_code, b.batch, count(*), coalesce(sum(b.investment_wan), 0)
                              FROM project_batches b JOIN projects p USING (project_id)
                              WHERE list_contains(?::INTEGER[], b.period) AND p.district_code IS NOT NULL
                              GROUP BY ALL""", [numbers]).fetchall()
        for number in numbers:
            memo[("batches", number)] = {(code, batch): (n, wan) for at, code, batch, n, wan in rows if at == number}
    return memo[("batches", period.number)]


def _batches(ind: Indicator, values: dict, codes: list[str]) -> Inputs:
    pick = 0 if ind.measure == "count" else 1
    return _inputs({code: v[pick] for (code, batch), v in values.items() if batch == ind.batch}, codes)


def _manual_values(con, rules: Rules, memo: dict) -> dict[tuple[str, str], dict[str, Decimal]]:
    """(period label, indicator key) → district code → the entry in force, for the rules' year
    (read once for the periods a board compares)."""
    key = ("manual", rules.year)
    if key not in memo:
        found: dict = {}
        if any(i.source == "manual" for i in rules.indicators) and has_relation(con, "score_input_current"):
            for period, indicator, code, value in con.execute(
                    "SELECT period, indicator, district_code, value FROM score_input_current WHERE year = ?",
                    [rules.year]).fetchall():
                found.setdefault((period, indicator), {})[code] = value
        memo[key] = found
    return memo[key]


def _manual(ind: Indicator, period: Period, values: dict, codes: list[str]) -> Inputs:
    return _inputs(values.get((period.label, ind.key), {}), codes, NOT_ENTERED)


def gather(con, rules: Rules, period: Period, districts: dict[str, str], memo: dict | None = None
           ) -> dict[str, Inputs]:
    """Every indicator's inputs: key → district code → (value, reason). districts: code → name.
    `memo` carries what does not depend on the period between the periods one board compares, and
    those periods (memo["periods"]: what one pass can count for all of them)."""
    codes = list(districts)
    memo = {} if memo is None else memo
    out: dict[str, Inputs] = {}
    targets = _target_rows(con, rules, period, memo)
    ledger, batches = _ledger_values(con, rules, period, memo), _batch_values(con, rules, period, memo)
    manual = _manual_values(con, rules, memo)
    for ind in rules.indicators:
        if ind.source == "target":
            out[ind.key] = _target(targets, ind, codes)
        elif ind.source == "ledger":
            out[ind.key] = _ledger(con, ind, codes, districts, memo, ledger)
        elif ind.source == "six":
            out[ind.key] = _six(con, ind, period, codes)
        elif ind.source == "batches":
            out[ind.key] = _batches(ind, batches, codes)
        else:
            out[ind.key] = _manual(ind, period, manual, codes)
    return out
