"""Every page's queries, as the pages call them, and the same aggregation written directly in SQL.

    from bench.queries import QUERIES, record_pages, scenarios, make_context

`record_pages(con, filters)` maps a page to the warehouse calls it makes when it opens, in order
(recorded from its description, pages/<key>.py). `QUERIES[key]` has:

- `app(con, filters, ctx)`: the warehouse function with the arguments the page passes;
- `floor(filters, ctx)`: SQL statements a person would write by hand for the same numbers,
  straight on the tables (project_current, project_rows, loads …), filter values as literals;
  the benchmark runs them on one open connection (the floor). Statements starting with CREATE
  are set-up (a temp table); the others are the answer;
- `shape(result)`: the app's result as rows comparable with the floor's answer (the smoke test
  checks both give the same rows, so the floor is really the same aggregation).

Where the app's SQL is a view (目标进度: warehouse/sql/schema/010_indicators.sql) the floor
reads the same view on an open connection: it measures the app's overhead around the view, not
whether the view itself could be written faster.

When a page gains a query, add its floor here (tests/test_bench_smoke.py checks that every call a
page's description makes has one).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from warehouse.filters import Filters, clipped, shifted_year

UNKNOWN_CHAIN, NO_CLUSTER = "未识别产业链", "未归集群"
LIST_LIMIT = 2_000            # pages/alerts.py, warehouse.ledger.DISPLAY_LIMIT
MAP_POINTS = 20_000           # warehouse.mapdata.MAX_POINTS

# --- the SQL a person writes --------------------------------------------------------------------

STAGE_ORD = ("CASE stage WHEN '在谈' THEN 1 WHEN '签约' THEN 2 WHEN '履约' THEN 3 WHEN '开工' THEN 4 "
             "WHEN '投产' THEN 5 WHEN '达效' THEN 6 ELSE 0 END")
REACHED = (f"greatest({STAGE_ORD}, CASE WHEN sign_date <= as_of THEN 2 ELSE 0 END, "
           "CASE WHEN register_date <= as_of THEN 3 ELSE 0 END, CASE WHEN start_date <= as_of THEN 4 ELSE 0 END, "
           "CASE WHEN production_date <= as_of THEN 5 ELSE 0 END)")
VIEW_COLUMNS = ("project_id, project_code, project_name, district, district_code, park, cluster, chain, chain_known, "
                "investor, total_investment_wan, investment_note, foreign_investment_wan_usd, stage, sign_date, "
                "register_date, start_date, production_date, period, batch, lng, lat, location_approximate, "
                "responsible_unit, leader, investor_kind, investor_origin, event, as_of, first_seen, source_file, "
                "source_sheet, source_row")


def q(value: Any) -> str:
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def qlist(values) -> str:
    return "(" + ", ".join(q(v) for v in values) + ")"


def between(column: str, d1: date | None, d2: date | None) -> str:
    parts = []
    if d1 is not None:
        parts.append(f"{column} >= {q(d1)}")
    if d2 is not None:
        parts.append(f"{column} <= {q(d2)}")
    return " AND ".join(parts) or "TRUE"


def cond(f: Filters, window: str | None = "activity", periods: bool = True) -> str:
    """The filters as a plain WHERE condition with literals."""
    parts = []
    if f.districts:
        parts.append(f"district IN {qlist(f.districts)}")
    if f.clusters:
        parts.append(f"coalesce(cluster, '{NO_CLUSTER}') IN {qlist(f.clusters)}")
    if f.chains:
        known = [c for c in f.chains if c != UNKNOWN_CHAIN]
        alts = [f"(chain_known AND chain IN {qlist(known)})"] if known else []
        if UNKNOWN_CHAIN in f.chains:
            alts.append("chain_known IS NOT TRUE")
        parts.append("(" + " OR ".join(alts) + ")")
    if periods and f.periods:
        parts.append(f"period IN {qlist(f.periods)}")
    if f.stages:
        parts.append(f"stage IN {qlist(f.stages)}")
    if window and f.has_window:
        if window == "activity":
            ors = [f"({between(c, f.date_from, f.date_to)})" for c in ("sign_date", "start_date", "production_date")]
            parts.append("(" + " OR ".join(ors)
                         + " OR (sign_date IS NULL AND start_date IS NULL AND production_date IS NULL))")
        else:
            parts.append(between(window, f.date_from, f.date_to))
    return " AND ".join(parts) or "TRUE"


# --- the context: what a page derives before it asks (newest date, chosen period …) ---------------

@dataclass
class Context:
    newest: date | None
    project_id: str | None             # the project a person clicks (the largest)
    target_year: int | None
    report_date: date | None
    indicators: tuple[str, ...]
    signed_months: int
    started_months: int
    sample_districts: tuple[str, ...]   # the districts of one city, for the analyst's filter
    cluster: str | None
    six_month: date | None = None      # 六职招商: the newest month with data (bench/six_queries.py)
    six_leaders: tuple[tuple[str, str], ...] = ()   # its year's leaders, (district, leader) sorted


def make_context(con, sample_city: str) -> Context:
    from warehouse.stalls import stall_months

    newest = con.execute("SELECT max(as_of) FROM project_current").fetchone()[0]
    pid = con.execute("SELECT project_id FROM project_current ORDER BY total_investment_wan DESC NULLS LAST, "
                      "project_id LIMIT 1").fetchone()
    districts = tuple(r[0] for r in con.execute(
        "SELECT name FROM ref_districts WHERE parent_code = ? ORDER BY sort_order", [sample_city]).fetchall())
    cluster = con.execute("SELECT cluster FROM ref_chains ORDER BY sort_order LIMIT 1").fetchone()
    # what 目标进度 picks (the newest year, its newest report date, the indicators), read from the
    # tables directly: the page's own functions are what is being measured, and can be slow
    year = date_ = None
    indicators: tuple[str, ...] = ()
    if _has_targets(con):
        year = con.execute("SELECT max(year) FROM indicator_targets").fetchone()[0]
        date_ = con.execute("SELECT max(as_of) FROM indicator_actuals WHERE year = ?", [year]).fetchone()[0]
        indicators = tuple(r[0] for r in con.execute(
            "SELECT indicator FROM ref_indicators ORDER BY sort_order, indicator").fetchall())
    n, m = stall_months()
    six = importlib.import_module("bench.six_queries").six_context(con) if _has_table(con, "six_trips") else (None, ())
    return Context(newest, pid[0] if pid else None, year, date_, indicators, n, m, districts,
                   cluster[0] if cluster else None, *six)


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0] > 0


def _has_targets(con) -> bool:
    return _has_table(con, "indicator_targets")


def scenarios(ctx: Context) -> list[tuple[str, str, Filters]]:
    """(key, label, filters): everything; the default view (the newest year, as a page opens);
    an analyst's view (one city's districts, one cluster, the newest year)."""
    year = ctx.newest.year if ctx.newest else date.today().year
    window = dict(date_from=date(year, 1, 1), date_to=date(year, 12, 31))
    return [
        ("all", "无筛选（全部时间）", Filters()),
        ("default", f"默认视图（{year}年）", Filters(**window)),
        ("narrow", f"分析筛选（一市{len(ctx.sample_districts)}个县区 + {ctx.cluster} + {year}年）",
         Filters(districts=ctx.sample_districts, clusters=(ctx.cluster,) if ctx.cluster else (), **window)),
    ]


# --- floors ----------------------------------------------------------------------------------------

def _event_cols(f: Filters, prefix: str = "") -> list[str]:
    cols = []
    for ordinal, column in ((2, "sign_date"), (4, "start_date"), (5, "production_date")):
        flt = f"FILTER (WHERE r >= {ordinal} AND {between(column, f.date_from, f.date_to)})"
        cols += [f"count(*) {flt}", f"coalesce(sum(w) {flt}, 0)"]
    return cols


def floor_headline(f: Filters, c: Context) -> list[str]:
    cur = clipped(f, c.newest)
    cols = _event_cols(cur) + (_event_cols(shifted_year(cur)) if f.has_window else [])
    return [f"""SELECT {', '.join(cols)} FROM (
                SELECT total_investment_wan AS w, sign_date, start_date, production_date, {REACHED} AS r
                FROM project_current WHERE {cond(f, None)})"""]


def shape_headline(df) -> list[tuple]:
    row = []
    for r in df.iter_rows(named=True):
        row += [r["projects"], r["investment_wan"]]
    prev = []
    for r in df.iter_rows(named=True):
        if r["prev_projects"] is not None:
            prev += [r["prev_projects"], r["prev_investment_wan"]]
    return [tuple(row + prev)]


def floor_funnel(f: Filters, c: Context) -> list[str]:
    counts = ", ".join(f"count(*) FILTER (WHERE r >= {o}), coalesce(sum(w) FILTER (WHERE r >= {o}), 0)"
                       for o in (2, 3, 4, 5, 6))
    return [f"""
        WITH p AS (SELECT total_investment_wan AS w, stage, sign_date, {REACHED} AS r
                   FROM project_current WHERE {cond(f, None)})
        SELECT (SELECT count(*) FROM project_current WHERE {cond(f)} AND stage = '在谈'),
               (SELECT coalesce(sum(total_investment_wan), 0) FROM project_current WHERE {cond(f)} AND stage = '在谈'),
               {counts}, count(*) FILTER (WHERE stage = '终止')
        FROM p WHERE r >= 2 AND {between('sign_date', f.date_from, f.date_to)}"""]


def shape_funnel(df) -> list[tuple]:
    row = []
    for r in df.iter_rows(named=True):
        row += [r["projects"], r["investment_wan"]]
    return [tuple(row + [df["terminated_in_cohort"][0]])]


def floor_ranking(f: Filters, c: Context) -> list[str]:
    cur = clipped(f, c.newest)
    cols = ", ".join(f"{x} AS c{i}" for i, x in enumerate(_event_cols(cur)))
    only = f"WHERE d.district IN {qlist(f.districts)}" if f.districts else ""
    return [f"""
        WITH p AS (SELECT district, total_investment_wan AS w, sign_date, start_date, production_date, {REACHED} AS r
                   FROM project_current WHERE {cond(f, None)}),
        agg AS (SELECT district, {cols} FROM p GROUP BY district),
        d AS (SELECT name AS district, sort_order FROM ref_districts
              UNION ALL SELECT district, 1000 FROM agg WHERE district NOT IN (SELECT name FROM ref_districts))
        SELECT d.district, coalesce(c0, 0) AS sn, coalesce(c1, 0) AS sw, coalesce(c2, 0), coalesce(c3, 0),
               coalesce(c4, 0), coalesce(c5, 0)
        FROM d LEFT JOIN agg USING (district) {only}
        ORDER BY sw DESC, sn DESC, d.sort_order"""]


def _trend_window(f: Filters, c: Context) -> tuple[date, date]:
    newest = c.newest
    g = clipped(f, newest)
    if not g.has_window:
        start = date(newest.year - 2 + (newest.month == 12), newest.month % 12 + 1, 1)
        g = g.narrowed(date_from=start, date_to=newest)
    return g.date_from or date(newest.year - 2, 1, 1), g.date_to or newest


def floor_trend(f: Filters, c: Context) -> list[str]:
    d1, d2 = _trend_window(f, c)
    hits = " UNION ALL ".join(
        f"SELECT '{label}' AS event, date_trunc('month', {col}) AS month, w FROM p "
        f"WHERE r >= {o} AND {between(col, d1, d2)}"
        for label, col, o in (("签约", "sign_date", 2), ("开工", "start_date", 4), ("投产", "production_date", 5)))
    return [f"""
        WITH p AS (SELECT total_investment_wan AS w, sign_date, start_date, production_date, {REACHED} AS r
                   FROM project_current WHERE {cond(f, None)}),
        agg AS (SELECT event, CAST(month AS DATE) AS month, count(*) AS n, coalesce(sum(w), 0) AS w
                FROM ({hits}) GROUP BY ALL),
        months AS (SELECT CAST(m AS DATE) AS month
                   FROM range(date_trunc('month', {q(d1)}), {q(d2)} + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)),
        events AS (SELECT * FROM (VALUES ('签约', 1), ('开工', 2), ('投产', 3)) e(event, ord))
        SELECT m.month, e.event, coalesce(a.n, 0), coalesce(a.w, 0)
        FROM months m CROSS JOIN events e LEFT JOIN agg a ON a.month = m.month AND a.event = e.event
        ORDER BY m.month, e.ord"""]


def floor_top(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT project_id, project_name, district, chain, chain_known, stage, total_investment_wan,
                       investor, sign_date
                FROM project_current WHERE {cond(f)}
                ORDER BY total_investment_wan DESC NULLS LAST, project_name LIMIT 10"""]


