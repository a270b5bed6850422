"""六职招商 (pages/six.py, warehouse/six.py): the page's calls as it makes them, their floors (the
same numbers written by hand over six_trip_current, six_reception_current, six_assignment_current
and project_current, filter values as literals) and shapes. Registered in bench/queries.py.

What the page derives before it asks (bench.queries.Context): the newest month with a trip or a
company received (it opens on it), and the leaders with 六职 data that year, in (district, leader)
order — it shows the first one's trips and projects (the first within the districts filtered).
"""

from __future__ import annotations

from datetime import date

from bench.queries import REACHED, Context, q, qlist
from warehouse.filters import Filters

KEYS = {"district": "district_code, district", "leader": "district_code, district, leader, post"}


def six_context(con) -> tuple[date | None, tuple[tuple[str, str], ...]]:
    """(the newest month with data, the year's leaders as (district, leader), sorted)."""
    month = con.execute("""SELECT CAST(date_trunc('month', max(d)) AS DATE) FROM (
                               SELECT max(start_date) AS d FROM six_trips UNION ALL
                               SELECT max(visit_date) FROM six_receptions)""").fetchone()[0]
    if month is None:
        return None, ()
    y0, _, end = _bounds(month)
    rows = con.execute(f"""
        SELECT DISTINCT district, leader FROM (
            SELECT district, leader FROM six_trips WHERE start_date >= {q(y0)} AND start_date < {q(end)}
            UNION ALL SELECT district, leader FROM six_receptions WHERE visit_date >= {q(y0)} AND visit_date < {q(end)}
            UNION ALL SELECT district, leader FROM six_assignments WHERE year = {month.year})
        ORDER BY district, leader""").fetchall()
    return month, tuple((d, name) for d, name in rows)


def _bounds(month: date) -> tuple[date, date, date]:
    """1 January, the month's first day, the next month's first day."""
    return date(month.year, 1, 1), month, date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def leader_of(f: Filters, c: Context) -> tuple[str | None, str | None]:
    """The leader the page shows first: within the filtered districts, the first by (district, leader)."""
    return next(((d, name) for d, name in c.six_leaders if not f.districts or d in f.districts), (None, None))


def _where(f: Filters) -> str:
    return f"district IN {qlist(f.districts)}" if f.districts else "TRUE"


# --- the page's calls ------------------------------------------------------------------------

def _six():
    from warehouse import six
    return six


def app(name: str, *extra):
    """A call with the page's month (`month`) or year (`year`) and the extra arguments."""
    def run(con, f: Filters, c: Context):
        when = c.six_month if name in ("activity", "totals") else c.six_month.year
        return getattr(_six(), name)(con, f, when, *extra)
    return run


def app_leader(name: str):
    """leader_trips / projects of the leader the page shows first."""
    def run(con, f: Filters, c: Context):
        return getattr(_six(), name)(con, f, c.six_month.year, *leader_of(f, c))
    return run


# --- floors ----------------------------------------------------------------------------------

def activity_sql(f: Filters, c: Context, by: str) -> str:
    keys, w = KEYS[by], _where(f)
    y0, m0, end = _bounds(c.six_month)
    return f"""
        WITH t AS (SELECT {keys}, count(*) FILTER (WHERE start_date >= {q(m0)}) AS trips_month, count(*) AS trips,
                          sum(days) AS days, sum(companies_visited) AS companies_visited, sum(leads) AS leads
                   FROM six_trip_current WHERE {w} AND start_date >= {q(y0)} AND start_date < {q(end)} GROUP BY ALL),
        r AS (SELECT {keys}, count(*) AS receptions FROM six_reception_current
              WHERE {w} AND visit_date >= {q(y0)} AND visit_date < {q(end)} GROUP BY ALL),
        who AS (SELECT {keys} FROM t UNION SELECT {keys} FROM r
                UNION SELECT {keys} FROM six_assignment_current WHERE {w} AND year = {c.six_month.year})
        SELECT {keys}, coalesce(trips_month, 0) AS trips_month, coalesce(trips, 0) AS trips, coalesce(days, 0) AS days,
               coalesce(companies_visited, 0) AS companies_visited, coalesce(leads, 0) AS leads,
               coalesce(receptions, 0) AS receptions
        FROM who LEFT JOIN t USING ({keys}) LEFT JOIN r USING ({keys})"""


