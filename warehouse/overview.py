"""The cockpit's numbers: 签约/开工/投产 with 同比, the funnel, district ranking, trend, top projects.

Money stays DECIMAL (万元) in every frame; pages convert to 亿元 for display only.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.filters import EVENT_DATES, Filters, clipped, in_window, shifted_year, where
from warehouse.freshness import newest_as_of
from warehouse.progress import EFFECTIVE, PRODUCING, REGISTERED, SIGNED, STARTED, reached_sql

EVENTS = (("签约", "sign", SIGNED), ("开工", "start", STARTED), ("投产", "production", PRODUCING))


def _event_aggregates(filters: Filters, suffix: str) -> tuple[list[str], list]:
    cols, params = [], []
    for _, key, ordinal in EVENTS:
        cond, p = in_window("p." + EVENT_DATES[key], filters)
        flt = f"FILTER (WHERE reached >= {ordinal} AND {cond})"
        cols.append(f"count(*) {flt} AS {key}_n{suffix}")
        cols.append(f"coalesce(sum(total_investment_wan) {flt}, 0) AS {key}_wan{suffix}")
        params.extend(p + p)
    return cols, params


def headline(con, filters: Filters) -> pl.DataFrame:
    """One row per event (签约, 开工, 投产): projects and investment in the window, and the same
    window one year earlier (同比; null without a window). The window ends at the newest
    ledger date, so 同比 compares the same months of both years."""
    newest = newest_as_of(con)
    current = clipped(filters, newest)
    base_sql, base_params = where(filters, window=None)
    cols, params = _event_aggregates(current, "")
    if filters.has_window:
        prev_cols, prev_params = _event_aggregates(shifted_year(current), "_prev")
        cols += prev_cols
        params += prev_params
    row = con.execute(
        f"""
        WITH p AS (SELECT p.*, {reached_sql('p')} AS reached FROM projects p WHERE {base_sql})
        SELECT {', '.join(cols)} FROM p
        """,
        base_params + params,
    ).fetchone()
    names = [d[0] for d in con.description]
    values = dict(zip(names, row))
    records = []
    for label, key, _ in EVENTS:
        n, wan = values[f"{key}_n"], values[f"{key}_wan"]
        n0, wan0 = values.get(f"{key}_n_prev"), values.get(f"{key}_wan_prev")
        records.append({
            "event": label, "projects": n, "investment_wan": wan,
            "prev_projects": n0, "prev_investment_wan": wan0,
            "projects_yoy": _change(n, n0), "investment_yoy": _change(wan, wan0),
        })
    return pl.DataFrame(records, schema_overrides={"projects_yoy": pl.Float64,
                                                   "investment_yoy": pl.Float64})


def _change(now, before) -> float | None:
    """同比 as a fraction (0.25 = +25%); None when there is nothing to compare with."""
    if before is None or now is None or before == 0:
        return None
    return float((now - before) / before)


def window_of(con, filters: Filters) -> tuple[date | None, date | None]:
    """The window the headline used (clipped at the newest ledger date), for the caption."""
    f = clipped(filters, newest_as_of(con))
    return f.date_from, f.date_to


# stage, the ordinal reached, the rate's name and its denominator (the ordinal counted below it)
FUNNEL = (("签约", SIGNED, None, None), ("履约", REGISTERED, "履约率", SIGNED), ("开工", STARTED, "开工率", SIGNED),
          ("投产", PRODUCING, "投产率", STARTED), ("达效", EFFECTIVE, "达效率", PRODUCING))


def funnel(con, filters: Filters) -> pl.DataFrame:
    """在谈 → 签约 → 履约 → 开工 → 投产 → 达效 over the cohort signed in the window.

    在谈: projects negotiating now. The other rows count the cohort (reached 签约, signed in the
    window) by the furthest stage reached. rate: 履约率 = 履约+/signed, 开工率 = 开工+/signed,
    投产率 = 投产+/开工+, 达效率 = 达效/投产+ (null when the denominator is 0). Terminated
    projects stay in every denominator (terminated_in_cohort counts them).
    """
    base_sql, base_params = where(filters, window=None)
    sign_cond, sign_params = in_window("p.sign_date", filters)
    neg_sql, neg_params = where(filters, window="activity")
    counts = ", ".join(
        f"count(*) FILTER (WHERE reached >= {o}) AS n{o}, "
        f"coalesce(sum(total_investment_wan) FILTER (WHERE reached >= {o}), 0) AS w{o}"
        for _, o, _, _ in FUNNEL)
    stages = " UNION ALL ".join(
        f"SELECT '{stage}' AS stage, {o} AS ord, n{o} AS projects, w{o} AS investment_wan, "
        + (f"'{rate}' AS rate_name, n{o} / nullif(n{d}, 0) AS rate, n{d} AS denominator"
           if rate else "NULL AS rate_name, NULL::DOUBLE AS rate, NULL::BIGINT AS denominator")
        + " FROM agg" for stage, o, rate, d in FUNNEL)
    return con.execute(
        f"""
        WITH p AS (SELECT p.*, {reached_sql('p')} AS reached FROM projects p WHERE {base_sql}),
        cohort AS (SELECT * FROM p WHERE reached >= {SIGNED} AND {sign_cond}),
        agg AS (SELECT {counts}, count(*) FILTER (WHERE stage = '终止') AS terminated FROM cohort),
        negotiating AS (SELECT count(*) AS n, coalesce(sum(total_investment_wan), 0) AS w
                        FROM projects p WHERE {neg_sql} AND p.stage = '在谈')
        SELECT f.stage, f.projects, f.investment_wan, f.rate_name, f.rate, f.denominator,
               agg.terminated AS terminated_in_cohort
        FROM (SELECT '在谈' AS stage, 0 AS ord, n AS projects, w AS investment_wan, NULL AS rate_name,
                     NULL::DOUBLE AS rate, NULL::BIGINT AS denominator FROM negotiating
              UNION ALL {stages}) f, agg
        ORDER BY f.ord
        """,
        base_params + sign_params + neg_params,
    ).pl()


def district_ranking(con, filters: Filters) -> pl.DataFrame:
    """Per district: 签约/开工/投产 projects and investment in the window, ranked by signed
    investment (then count). Districts with nothing are listed too, at the bottom."""
    base_sql, base_params = where(filters, window=None)
    cols, params = _event_aggregates(clipped(filters, newest_as_of(con)), "")
    district_filter = "TRUE"
    district_params: list = []
    if filters.districts:
        district_filter = "list_contains(?::VARCHAR[], d.district)"
        district_params = [list(filters.districts)]
    return con.execute(
        f"""
        WITH p AS (SELECT p.*, {reached_sql('p')} AS reached FROM projects p WHERE {base_sql}),
        agg AS (SELECT district, {', '.join(cols)} FROM p GROUP BY district),
        districts AS (
            SELECT name AS district, sort_order FROM ref_districts
            UNION ALL
            SELECT district, 1000 FROM agg WHERE district NOT IN (SELECT name FROM ref_districts)
        )
        SELECT d.district,
               coalesce(sign_n, 0) AS signed, coalesce(sign_wan, 0) AS signed_wan,
               coalesce(start_n, 0) AS started, coalesce(start_wan, 0) AS started_wan,
               coalesce(production_n, 0) AS producing, coalesce(production_wan, 0) AS producing_wan
        FROM districts d LEFT JOIN agg USING (district)
        WHERE {district_filter}
        ORDER BY signed_wan DESC, signed DESC, d.sort_order
        """,
        base_params + params + district_params,
    ).pl().with_row_index("rank", offset=1)


def monthly_trend(con, filters: Filters) -> pl.DataFrame:
    """Per month and event (签约/开工/投产): projects and investment. The months of the window,
    or the 24 months up to the newest ledger date when there is no window."""
    newest = newest_as_of(con)
    if newest is None:
        return pl.DataFrame(schema={"month": pl.Date, "event": pl.Utf8, "projects": pl.Int64,
                                    "investment_wan": pl.Decimal(38, 6)})
    f = clipped(filters, newest)
    if not f.has_window:
        start = date(newest.year - 2 + (newest.month == 12), newest.month % 12 + 1, 1)
        f = f.narrowed(date_from=start, date_to=newest)
    start = f.date_from or date(newest.year - 2, 1, 1)
    end = f.date_to or newest
    base_sql, base_params = where(filters, window=None)
    unions, params = [], []
    for label, key, ordinal in EVENTS:
        cond, p = in_window("p." + EVENT_DATES[key], f)
        unions.append(
            f"SELECT '{label}' AS event, date_trunc('month', p.{EVENT_DATES[key]}) AS month, "
            f"p.total_investment_wan FROM p WHERE {cond} AND reached >= {ordinal}")
        params.extend(p)
    return con.execute(
        f"""
        WITH p AS (SELECT p.*, {reached_sql('p')} AS reached FROM projects p WHERE {base_sql}),
        months AS (SELECT CAST(m AS DATE) AS month FROM
                   range(date_trunc('month', ?::DATE), ?::DATE + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)),
        events AS (SELECT * FROM (VALUES ('签约', 1), ('开工', 2), ('投产', 3)) e(event, ord)),
        hits AS ({' UNION ALL '.join(unions)}),
        agg AS (SELECT event, CAST(month AS DATE) AS month, count(*) AS projects,
                       coalesce(sum(total_investment_wan), 0) AS investment_wan
                FROM hits GROUP BY ALL)
        SELECT m.month, e.event, coalesce(a.projects, 0) AS projects,
               coalesce(a.investment_wan, 0) AS investment_wan
        FROM months m CROSS JOIN events e LEFT JOIN agg a ON a.month = m.month AND a.event = e.event
        ORDER BY m.month, e.ord
        """,
        base_params + [start, end] + params,
    ).pl()


def top_projects(con, filters: Filters, limit: int = 10) -> pl.DataFrame:
    """The largest projects by total investment (unknown amounts last)."""
    sql, params = where(filters)
    return con.execute(
        f"""
        SELECT project_id, project_name, district, chain, chain_known, stage,
               total_investment_wan, investor, sign_date
        FROM projects p WHERE {sql}
        ORDER BY total_investment_wan DESC NULLS LAST, project_name
        LIMIT ?
        """,
        params + [int(limit)],
    ).pl()