def floor_freshness(f: Filters, c: Context) -> list[str]:
    from warehouse.settings import settings
    days = int(settings().get("freshness", "late_after_days"))
    return [f"""
        WITH l AS (SELECT district, max(as_of) AS latest, count(*) AS n FROM project_current GROUP BY district),
        d AS (SELECT name AS district, kind, sort_order FROM ref_districts
              UNION ALL SELECT district, '未识别', 1000 FROM l WHERE district NOT IN (SELECT name FROM ref_districts)),
        newest AS (SELECT max(as_of) AS newest FROM project_current)
        SELECT d.district, d.kind, l.latest, coalesce(l.n, 0), date_diff('day', l.latest, newest),
               (l.latest IS NULL OR date_diff('day', l.latest, newest) > {days}),
               CASE WHEN l.latest IS NULL THEN 'never' WHEN date_diff('day', l.latest, newest) > {days} THEN 'late'
                    ELSE 'ok' END
        FROM d LEFT JOIN l USING (district), newest ORDER BY d.sort_order, d.district"""]


def floor_status(f: Filters, c: Context) -> list[str]:
    return ["SELECT (SELECT count(*) FROM project_current), (SELECT count(*) FROM loads), "
            "(SELECT max(as_of) FROM project_current)"]


def shape_status(d: dict) -> list[tuple]:
    return [(d["projects"], d["loads"], d["newest_as_of"])]


