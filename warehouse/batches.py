"""三个一批: per period (期), the 签约一批 / 开工一批 / 投产一批 batches.

A project can sit in several periods (signed in 第12期, started in 第13期), so batch membership
comes from every monthly snapshot, not from the latest state alone: the loader keeps it in
`project_batches` (warehouse/derived.py). A batch's investment is the project's amount in the
latest snapshot that lists it in that batch.
Periods are the time axis here: the sidebar's date window does not apply, the 期 filter does.
"""

from __future__ import annotations

import hashlib

import polars as pl

from warehouse.filters import NO_CLUSTER, UNKNOWN_CHAIN, Filters, where
from warehouse.progress import PRODUCING, STARTED, reached_sql

BATCHES = ("签约一批", "开工一批", "投产一批")
SIZE_BANDS = (("≥1亿元", 10_000), ("≥10亿元", 100_000), ("≥50亿元", 500_000), ("≥100亿元", 1_000_000))
# 签约一批 → 开工一批, 开工一批 → 投产一批: the batch a project moves on to, and the stage it means
NEXT_BATCH = {"签约一批": ("开工一批", STARTED), "开工一批": ("投产一批", PRODUCING)}

_DIMENSIONS = {"district": "m.district", "chain": "m.chain_label", "cluster": "m.cluster_label"}


def batch_report(con, filters: Filters, period: int | None = None, by: str = "district") -> dict:
    """Everything the 三个一批 page shows, on one connection (the members are built once):
    summary (all periods), conversion, and for `period` (default: the latest) bands and breakdown."""
    summary = batch_summary(con, filters)
    periods = sorted(set(summary["period"].to_list()))
    chosen = period if period in periods else (periods[-1] if periods else None)
    one = filters.narrowed(periods=(chosen,)) if chosen is not None else filters
    return {
        "summary": summary, "period": chosen, "conversion": period_conversion(con, filters),
        "bands": size_bands(con, one), "breakdown": batch_breakdown(con, one, by),
    }


def _members_sql(filters: Filters) -> tuple[str, list]:
    """SELECT of the members of every period: one row per (project, period, batch) with the
    amount of its latest row in that batch. The filters on district/cluster/chain/stage look at
    the project's latest state (as every other page does); the 期 filter is applied by each
    query (`_periods`), so one members table serves them all."""
    base_sql, base_params = where(filters.narrowed(periods=()), alias="p", window=None)
    sql = f"""
        WITH h AS (SELECT project_id, period, batch, investment_wan FROM project_batches)
        SELECT h.*, p.district,
               CASE WHEN p.chain_known THEN p.chain ELSE '{UNKNOWN_CHAIN}' END AS chain_label,
               coalesce(p.cluster, '{NO_CLUSTER}') AS cluster_label,
               {reached_sql('p')} AS reached
        FROM h JOIN projects p USING (project_id)
        WHERE {base_sql}"""
    return sql, base_params


def _members(con, filters: Filters) -> str:
    """A temp table of the members for these filters, built once per connection: the page's
    four batch queries share it (see `batch_report`)."""
    key = filters.narrowed(periods=())
    name = "batch_members_" + hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                         [name]).fetchone()[0]
    if not exists:
        sql, params = _members_sql(key)
        con.execute(f"CREATE TEMP TABLE {name} AS {sql}", params)
    return name


def _periods(filters: Filters, column: str = "m.period") -> tuple[str, list]:
    if not filters.periods:
        return "TRUE", []
    return f"list_contains(?::INTEGER[], {column})", [list(filters.periods)]


def batch_summary(con, filters: Filters) -> pl.DataFrame:
    """period, batch, projects, investment_wan, and the change against the previous period
    (prev_projects, prev_investment_wan) — every period × batch, zero when empty."""
    m = _members(con, filters)
    cond, params = _periods(filters)
    return con.execute(
        f"""
        WITH m AS (SELECT * FROM {m} m WHERE {cond}),
        agg AS (SELECT period, batch, count(*) AS projects,
                       coalesce(sum(investment_wan), 0) AS investment_wan FROM m GROUP BY ALL),
        periods AS (SELECT DISTINCT period FROM m),
        batches AS (SELECT * FROM (VALUES ('签约一批', 1), ('开工一批', 2), ('投产一批', 3)) b(batch, ord)),
        grid AS (
            SELECT p.period, b.batch, b.ord, coalesce(a.projects, 0) AS projects,
                   coalesce(a.investment_wan, 0) AS investment_wan
            FROM periods p CROSS JOIN batches b LEFT JOIN agg a USING (period, batch))
        SELECT period, batch, projects, investment_wan,
               lag(projects) OVER w AS prev_projects, lag(investment_wan) OVER w AS prev_investment_wan
        FROM grid
        WINDOW w AS (PARTITION BY batch ORDER BY period)
        ORDER BY period, ord
        """,
        params,
    ).pl()


