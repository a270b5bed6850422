"""预警督办: stalled projects, the list a leader hands out.

签约未开工: reached 签约 (or 履约) but not 开工, signed more than N months before the newest
ledger date. 开工未投产: reached 开工 but not 投产, started more than M months before it.
N and M are settings (stall.signed_not_started_months, stall.started_not_producing_months).
Terminated projects are not stalled. The date window does not apply: a stall is a state now.
"""

from __future__ import annotations

import polars as pl

from warehouse.filters import Filters, top_rows, where
from warehouse.progress import PRODUCING, SIGNED, STARTED, reached_sql, terminated_sql
from warehouse.settings import settings

SIGNED_NOT_STARTED = "签约未开工"
STARTED_NOT_PRODUCING = "开工未投产"
KINDS = (SIGNED_NOT_STARTED, STARTED_NOT_PRODUCING)
GROUPINGS = ("district", "responsible_unit")


def stall_months() -> tuple[int, int]:
    s = settings()
    return (int(s.get("stall", "signed_not_started_months")),
            int(s.get("stall", "started_not_producing_months")))


def _stalled_cte(filters: Filters, signed_months: int | None, started_months: int | None
                 ) -> tuple[str, list]:
    """CTE `stalled`: kind, kind_ord, months and the project's fields, one row per stalled project."""
    n_default, m_default = stall_months()
    n = int(signed_months if signed_months is not None else n_default)
    m = int(started_months if started_months is not None else m_default)
    sql, params = where(filters, window=None)
    fields = ("project_id, project_name, district, responsible_unit, leader, stage, sign_date, "
              "start_date, total_investment_wan, chain, investor, as_of")
    cte = f"""
        ref AS (SELECT max(as_of) AS ref_date FROM projects),
        p AS (SELECT {fields}, {reached_sql('p')} AS reached, {terminated_sql('p')} AS terminated
              FROM projects p WHERE {sql}),
        stalled AS (      -- one pass over p (two branches of a UNION would materialise it)
            SELECT CASE WHEN reached < {STARTED} THEN '{SIGNED_NOT_STARTED}' ELSE '{STARTED_NOT_PRODUCING}' END AS kind,
                   CASE WHEN reached < {STARTED} THEN 1 ELSE 2 END AS kind_ord,
                   date_diff('month', CASE WHEN reached < {STARTED} THEN p.sign_date ELSE p.start_date END,
                             ref.ref_date) AS months, p.*
            FROM p, ref
            WHERE NOT terminated AND reached >= {SIGNED} AND reached < {PRODUCING}
              AND CASE WHEN reached < {STARTED} THEN p.sign_date < ref.ref_date - to_months(?)
                       ELSE p.start_date < ref.ref_date - to_months(?) END
        )"""
    return cte, params + [n, m]


def stalled_projects(con, filters: Filters, signed_months: int | None = None,
                     started_months: int | None = None, limit: int | None = None, shared: bool = True
                     ) -> pl.DataFrame:
    """kind, months (since signing or starting) and the project's fields; longest stall first
    within each kind (then the largest, then by id); at most `limit` rows per kind when given.
    shared: add shared_with (the other districts that list a project of the same name)."""
    cte, params = _stalled_cte(filters, signed_months, started_months)
    columns = ("kind, months, project_id, project_name, district, responsible_unit, leader, stage, "
               "sign_date, start_date, total_investment_wan, chain, investor, as_of")
    order = "months DESC, total_investment_wan DESC NULLS LAST, project_id"
    if limit is None:
        frame = con.execute(f"WITH {cte} SELECT {columns} FROM stalled ORDER BY kind_ord, {order}", params).pl()
    else:
        parts, part_params = [], []
        for ordinal in (1, 2):
            sql, p = top_rows(f"{columns}, kind_ord", f"kind_ord = {ordinal}", [], "months", True,
                              "total_investment_wan DESC NULLS LAST, project_id", limit, source="stalled")
            parts.append(f"SELECT * FROM ({sql})")
            part_params += p
        frame = con.execute(f"WITH {cte} SELECT * EXCLUDE (kind_ord) FROM ({' UNION ALL '.join(parts)}) "
                            f"ORDER BY kind_ord, {order}", params + part_params).pl()
    return _with_shared(con, frame) if shared else frame