def floor_options(f: Filters, c: Context) -> list[str]:
    return [
        "SELECT name FROM ref_districts UNION SELECT DISTINCT district FROM project_current",
        "SELECT chain, cluster, is_key FROM ref_chains ORDER BY sort_order",
        f"SELECT DISTINCT coalesce(cluster, '{NO_CLUSTER}') FROM project_current",
        "SELECT count(*) > 0 FROM project_current WHERE chain_known IS NOT TRUE",
        "SELECT period FROM project_batches UNION SELECT period FROM project_current WHERE period IS NOT NULL ORDER BY 1",
        """SELECT DISTINCT y FROM (SELECT year(sign_date) AS y FROM project_current UNION ALL
           SELECT year(start_date) FROM project_current UNION ALL SELECT year(production_date) FROM project_current)
           WHERE y IS NOT NULL ORDER BY 1 DESC""",
        "SELECT max(as_of) FROM project_current",
    ]


def shape_options(o) -> list[tuple]:
    return [(len(o.districts), o.periods, o.years)]


def check_options(app_rows, floor_results) -> bool:
    n, periods, years = app_rows[0]
    return (n == len(floor_results[0]) and periods == tuple(r[0] for r in floor_results[4])
            and years[:len(floor_results[5])] == tuple(r[0] for r in floor_results[5]))


def floor_window(f: Filters, c: Context) -> list[str]:
    return ["SELECT max(as_of) FROM project_current"]


def check_window(app_rows, floor_results) -> bool:
    newest = floor_results[0][0][0]
    return True if newest is None else app_rows[0][1] is None or app_rows[0][1] <= newest


# chains
CHAIN_LABEL = f"CASE WHEN chain_known THEN chain ELSE '{UNKNOWN_CHAIN}' END"
CLUSTER_LABEL = f"coalesce(cluster, '{NO_CLUSTER}')"