def size_bands(con, filters: Filters) -> pl.DataFrame:
    """period, batch, band, projects, investment_wan: bands are cumulative (≥1亿 includes ≥10亿)."""
    m = _members(con, filters)
    cond, params = _periods(filters)
    bands = " UNION ALL ".join(
        f"SELECT '{label}' AS band, {i} AS ord, CAST({wan} AS DECIMAL(24, 6)) AS floor_wan"
        for i, (label, wan) in enumerate(SIZE_BANDS))
    return con.execute(
        f"""
        WITH m AS (SELECT * FROM {m} m WHERE {cond}),
        bands AS ({bands}),
        keys AS (SELECT DISTINCT period, batch FROM m)
        SELECT k.period, k.batch, b.band, count(m.project_id) AS projects,
               coalesce(sum(m.investment_wan), 0) AS investment_wan
        FROM keys k CROSS JOIN bands b
        LEFT JOIN m ON m.period = k.period AND m.batch = k.batch AND m.investment_wan >= b.floor_wan
        GROUP BY k.period, k.batch, b.band, b.ord
        ORDER BY k.period, k.batch, b.ord
        """,
        params,
    ).pl()


def batch_breakdown(con, filters: Filters, by: str = "district") -> pl.DataFrame:
    """period, batch, <by> (district / chain / cluster), projects, investment_wan."""
    if by not in _DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    m = _members(con, filters)
    cond, params = _periods(filters)
    return con.execute(
        f"""
        SELECT m.period, m.batch, {_DIMENSIONS[by]} AS {by}, count(*) AS projects,
               coalesce(sum(m.investment_wan), 0) AS investment_wan
        FROM {m} m WHERE {cond}
        GROUP BY ALL ORDER BY m.period, m.batch, investment_wan DESC, {by}
        """,
        params,
    ).pl()


def period_conversion(con, filters: Filters) -> pl.DataFrame:
    """Per period and conversion (签约→开工, 开工→投产): the batch's projects, how many were
    listed in the next batch in a later period (converted, rate), and how many have reached
    the next stage by now (reached_now, reached_rate)."""
    # the next batch may lie in a period the 期 filter leaves out: look it up in all periods
    m = _members(con, filters)
    source_cond, period_params = _periods(filters)
    source_params: list = []
    rows = []
    for i, (batch, (next_batch, stage_ord)) in enumerate(NEXT_BATCH.items()):
        rows.append(f"""
            SELECT m.period, {i} AS ord, '{batch[:2]}→{next_batch[:2]}' AS conversion,
                   count(*) AS projects,
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM m n WHERE n.project_id = m.project_id
                         AND n.batch = '{next_batch}' AND n.period > m.period)) AS converted,
                   count(*) FILTER (WHERE m.reached >= {stage_ord}) AS reached_now
            FROM m WHERE m.batch = '{batch}' AND {source_cond} GROUP BY m.period""")
        source_params += period_params
    return con.execute(
        f"""
        WITH m AS (SELECT * FROM {m})
        SELECT period, conversion, projects, converted, converted / projects AS rate,
               reached_now, reached_now / projects AS reached_rate
        FROM ({' UNION ALL '.join(rows)})
        ORDER BY period, ord
        """,
        source_params,
    ).pl()


def periods_present(con) -> list[int]:
    """The 期 a filter can pick: those of a batch some snapshot listed, and those projects are in now."""
    return [r[0] for r in con.execute(
        """SELECT period FROM project_batches UNION SELECT period FROM project_current
           WHERE period IS NOT NULL ORDER BY 1""").fetchall()]