def lines_sql(f: Filters, c: Context) -> str:
    """CTE `l`: the year's 包抓 lines, each with the ledger's project it names — by 项目编号, else by
    its name in its district (the first project_id when several) — and how far that got."""
    return f"""
        WITH by_code AS (SELECT project_code, min(project_id) AS project_id FROM project_current
                         WHERE project_code IS NOT NULL GROUP BY ALL),
        by_name AS (SELECT district_code, replace(project_name, ' ', '') AS project_name, min(project_id) AS project_id
                    FROM project_current GROUP BY ALL),
        p AS (SELECT project_id, stage, total_investment_wan, chain, {REACHED} AS reached FROM project_current),
        l AS (SELECT a.*, p.project_id AS pid, p.project_id IS NOT NULL AS in_ledger, p.stage, p.total_investment_wan, p.chain,
                     coalesce(p.reached, 0) AS reached
              FROM (SELECT * FROM six_assignment_current WHERE {_where(f)} AND year = {c.six_month.year}) a
              LEFT JOIN by_code c ON c.project_code = a.project_code
              LEFT JOIN by_name n ON n.district_code = a.district_code AND n.project_name = a.project_name
              LEFT JOIN p ON p.project_id = coalesce(c.project_id, n.project_id))"""


COUNTS = """count(*), count(*) FILTER (WHERE in_ledger),
    count(*) FILTER (WHERE reached >= 2), count(*) FILTER (WHERE reached >= 3),
    count(*) FILTER (WHERE reached >= 4), count(*) FILTER (WHERE reached >= 5),
    sum(total_investment_wan) FILTER (WHERE reached >= 2), count(*) FILTER (WHERE planned),
    count(*) FILTER (WHERE planned AND reached >= 2), count(*) FILTER (WHERE planned AND reached >= 3),
    count(*) FILTER (WHERE planned AND reached >= 4)"""
ONE = ("bool_or(planned) AS planned, max(reached) AS reached, any_value(total_investment_wan) AS total_investment_wan, "
       "bool_or(in_ledger) AS in_ledger")


def progress_sql(f: Filters, c: Context) -> str:
    """Per leader (its lines), per district and over everything (each project once)."""
    return f"""{lines_sql(f, c)},
        k AS (SELECT *, coalesce(pid, district_code || '|' || project_name) AS pkey FROM l),
        d AS (SELECT district_code, district, pkey, {ONE} FROM k GROUP BY ALL),
        s AS (SELECT pkey, {ONE} FROM k GROUP BY ALL)
        SELECT 'leader', district_code, district, leader, post, {COUNTS} FROM k GROUP BY ALL
        UNION ALL SELECT 'district', district_code, district, NULL, NULL, {COUNTS} FROM d GROUP BY ALL
        UNION ALL SELECT 'all', NULL, NULL, NULL, NULL, {COUNTS} FROM s"""


def floor_activity(by: str):
    return lambda f, c: [activity_sql(f, c, by)]


def floor_progress(f: Filters, c: Context) -> list[str]:
    return [progress_sql(f, c)]


def floor_status(f: Filters, c: Context) -> list[str]:
    return ["""SELECT (SELECT count(*) FROM six_trips) + (SELECT count(*) FROM six_receptions)
                      + (SELECT count(*) FROM six_assignments) = 0, m
               FROM (SELECT DISTINCT CAST(date_trunc('month', start_date) AS DATE) AS m FROM six_trip_current
                     UNION SELECT CAST(date_trunc('month', visit_date) AS DATE) FROM six_reception_current)"""]


def floor_trend(f: Filters, c: Context) -> list[str]:
    y = c.six_month.year
    return [f"""
        WITH t AS (SELECT month(start_date) AS m, count(*) AS trips, sum(companies_visited) AS companies,
                          sum(days) AS days
                   FROM six_trip_current
                   WHERE {_where(f)} AND start_date >= {q(date(y, 1, 1))} AND start_date < {q(date(y + 1, 1, 1))}
                   GROUP BY ALL)
        SELECT make_date({y}, g.m::INTEGER, 1), coalesce(trips, 0), coalesce(companies, 0), coalesce(days, 0)
        FROM generate_series(1, (SELECT coalesce(max(m), 0) FROM t)) g(m) LEFT JOIN t USING (m) ORDER BY 1"""]


def floor_leader_trips(f: Filters, c: Context) -> list[str]:
    district, leader = leader_of(f, c)
    y = c.six_month.year
    return [f"""SELECT district, leader, post, start_date, end_date, days, destination, companies_visited, companies,
                       met, leads, lead_notes, source_file
                FROM six_trip_current
                WHERE {_where(f)} AND district = {q(district)} AND leader = {q(leader)}
                  AND start_date >= {q(date(y, 1, 1))} AND start_date < {q(date(y + 1, 1, 1))}
                ORDER BY start_date DESC"""]


def floor_projects(f: Filters, c: Context) -> list[str]:
    district, leader = leader_of(f, c)
    return [f"""{lines_sql(f, c)}
                SELECT district, leader, post, coalesce(project_code, ''), project_name, planned, in_ledger, stage,
                       reached, total_investment_wan, chain
                FROM l WHERE district = {q(district)} AND leader = {q(leader)}
                ORDER BY district, leader, reached DESC, project_name LIMIT 5000"""]


# --- shapes ----------------------------------------------------------------------------------

def shape_status(d: dict) -> list[tuple]:
    return [(d["empty"], m) for m in d["months"]]