def floor_key_share(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT count(*) FILTER (WHERE k), count(*), coalesce(sum(w) FILTER (WHERE k), 0), coalesce(sum(w), 0)
                FROM (SELECT p.total_investment_wan AS w, coalesce(p.chain_known AND r.is_key, FALSE) AS k
                      FROM (SELECT chain, chain_known, total_investment_wan FROM project_current WHERE {cond(f)}) p
                      LEFT JOIN ref_chains r ON r.chain = p.chain)"""]


def shape_key_share(d: dict) -> list[tuple]:
    return [(d["key_projects"], d["all_projects"], d["key_investment_wan"], d["all_investment_wan"])]


def _ref_chains(f: Filters) -> str:
    parts = ["TRUE"]
    if f.clusters:
        parts.append(f"cluster IN {qlist(f.clusters)}")
    if f.chains:
        parts.append(f"chain IN {qlist(f.chains)}")
    return f"SELECT chain, cluster, is_key, sort_order FROM ref_chains WHERE {' AND '.join(parts)}"


def floor_chain_summary(f: Filters, c: Context, fewer_than: int | None = None) -> list[str]:
    gaps = (f"WHERE chain <> '{UNKNOWN_CHAIN}' AND projects < {fewer_than}" if fewer_than else "")
    order = "ORDER BY projects, investment_wan" if fewer_than else "ORDER BY o, cluster, chain"
    return [f"""
        WITH agg AS (SELECT {CLUSTER_LABEL} AS cluster, {CHAIN_LABEL} AS chain, count(*) AS n,
                            coalesce(sum(total_investment_wan), 0) AS w
                     FROM project_current WHERE {cond(f)} GROUP BY ALL),
        ref AS ({_ref_chains(f)}),
        chains AS (SELECT cluster, chain, is_key, sort_order FROM ref
                   UNION ALL SELECT a.cluster, a.chain, FALSE, 10000 FROM agg a
                   WHERE NOT EXISTS (SELECT 1 FROM ref r WHERE r.chain = a.chain AND r.cluster = a.cluster)),
        t AS (SELECT sum(n) AS n, sum(w) AS w FROM agg),
        s AS (SELECT ch.cluster, ch.chain, ch.is_key, CAST(coalesce(sum(a.n), 0) AS BIGINT) AS projects,
                     coalesce(sum(a.w), 0) AS investment_wan,
                     coalesce(sum(a.n), 0) / nullif(any_value(t.n), 0) AS share_projects,
                     CAST(coalesce(sum(a.w), 0) / nullif(any_value(t.w), 0) AS DOUBLE) AS share_investment,
                     min(ch.sort_order) AS o
              FROM chains ch LEFT JOIN agg a ON a.chain = ch.chain AND a.cluster = ch.cluster CROSS JOIN t
              GROUP BY ch.cluster, ch.chain, ch.is_key, ch.sort_order)
        SELECT cluster, chain, is_key, projects, investment_wan, share_projects, share_investment
        FROM s {gaps} {order}"""]


def floor_matrix(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT {CLUSTER_LABEL} AS cluster, {CHAIN_LABEL} AS chain, district, count(*),
                       coalesce(sum(total_investment_wan), 0)
                FROM project_current WHERE {cond(f)} GROUP BY ALL"""]


def floor_unknown_chains(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT coalesce(chain, '（空）') AS written, count(*) AS n, coalesce(sum(total_investment_wan), 0),
                       string_agg(DISTINCT district, '、' ORDER BY district)
                FROM project_current WHERE {cond(f)} AND chain_known IS NOT TRUE
                GROUP BY ALL ORDER BY n DESC, written"""]


# 三个一批
def floor_batches(f: Filters, c: Context) -> list[str]:
    base = cond(f.narrowed(periods=()), None)
    periods = f"WHERE period IN {qlist(f.periods)}" if f.periods else ""
    chosen = "(SELECT max(period) FROM m)"
    return [
        f"""CREATE OR REPLACE TEMP TABLE floor_members AS
            WITH h AS (SELECT project_id, period, batch, investment_wan AS w FROM project_batches)
            SELECT h.project_id, h.period, h.batch, h.w, p.district, {CHAIN_LABEL} AS chain_label, {REACHED} AS r
            FROM h JOIN project_current p USING (project_id) WHERE {base}""",
        f"""WITH m AS (SELECT * FROM floor_members {periods}),
            agg AS (SELECT period, batch, count(*) AS n, coalesce(sum(w), 0) AS w FROM m GROUP BY ALL),
            grid AS (SELECT p.period, b.batch, b.ord, coalesce(a.n, 0) AS n, coalesce(a.w, 0) AS w
                     FROM (SELECT DISTINCT period FROM m) p
                     CROSS JOIN (VALUES ('签约一批', 1), ('开工一批', 2), ('投产一批', 3)) b(batch, ord)
                     LEFT JOIN agg a USING (period, batch))
            SELECT period, batch, n, w, lag(n) OVER x, lag(w) OVER x FROM grid
            WINDOW x AS (PARTITION BY batch ORDER BY period) ORDER BY period, ord""",
        f"""WITH m AS (SELECT * FROM floor_members)
            SELECT period, conversion, count(*) AS projects, count(*) FILTER (WHERE converted),
                   count(*) FILTER (WHERE converted) / count(*), count(*) FILTER (WHERE reached),
                   count(*) FILTER (WHERE reached) / count(*)
            FROM (SELECT m.period, m.batch = '签约一批' AS first, CASE m.batch WHEN '签约一批' THEN '签约→开工' ELSE '开工→投产' END
                         AS conversion,
                         EXISTS (SELECT 1 FROM m n WHERE n.project_id = m.project_id AND n.period > m.period
                                 AND n.batch = CASE m.batch WHEN '签约一批' THEN '开工一批' ELSE '投产一批' END) AS converted,
                         m.r >= CASE m.batch WHEN '签约一批' THEN 4 ELSE 5 END AS reached
                  FROM m WHERE m.batch IN ('签约一批', '开工一批') {periods.replace('WHERE', 'AND')})
            GROUP BY period, conversion, first ORDER BY period, first DESC""",
        f"""WITH m AS (SELECT * FROM floor_members WHERE period = {chosen.replace('FROM m', f'FROM floor_members {periods}')}),
            bands AS (SELECT * FROM (VALUES ('≥1亿元', 0, 10000), ('≥10亿元', 1, 100000), ('≥50亿元', 2, 500000),
                                            ('≥100亿元', 3, 1000000)) b(band, ord, floor_wan)),
            keys AS (SELECT DISTINCT period, batch FROM m)
            SELECT k.period, k.batch, b.band, count(m.project_id), coalesce(sum(m.w), 0)
            FROM keys k CROSS JOIN bands b
            LEFT JOIN m ON m.period = k.period AND m.batch = k.batch AND m.w >= b.floor_wan
            GROUP BY k.period, k.batch, b.band, b.ord ORDER BY k.period, k.batch, b.ord""",
        f"""SELECT period, batch, chain_label, count(*), coalesce(sum(w), 0) FROM floor_members
            WHERE period = (SELECT max(period) FROM floor_members {periods}) GROUP BY ALL""",
    ]


def shape_batches(r: dict) -> list[list[tuple]]:
    return [r["summary"].rows(), r["conversion"].rows(), r["bands"].rows(), r["breakdown"].rows()]


# map
def floor_points(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT project_id, project_name, district, stage, {CLUSTER_LABEL}, {CHAIN_LABEL},
                       total_investment_wan, lng, lat, coalesce(location_approximate, FALSE)
                FROM project_current WHERE {cond(f)} AND lng IS NOT NULL AND lat IS NOT NULL
                ORDER BY total_investment_wan DESC NULLS LAST, project_id LIMIT {MAP_POINTS}"""]


