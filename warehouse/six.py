"""六职招商: what the six posts of each district did (trips out, companies received) and how far
the projects they are responsible for (包抓) got.

Definitions (said on the page):
- a trip (批次) counts in the month of its first day; 本年 = 1 January to the end of the month asked;
  days, companies visited and leads are summed over those trips;
- a 六职 project is a 包抓 line of the year (six_assignment_current); it is 入库 when the project
  ledger has it — by 项目编号, else by its name in the same district — and it has reached 签约 /
  履约 / 开工 / 投产 as warehouse/progress.py defines it for every page (its latest state);
- 拟招引 projects are the lines marked as reported at the start of the year.
The sidebar's 县区 filter applies; a district account sees its own rows (warehouse/scope.py).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.filters import Filters
from warehouse.progress import PRODUCING, REGISTERED, SIGNED, STARTED, reached_sql

GROUPS = {"district": ("district_code", "district"), "leader": ("district_code", "district", "leader", "post")}
ACTIVITY = ("trips_month", "trips", "days", "companies_visited", "leads", "receptions")
PROGRESS = ("projects", "linked", "signed", "registered", "started", "producing", "signed_wan", "planned",
            "planned_signed", "planned_registered", "planned_started")


def _district_condition(filters: Filters, alias: str) -> tuple[str, list]:
    if not filters.districts:
        return "TRUE", []
    return f"list_contains(?::VARCHAR[], {alias}.district)", [list(filters.districts)]


def months(con) -> list[date]:
    """The months (first days) that have trips or receptions, newest first."""
    rows = con.execute("""SELECT DISTINCT make_date(year, month, 1) AS m FROM six_district_month
                          ORDER BY m DESC""").fetchall()
    return [r[0] for r in rows]


def status(con) -> dict:
    n = con.execute("SELECT (SELECT count(*) FROM six_trips) + (SELECT count(*) FROM six_receptions)"
                    " + (SELECT count(*) FROM six_assignments)").fetchone()[0]
    return {"empty": n == 0, "months": months(con)}


def _bounds(month: date) -> list:
    start = date(month.year, month.month, 1)
    end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return [date(month.year, 1, 1), start, end]


def activity(con, filters: Filters, month: date, by: str = "district") -> pl.DataFrame:
    """Per district (or leader): trips this month and this year, the year's days, companies
    visited, leads and companies received. Every district/leader with any 六职 data this year is
    listed, with zeros where it did nothing."""
    keys = ", ".join(GROUPS[by])
    cond, params = _district_condition(filters, "t")
    year_start, month_start, month_end = _bounds(month)
    sql = f"""
        WITH trips AS (SELECT * FROM six_trip_current t WHERE {cond} AND start_date >= ? AND start_date < ?),
        receptions AS (SELECT * FROM six_reception_current t WHERE {cond} AND visit_date >= ? AND visit_date < ?),
        who AS (SELECT DISTINCT {keys} FROM (
            SELECT {keys} FROM trips UNION ALL SELECT {keys} FROM receptions
            UNION ALL SELECT {keys} FROM six_assignment_current t WHERE {cond} AND year = ?)),
        t AS (SELECT {keys}, count(*) FILTER (WHERE start_date >= ?) AS trips_month, count(*) AS trips,
                     sum(days) AS days, sum(companies_visited) AS companies_visited, sum(leads) AS leads
              FROM trips GROUP BY ALL),
        r AS (SELECT {keys}, count(*) AS receptions FROM receptions GROUP BY ALL)
        SELECT w.*, {", ".join(f"coalesce({c}, 0)::BIGINT AS {c}" for c in ACTIVITY)}
        FROM who w LEFT JOIN t USING ({keys}) LEFT JOIN r USING ({keys})
        ORDER BY trips DESC, companies_visited DESC, {keys}"""
    args = [*params, year_start, month_end, *params, year_start, month_end, *params, month.year, month_start]
    return con.execute(sql, args).pl()


def _linked_sql(cond: str) -> str:
    """CTE `linked`: the year's 包抓 lines, each with the ledger's project it names (by 项目编号,
    else by district and name; or none) and how far that project got. The ledger is read once:
    `named` keeps the projects some line names (a million projects, a few thousand lines)."""
    return f"""
        a AS (SELECT * FROM six_assignment_current t WHERE {cond} AND year = ?),
        named AS MATERIALIZED (
            SELECT p.project_id, p.project_code, p.district_code, replace(p.project_name, ' ', '') AS name_key,
                   p.project_name AS ledger_name, p.stage, p.total_investment_wan, p.chain,
                   coalesce({reached_sql('p')}, 0) AS reached
            FROM projects p
            WHERE p.project_code IN (SELECT project_code FROM a WHERE project_code IS NOT NULL)
               OR (p.district_code IN (SELECT district_code FROM a)           -- short codes first: one
                   AND replace(p.project_name, ' ', '') IN (SELECT project_name FROM a))   -- leader's district
        ),
        matched AS (
            SELECT a.*, coalesce(bc.project_id, bn.project_id) AS project_id
            FROM a
            LEFT JOIN named bc ON bc.project_code = a.project_code
            LEFT JOIN named bn ON bn.district_code = a.district_code AND bn.name_key = a.project_name
            QUALIFY row_number() OVER (PARTITION BY a.district_code, a.leader, coalesce(a.project_code, a.project_name)
                                       ORDER BY bc.project_id NULLS LAST, bn.project_id NULLS LAST) = 1
        ),
        linked AS (
            SELECT m.*, n.ledger_name, n.stage, n.total_investment_wan, n.chain, coalesce(n.reached, 0) AS reached,
                   n.project_id IS NOT NULL AS in_ledger
            FROM matched m LEFT JOIN named n ON n.project_id = m.project_id
        )"""


_PROGRESS_SQL = f"""count(*) AS projects, count(*) FILTER (WHERE in_ledger) AS linked,
    count(*) FILTER (WHERE reached >= {SIGNED}) AS signed, count(*) FILTER (WHERE reached >= {REGISTERED}) AS registered,
    count(*) FILTER (WHERE reached >= {STARTED}) AS started, count(*) FILTER (WHERE reached >= {PRODUCING}) AS producing,
    sum(total_investment_wan) FILTER (WHERE reached >= {SIGNED}) AS signed_wan, count(*) FILTER (WHERE planned) AS planned,
    count(*) FILTER (WHERE planned AND reached >= {SIGNED}) AS planned_signed,
    count(*) FILTER (WHERE planned AND reached >= {REGISTERED}) AS planned_registered,
    count(*) FILTER (WHERE planned AND reached >= {STARTED}) AS planned_started"""
_ONE_PROJECT = ("bool_or(planned) AS planned, max(reached) AS reached, any_value(total_investment_wan) AS "
                "total_investment_wan, bool_or(in_ledger) AS in_ledger")


def progress(con, filters: Filters, year: int) -> pl.DataFrame:
    """The 六职 projects' progress at three levels (`level`): per leader (the leader's 包抓 lines),
    per district and for the whole scope (each project once, however many leaders hold it): how
    many lines/projects, how many are in the ledger, how many reached 签约 / 履约 / 开工 / 投产,
    the signed ones' investment (万元, exact), and the same counts for 拟招引. One pass over the
    ledger for all three (progress_of picks a level)."""
    cond, params = _district_condition(filters, "t")
    sql = f"""
        WITH {_linked_sql(cond)},
        keyed AS MATERIALIZED (SELECT *, coalesce(project_id, district_code || '|' || project_name) AS pkey FROM linked),
        per_district AS (SELECT district_code, district, pkey, {_ONE_PROJECT} FROM keyed GROUP BY ALL),
        per_scope AS (SELECT pkey, {_ONE_PROJECT} FROM keyed GROUP BY ALL)
        SELECT 'leader' AS level, district_code, district, leader, post, {_PROGRESS_SQL} FROM keyed GROUP BY ALL
        UNION ALL BY NAME
        SELECT 'district' AS level, district_code, district, {_PROGRESS_SQL} FROM per_district GROUP BY ALL
        UNION ALL BY NAME
        SELECT 'all' AS level, {_PROGRESS_SQL} FROM per_scope"""
    frame = con.execute(sql, [*params, int(year)]).pl()
    return frame.sort(["level", "signed", "projects", "district_code", "leader"], descending=[False, True, True, False, False],
                      nulls_last=True)


def progress_of(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """One level of `progress`: by "district" or "leader" (with their keys), or "all" (one row)."""
    part = frame.filter(pl.col("level") == by).drop("level")
    keep = [*GROUPS.get(by, ()), *PROGRESS]
    return part.select(keep)


def totals_of(by_district: pl.DataFrame, progress_frame: pl.DataFrame) -> dict:
    """The cards: the year's trips (and this month's), days, companies visited, leads and companies
    received (each trip is one district's: the sum of the districts), and the 六职 projects'
    progress of the whole scope (each project once)."""
    out = {c: int(by_district[c].sum()) if by_district.height else 0 for c in ACTIVITY}
    scope = progress_of(progress_frame, "all")
    for c in PROGRESS:
        value = scope[c][0] if scope.height else None
        out[c] = value if c == "signed_wan" else int(value or 0)
    out["district_count"] = by_district.height
    return out


def totals(con, filters: Filters, month: date) -> dict:
    """totals_of, asked directly (the command line, 考评 and the tests)."""
    return totals_of(activity(con, filters, month), progress(con, filters, month.year))


def trend(con, filters: Filters, year: int) -> pl.DataFrame:
    """Trips and companies visited per month of the year (every month up to the last with data)."""
    cond, params = _district_condition(filters, "t")
    return con.execute(f"""
        WITH t AS (SELECT month(start_date) AS month, count(*) AS trips,
                          sum(companies_visited)::BIGINT AS companies_visited, sum(days)::BIGINT AS days
                   FROM six_trip_current t WHERE {cond} AND year(start_date) = ? GROUP BY ALL),
        span AS (SELECT range AS month FROM range(1, coalesce((SELECT max(month) FROM t), 0) + 1))
        SELECT make_date(?, span.month::INTEGER, 1) AS month, coalesce(trips, 0) AS trips,
               coalesce(companies_visited, 0) AS companies_visited, coalesce(days, 0) AS days
        FROM span LEFT JOIN t USING (month) ORDER BY month""", [*params, int(year), int(year)]).pl()


def leader_trips(con, filters: Filters, year: int, district: str, leader: str) -> pl.DataFrame:
    """One leader's trips of the year, newest first."""
    cond, params = _district_condition(filters, "t")
    return con.execute(f"""
        SELECT district, leader, post, start_date, end_date, days, destination, companies_visited, companies,
               met, leads, lead_notes, source_file
        FROM six_trip_current t
        WHERE {cond} AND year(start_date) = ? AND district = ? AND leader = ?
        ORDER BY start_date DESC""", [*params, int(year), district, leader]).pl()


def projects(con, filters: Filters, year: int, district: str | None = None, leader: str | None = None,
             limit: int = 5_000) -> pl.DataFrame:
    """The year's 六职 projects with the ledger's stage and investment (blank: not in the ledger)."""
    cond, params = _district_condition(filters, "t")
    cond += " AND (?::VARCHAR IS NULL OR t.district = ?) AND (?::VARCHAR IS NULL OR t.leader = ?)"
    return con.execute(f"""
        WITH {_linked_sql(cond)}
        SELECT district, leader, post, coalesce(project_code, '') AS six_code, project_name, planned, in_ledger,
               stage, reached, total_investment_wan, chain
        FROM linked
        ORDER BY district, leader, reached DESC, project_name LIMIT ?""",
        [*params, district, district, leader, leader, int(year), int(limit)]).pl()