def _with_shared(con, df: pl.DataFrame) -> pl.DataFrame:
    """shared_with: the districts that list a project of the same name (共建 or moved projects, or
    one project sent by two districts) — so that a stall counted twice is marked, not hidden."""
    names = df["project_name"].unique().to_list() if df.height else []
    shared = con.execute(
        # a hash join on the listed names (list_contains per row was 670 ms at 10万 projects)
        """WITH listed AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS project_name)
           SELECT p.project_name, string_agg(DISTINCT p.district, '、' ORDER BY p.district) AS shared_with
           FROM projects p JOIN listed USING (project_name)
           GROUP BY p.project_name HAVING count(DISTINCT p.district) > 1""", [names]).pl()
    return df.join(shared, on="project_name", how="left") if df.height else df.with_columns(
        pl.lit(None, dtype=pl.String).alias("shared_with"))


def stalled_summaries(con, filters: Filters, signed_months: int | None = None,
                      started_months: int | None = None) -> dict:
    """One pass over the stalled projects: "counts" ({kind: stalled projects} for both kinds, and
    "total"), and per district and per responsible unit ("district", "responsible_unit" frames:
    stalled projects of each kind and their investment, most stalled first). 总览 and 预警督办 ask
    for it with the same filters: one statement for both (on a lake each is a catalog round trip)."""
    cte, params = _stalled_cte(filters, signed_months, started_months)
    rows = con.execute(
        f"""
        WITH {cte},
        named AS (SELECT coalesce(district, '（未填写）') AS district,
                         coalesce(responsible_unit, '（未填写）') AS responsible_unit, kind, total_investment_wan
                  FROM stalled)
        SELECT CASE WHEN GROUPING(district) = 0 THEN 'district'
                    WHEN GROUPING(responsible_unit) = 0 THEN 'responsible_unit' ELSE 'total' END AS grouping,
               coalesce(district, responsible_unit) AS name,
               count(*) FILTER (WHERE kind = '{SIGNED_NOT_STARTED}') AS signed_not_started,
               count(*) FILTER (WHERE kind = '{STARTED_NOT_PRODUCING}') AS started_not_producing,
               count(*) AS stalled,
               coalesce(sum(total_investment_wan), 0) AS investment_wan
        FROM named GROUP BY GROUPING SETS ((district), (responsible_unit), ())
        """,
        params,
    ).pl()
    out: dict = {}
    for by in GROUPINGS:
        out[by] = (rows.filter(pl.col("grouping") == by).drop("grouping").rename({"name": by})
                   .sort(["stalled", by], descending=[True, False]))
    total = rows.filter(pl.col("grouping") == "total")
    column = {SIGNED_NOT_STARTED: "signed_not_started", STARTED_NOT_PRODUCING: "started_not_producing"}
    counts = {kind: int(total[column[kind]][0]) if total.height else 0 for kind in KINDS}
    counts["total"] = sum(counts.values())
    out["counts"] = counts
    return out


def stalled_counts(con, filters: Filters, signed_months: int | None = None,
                   started_months: int | None = None) -> dict[str, int]:
    """{kind: stalled projects} for both kinds, and "total"."""
    return stalled_summaries(con, filters, signed_months, started_months)["counts"]


def stalled_summary(con, filters: Filters, by: str = "district", signed_months: int | None = None,
                    started_months: int | None = None) -> pl.DataFrame:
    """Per district (or responsible_unit): stalled projects of each kind and their investment."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    return stalled_summaries(con, filters, signed_months, started_months)[by]