def floor_spots(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT round(lng, 6), round(lat, 6), count(*), coalesce(sum(total_investment_wan), 0),
                       string_agg(DISTINCT district, '、' ORDER BY district),
                       CASE WHEN count(*) = 1 THEN any_value(project_id) END,
                       CASE WHEN count(*) = 1 THEN any_value(project_name) END
                FROM project_current
                WHERE {cond(f)} AND lng IS NOT NULL AND lat IS NOT NULL AND location_approximate
                GROUP BY ALL ORDER BY 3 DESC, 1, 2"""]


def floor_location_counts(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT count(*) FILTER (WHERE lng IS NOT NULL AND lat IS NOT NULL),
                       count(*) FILTER (WHERE lng IS NOT NULL AND lat IS NOT NULL AND location_approximate),
                       count(*) FILTER (WHERE lng IS NULL OR lat IS NULL)
                FROM project_current WHERE {cond(f)}"""]


def floor_district_totals(f: Filters, c: Context) -> list[str]:
    return [f"""WITH a AS (SELECT district, count(*) AS n, coalesce(sum(total_investment_wan), 0) AS w
                           FROM project_current WHERE {cond(f)} GROUP BY district)
                SELECT coalesce(d.name, a.district), d.kind,
                       CASE WHEN d.kind = '功能区' THEN d.parent_code ELSE d.code END,
                       coalesce(a.n, 0), coalesce(a.w, 0)
                FROM ref_districts d FULL JOIN a ON a.district = d.name"""]


# ledger
def _list_columns() -> str:
    from warehouse.ledger import LIST_COLUMNS
    return ", ".join(LIST_COLUMNS)


def floor_count(f: Filters, c: Context) -> list[str]:
    return [f"SELECT count(*), coalesce(sum(total_investment_wan), 0) FROM project_current WHERE {cond(f)}"]


def floor_list(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT {_list_columns()} FROM project_current WHERE {cond(f)}
                ORDER BY total_investment_wan DESC NULLS LAST, project_name, project_id LIMIT {LIST_LIMIT}"""]


def floor_detail(f: Filters, c: Context) -> list[str]:
    return [f"SELECT {VIEW_COLUMNS} FROM project_current WHERE project_id = {q(c.project_id)}"]


def floor_history(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT as_of, stage, total_investment_wan, sign_date, start_date, production_date, period, batch,
                       district, source_file, source_sheet, source_row
                FROM project_rows WHERE project_id = {q(c.project_id)} ORDER BY as_of, load_id, source_row"""]


# 预警督办
def _stall_where(c: Context) -> tuple[str, str]:
    newest = "(SELECT max(as_of) FROM project_current)"
    k1 = (f"stage <> '终止' AND r >= 2 AND r < 4 AND sign_date < {newest} - INTERVAL {c.signed_months} MONTH")
    k2 = (f"stage <> '终止' AND r >= 4 AND r < 5 AND start_date < {newest} - INTERVAL {c.started_months} MONTH")
    return k1, k2


def floor_stall_counts(f: Filters, c: Context) -> list[str]:
    k1, k2 = _stall_where(c)
    return [f"""SELECT count(*) FILTER (WHERE {k1}), count(*) FILTER (WHERE {k2})
                FROM (SELECT stage, sign_date, start_date, {REACHED} AS r FROM project_current WHERE {cond(f, None)})"""]


def floor_stall_summaries(f: Filters, c: Context) -> list[str]:
    return [*floor_stall_counts(f, c), *floor_stall_summary("district")(f, c),
            *floor_stall_summary("responsible_unit")(f, c)]


def shape_stall_summaries(d: dict) -> list[list[tuple]]:
    return [[(d["counts"]["签约未开工"], d["counts"]["开工未投产"])], d["district"].rows(), d["responsible_unit"].rows()]


def floor_stall_summary(by: str) -> Callable:
    def floor(f: Filters, c: Context) -> list[str]:
        k1, k2 = _stall_where(c)
        return [f"""SELECT coalesce({by}, '（未填写）') AS g, count(*) FILTER (WHERE {k1}), count(*) FILTER (WHERE {k2}),
                           count(*) AS n, coalesce(sum(w), 0)
                    FROM (SELECT {by}, stage, sign_date, start_date, total_investment_wan AS w, {REACHED} AS r
                          FROM project_current WHERE {cond(f, None)})
                    WHERE ({k1}) OR ({k2}) GROUP BY ALL ORDER BY n DESC, g"""]
    return floor


def floor_stall_list(f: Filters, c: Context) -> list[str]:
    k1, k2 = _stall_where(c)
    newest = "(SELECT max(as_of) FROM project_current)"
    fields = ("project_id, project_name, district, responsible_unit, leader, stage, sign_date, start_date, "
              "total_investment_wan, chain, investor, as_of")
    return [f"""
        WITH p AS (SELECT {fields}, {REACHED} AS r FROM project_current WHERE {cond(f, None)}),
        s AS (SELECT '签约未开工' AS kind, 1 AS o, date_diff('month', sign_date, {newest}) AS months, * FROM p WHERE {k1}
              UNION ALL
              SELECT '开工未投产', 2, date_diff('month', start_date, {newest}), * FROM p WHERE {k2})
        SELECT kind, months FROM s
        QUALIFY row_number() OVER (PARTITION BY kind ORDER BY months DESC) <= {LIST_LIMIT}"""]


def shape_stall_list(df) -> list[tuple]:
    return df.select("kind", "months").rows()


# 数据管理
def floor_load_history(f: Filters, c: Context) -> list[str]:
    return ["""SELECT load_id, loaded_at, loaded_by, file_name, kind, status, message, as_of, as_of_source, rows_read,
                      rows_loaded, rows_skipped, rows_rejected, coalesce(len(warnings), 0)
               FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT 500"""]


def floor_rejected(f: Filters, c: Context) -> list[str]:
    return ["""SELECT r.load_id, l.loaded_at, r.source_file, r.source_sheet, r.source_row, r.reason, r.raw_values
               FROM rejected_rows r LEFT JOIN loads l USING (load_id)
               ORDER BY r.load_id DESC, r.source_sheet, r.source_row LIMIT 5000"""]


def floor_rejected_count(f: Filters, c: Context) -> list[str]:
    return ["SELECT count(*) FROM rejected_rows"]


def floor_warnings(f: Filters, c: Context) -> list[str]:
    return ["""SELECT w.load_id, l.file_name, w.source_sheet, w.kind, w.message
               FROM load_warnings w LEFT JOIN loads l USING (load_id)
               ORDER BY w.load_id DESC, w.kind, w.source_sheet LIMIT 5000"""]


def floor_duplicates(f: Filters, c: Context) -> list[str]:
    return ["""SELECT project_name, count(DISTINCT district) AS k, string_agg(DISTINCT district, '、' ORDER BY district),
                      count(*), string_agg(coalesce(project_code, '（无编号）'), '、' ORDER BY project_code)
               FROM project_current
               WHERE project_name IN (SELECT project_name FROM project_current GROUP BY project_name
                                      HAVING min(district) <> max(district))
               GROUP BY project_name ORDER BY k DESC, project_name"""]


# 目标进度 (the floor is the view itself: see the module docstring)
def floor_targets_view(sql: Callable[[Context], str]) -> Callable:
    return lambda f, c: [sql(c)]


# 考评排名 (warehouse/scoring.py): the districts scored, and the 三个一批 comment period's batches
def _city() -> str:
    from warehouse.settings import settings
    return str(settings().get("city", "code"))


def floor_score_districts(f: Filters, c: Context) -> list[str]:
    return [f"SELECT count(*) FROM ref_districts WHERE city_code = {q(_city())}"]


def floor_batch_comment(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT d.code, d.name, b.batch, count(*), coalesce(sum(b.investment_wan), 0)
                FROM project_batches b JOIN project_current p USING (project_id) JOIN ref_districts d ON d.code = p.district_code
                WHERE b.period = (SELECT max(period) - 1 FROM project_batches) AND d.city_code = {q(_city())}
                GROUP BY ALL"""]


def floor_behind(f: Filters, c: Context) -> list[str]:
    return [f"""SELECT count(*) FROM project_current WHERE district_code = (SELECT code FROM ref_districts
                WHERE city_code = {q(_city())} ORDER BY sort_order, code LIMIT 1)"""]


def _month_label(c: Context) -> tuple[int, str]:
    d = c.newest or date.today()
    return d.year, f"{d.year}-{d.month:02d}"


def _behind_call(con, f: Filters, c: Context):
    year, label = _month_label(c)
    first = next(iter(_fn("scoring", "districts")(con)), "")
    return _fn("scoring", "behind_projects")(con, year, label, first)


# --- the registry -------------------------------------------------------------------------------

@dataclass
class Query:
    key: str
    label: str
    app: Callable[[Any, Filters, Context], Any]
    floor: Callable[[Filters, Context], list[str]] | None
    shape: Callable[[Any], Any] | None = None
    filtered: bool = True          # depends on the sidebar filters
    check: Callable[[Any, list], bool] | None = None     # custom comparison app rows ↔ floor results
    needs: tuple[str, ...] = ()    # warehouse modules it needs (a page still being written may lack them)
    calls: int = 1                 # how many times one page opening makes this call

    @property
    def floor_is_view(self) -> bool:
        """The floor reads the app's own view (目标进度): not worth timing when the call is slow."""
        return "targets" in self.needs


def _fn(module: str, name: str):
    return getattr(importlib.import_module(f"warehouse.{module}"), name)


def _call(module: str, name: str, *args, filtered: bool = True):
    def run(con, f: Filters, c: Context):
        fn = _fn(module, name)
        extra = [a(c) if callable(a) else a for a in args]
        return fn(con, f, *extra) if filtered else fn(con, *extra)
    return run


def _frame_rows(df) -> list[tuple]:
    return df.rows()


def _six(name: str, *args):
    """bench/six_queries.py's `name` (a maker of the call or floor when given args), looked up when used."""
    def use(*call):
        found = getattr(importlib.import_module("bench.six_queries"), name)
        return (found(*args) if args else found)(*call)
    return use


QUERY_LIST: list[Query] = [
    Query("status", "数据状态", _call("freshness", "data_status", filtered=False), floor_status, shape_status, False),
    Query("filter_options", "侧栏筛选选项", _call("options", "filter_options", filtered=False), floor_options,
          shape_options, False, check_options),
    Query("overview.window_of", "时间范围", _call("overview", "window_of"), floor_window, lambda r: [r], True,
          check_window),
    Query("overview.headline", "签约/开工/投产与同比", _call("overview", "headline"), floor_headline, shape_headline),
    Query("overview.funnel", "转化漏斗", _call("overview", "funnel"), floor_funnel, shape_funnel),
    Query("overview.district_ranking", "县区排名", _call("overview", "district_ranking"), floor_ranking,
          lambda df: df.drop("rank").rows()),
    Query("overview.monthly_trend", "月度趋势", _call("overview", "monthly_trend"), floor_trend, _frame_rows),
    Query("overview.top_projects", "投资额最大十个项目", _call("overview", "top_projects", 10), floor_top, _frame_rows),
    Query("freshness.newest_as_of", "最新台账日期", _call("freshness", "newest_as_of", filtered=False), floor_window,
          lambda d: [(d,)], False),
    Query("freshness.district_freshness", "数据新鲜度", _call("freshness", "district_freshness", filtered=False),
          floor_freshness, _frame_rows, False),
    Query("chains.key_chain_share", "重点产业链占比", _call("chains", "key_chain_share"), floor_key_share,
          shape_key_share),
    Query("chains.chain_summary", "产业集群→产业链", _call("chains", "chain_summary"), floor_chain_summary, _frame_rows),
    Query("chains.chain_district_matrix", "产业链×县区", _call("chains", "chain_district_matrix"), floor_matrix,
          _frame_rows),
    Query("chains.chain_gaps", "补链（少于3个）", _call("chains", "chain_gaps", 3),
          lambda f, c: floor_chain_summary(f, c, 3), _frame_rows),
    Query("chains.unknown_chains", "未识别产业链", _call("chains", "unknown_chains"), floor_unknown_chains, _frame_rows),
    Query("batches.batch_report", "三个一批（汇总、转化、规模、分组）", _call("batches", "batch_report", None, "chain"),
          floor_batches, shape_batches),
    Query("mapdata.map_points", "地图项目点（≤2万）", _call("mapdata", "map_points"), floor_points, _frame_rows),
    Query("mapdata.approximate_spots", "近似位置（按点汇总）", _call("mapdata", "approximate_spots"), floor_spots,
          _frame_rows),
    Query("mapdata.location_counts", "坐标统计", _call("mapdata", "location_counts"), floor_location_counts,
          lambda d: [tuple(d.values())]),
    Query("mapdata.district_totals", "县区合计（边界）", _call("mapdata", "district_totals"), floor_district_totals,
          _frame_rows),
    Query("ledger.project_count", "符合条件的项目数", _call("ledger", "project_count", None), floor_count,
          lambda d: [tuple(d.values())]),
    Query("ledger.project_list", "项目清单（前2000）", _call("ledger", "project_list", None), floor_list, _frame_rows),
    Query("ledger.project_detail", "项目详情（点选）",
          lambda con, f, c: _fn("ledger", "project_detail")(con, c.project_id), floor_detail,
          lambda d: [tuple(d.values())] if d else [], False),
    Query("ledger.project_history", "项目历次台账（点选）",
          lambda con, f, c: _fn("ledger", "project_history")(con, c.project_id), floor_history, _frame_rows, False),
    Query("stalls.stalled_summaries", "预警数、按县区、按责任单位", _call("stalls", "stalled_summaries"),
          floor_stall_summaries, shape_stall_summaries),
    Query("stalls.stalled_projects", "预警清单（每类前2000）", _call("stalls", "stalled_projects", None, None, LIST_LIMIT),
          floor_stall_list, shape_stall_list),
    Query("admin.load_history", "入库记录", _call("admin", "load_history", filtered=False), floor_load_history,
          _frame_rows, False),
    Query("admin.rejected_rows", "拒收行", _call("admin", "rejected_rows", filtered=False), floor_rejected,
          _frame_rows, False),
    Query("admin.rejected_count", "拒收行数", _call("admin", "rejected_count", filtered=False), floor_rejected_count,
          lambda n: [(n,)], False),
    Query("admin.load_warnings", "入库警告", _call("admin", "load_warnings", filtered=False), floor_warnings,
          _frame_rows, False),
    Query("admin.duplicate_names", "多县区同名项目", _call("admin", "duplicate_names", filtered=False),
          floor_duplicates, _frame_rows, False),
    # 目标进度: the page reads the newest year's progress at every report date once and derives the
    # dates, the sentence, the city totals, the matrix and each indicator's trajectory from it
    Query("targets.status", "目标数据状态", _call("targets", "status", filtered=False),
          floor_targets_view(lambda c: "SELECT DISTINCT year FROM (SELECT year FROM indicator_targets UNION ALL "
                                       "SELECT year FROM indicator_actuals) ORDER BY year DESC"),
          lambda d: [(y,) for y in d["years"]], False, needs=("targets",)),
    Query("targets.indicator_progress", "全年县区×指标（每个报告日期）",
          _call("targets", "indicator_progress", lambda c: c.target_year, filtered=False),
          floor_targets_view(lambda c: f"SELECT * FROM indicator_progress WHERE year = {c.target_year}"),
          lambda df: [(df.height,)], False, lambda a, fl: a[0][0] == len(fl[0]), needs=("targets",)),
    # 考评排名: the rules are a file, the scores Decimal arithmetic over per-district aggregates; the
    # floor checks the districts scored (all of them, or none when the year has no rules or data)
    Query("scoring.score_board", "考评排名（本期与上期）", _call("scoring", "score_board", filtered=False),
          floor_score_districts, lambda b: [(b["scores"].height, b["error"] is None)], False,
          lambda a, fl: (not a[0][1] and a[0][0] == 0) or a[0][0] == fl[-1][0][0], needs=("scoring",)),
    Query("scoring.batch_board", "“三个一批”考评（n−2期排名、n−1期点评）", _call("scoring", "batch_board", filtered=False),
          floor_batch_comment, lambda b: b["comment"].rows(), False, needs=("scoring",)),
    Query("scoring.behind_projects", "考评分项背后的项目", _behind_call, floor_behind, None, False, needs=("scoring",)),
    Query("scoring.input_listing", "考评录入记录", _call("scoring", "input_listing", filtered=False),
          lambda f, c: ["SELECT count(*) FROM score_inputs"], lambda df: [(df.height,)], False, needs=("scoring",)),
    # 六职招商 (bench/six_queries.py): the newest month, by district and by leader, the first leader's detail
    Query("six.status", "六职数据状态（月份）", _call("six", "status", filtered=False), _six("floor_status"),
          _six("shape_status"), False, needs=("six",)),
    Query("six.activity", "六职外出招商按县区", _six("app", "activity"), _six("floor_activity", "district"), _frame_rows,
          needs=("six",)),
    Query("six.progress", "六职项目进展（按领导、县区、合计）", _six("app", "progress"), _six("floor_progress"),
          _frame_rows, needs=("six",)),
    Query("six.activity.leader", "六职外出招商按领导", _six("app", "activity", "leader"),
          _six("floor_activity", "leader"), _frame_rows, needs=("six",)),
    Query("six.trend", "六职每月外出招商", _six("app", "trend"), _six("floor_trend"), _frame_rows, needs=("six",)),
    Query("six.leader_trips", "一位领导的外出招商", _six("app_leader", "leader_trips"), _six("floor_leader_trips"),
          _frame_rows, needs=("six",)),
    Query("six.projects", "一位领导的包抓项目", _six("app_leader", "projects"), _six("floor_projects"), _frame_rows,
          needs=("six",)),
]
QUERIES: dict[str, Query] = {x.key: x for x in QUERY_LIST}

# What a page asks for when it opens: the page run's own calls (ui.page: the data status, the
# sidebar's options) and then its description's (pages/<key>.py), recorded by running the
# description on a connection (`record_pages`), so this list cannot drift from the pages. The two
# tool views have no description: 数据管理 is a script, a click shows a project's detail.
PAGE_RUN = ["status", "filter_options"]
TOOL_PAGES: dict[str, tuple[str, list[str]]] = {
    "data": ("数据管理", ["status", "admin.load_history", "admin.rejected_rows", "admin.rejected_count",
                         "admin.load_warnings", "admin.duplicate_names", "freshness.district_freshness"]),
    "click": ("点选项目（台账/地图）", ["ledger.project_detail", "ledger.project_history"]),
    "score_inputs": ("考评录入", ["status", "scoring.input_listing"]),
}


def query_key(fn, args: tuple) -> str:
    """The QUERIES key of a warehouse call: module.function, and its grouping when registered by it
    (six.activity.leader beside six.activity)."""
    key = f"{fn.__module__.removeprefix('warehouse.')}.{fn.__name__}"
    key = {"options.filter_options": "filter_options", "freshness.data_status": "status"}.get(key, key)
    named = [a for a in args if isinstance(a, str)]
    if named and f"{key}.{named[0]}" in QUERIES:        # six.activity.leader beside six.activity
        return f"{key}.{named[0]}"
    if key in QUERIES:
        return key
    return f"{key}.{named[0]}" if named else key


def record_pages(con, filters: Filters) -> dict[str, tuple[str, list[str]]]:
    """Each report page's calls, in order (each once), as its description makes them with `filters`."""
    import pages
    from report.view import View

    out: dict[str, tuple[str, list[str]]] = {}
    for info in pages.report_pages():
        calls: list[str] = list(PAGE_RUN) if info.key != "targets" else ["targets.status", "filter_options"]

        def ask(fn, *args, **kwargs):
            key = query_key(fn, args)
            if key not in calls:
                calls.append(key)
            return fn(con, *args, **kwargs)

        pages.page_items(info.key, View(ask=ask, filters=filters))
        out[info.key] = (info.menu, calls)
    return {**out, **TOOL_PAGES}


def available(query: Query) -> str | None:
    """None when the query can run here; else why not (a module a page needs is not written yet)."""
    for module in query.needs:
        try:
            importlib.import_module(f"warehouse.{module}")
        except ImportError as exc:
            return f"warehouse.{module} missing ({exc})"
    return None


# --- comparing the app's answer with the floor's ---------------------------------------------------

def _norm(v):
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v else "nan"
    if isinstance(v, float):
        return round(v, 9)
    if isinstance(v, (list, tuple)):
        return tuple(_norm(x) for x in v)
    return v


def _rows(rows) -> list[tuple]:
    return sorted((tuple(_norm(x) for x in r) for r in rows), key=repr)


def same_answer(query: Query, app_result, floor_results: list[list[tuple]]) -> bool:
    """Does the floor's SQL give the rows the app's function gave (as multisets)?"""
    if query.shape is None:
        return True
    shaped = query.shape(app_result)
    if query.check is not None:
        return query.check(shaped, floor_results)
    if shaped and isinstance(shaped[0], list):          # several answers (三个一批)
        return len(shaped) == len(floor_results) and all(
            _rows(a) == _rows(b) for a, b in zip(shaped, floor_results))
    return _rows(shaped) == _rows(floor_results[-1])


__all__ = ["record_pages", "query_key", "TOOL_PAGES", "QUERIES", "QUERY_LIST", "Query", "Context", "make_context", "scenarios", "same_answer",
           "available", "field"]
