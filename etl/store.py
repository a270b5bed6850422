"""The current state of each project (project_current) and the identity of projects, kept by
etl/save.py's save_ledger inside the load's transaction.

The current state is maintained incrementally: a load's row for a project simply becomes its
current state when it is the only row of that project in the file and newer than the state it
replaces (the monthly case, and every first load); the history summaries of warehouse/derived.py
take it in the same way. Everything else — a late snapshot, a project
listed twice in one file, a superseded file, identities merged — is recomputed from the project's
whole history (REFRESH_CURRENT_SQL). Both give the same answer; tests/test_load_current.py checks
that the incremental path equals the full recomputation.
"""

from __future__ import annotations

import polars as pl

from etl.normalise.ledger import CODE_PREFIX, DATE_FIELDS
from warehouse import derived


def _coded(alias: str) -> str:
    """SQL: the project id is built from a 项目编号 (etl.normalise.ledger)."""
    return f"starts_with({alias}project_id, '{CODE_PREFIX}')"


def _dates_kept(latest: str, earlier: str) -> str:
    """REPLACE list: each date of the latest row, else the one an earlier ledger gave."""
    return ", ".join(f"coalesce({latest}.{c}, {earlier}.{c}) AS {c}" for c in DATE_FIELDS)


def unify_identities(con, load_id: int) -> pl.DataFrame:
    """One project, one id, when some ledgers carry a 项目编号 and others do not.

    A row without a code takes the id of a coded project with the same district and name (its
    current name, or a coded row of this same file); projects known so far only by name join a
    coded project that now arrives with that name, with their whole history. Returns the ids
    whose history changed (the old and the new), so that their current state is recomputed.
    Lookups go through project_current (one row per project), never the whole history.
    """
    load_id = int(load_id)
    dk = "coalesce(district_code, district)"
    coded_here = (f"SELECT {dk} AS dk, name_key, project_id, as_of FROM project_rows "
                  f"WHERE load_id = {load_id} AND project_code IS NOT NULL")
    con.execute(f"""
        UPDATE project_rows AS r SET project_id = m.project_id
        FROM (SELECT dk, name_key, arg_max(project_id, as_of) AS project_id
              FROM (SELECT {dk} AS dk, name_key, project_id, as_of FROM project_current WHERE {_coded("")}
                    UNION ALL {coded_here}) GROUP BY ALL) m
        WHERE r.load_id = {load_id} AND r.project_code IS NULL
          AND coalesce(r.district_code, r.district) = m.dk AND r.name_key = m.name_key""")
    moves = con.execute(f"""
        SELECT c.project_id AS old_id, arg_max(m.project_id, m.as_of) AS new_id
        FROM project_current c JOIN ({coded_here}) m
          ON coalesce(c.district_code, c.district) = m.dk AND c.name_key = m.name_key
        WHERE NOT {_coded("c.")} AND c.project_id <> m.project_id
        GROUP BY c.project_id""").pl()
    if moves.height:
        con.register("moves", moves.to_arrow())
        con.execute("UPDATE project_rows AS r SET project_id = m.new_id FROM moves m WHERE r.project_id = m.old_id")
        con.unregister("moves")
    return pl.concat([moves.select(pl.col("old_id").alias("project_id")),
                      moves.select(pl.col("new_id").alias("project_id"))])


ADVANCE_SQL = """
CREATE OR REPLACE TEMP TABLE advanced AS
WITH mine AS (
    SELECT r.*, count(*) OVER (PARTITION BY r.project_id) AS copies
    FROM project_rows r WHERE r.load_id = {load_id}
)
SELECT m.* EXCLUDE (copies) REPLACE ({kept_dates}),
       coalesce(c.first_seen, m.as_of) AS first_seen,
       c.project_id IS NOT NULL AS existed
FROM mine m LEFT JOIN project_current c ON c.project_id = m.project_id
WHERE m.copies = 1 AND (c.project_id IS NULL OR c.as_of < m.as_of)
  AND m.project_id NOT IN (SELECT project_id FROM needs_full);
DELETE FROM project_current WHERE project_id IN (SELECT project_id FROM advanced WHERE existed);
INSERT INTO project_current BY NAME SELECT * EXCLUDE (existed) FROM advanced;
"""


def advance_current(con, load_id: int, needs_full: pl.DataFrame) -> pl.DataFrame:
    """The incremental path: this file's row becomes the current state of each project it lists
    once and whose state is older, keeping dates an earlier ledger gave and the
    first as-of date. Returns this file's other projects (for the full recomputation)."""
    con.register("needs_full", needs_full.unique().to_arrow())
    con.execute(ADVANCE_SQL.format(load_id=int(load_id), kept_dates=_dates_kept("m", "c")))
    con.unregister("needs_full")
    derived.advance(con)
    rest = con.execute(f"""SELECT DISTINCT project_id FROM project_rows WHERE load_id = {int(load_id)}
                           AND project_id NOT IN (SELECT project_id FROM advanced)""").pl()
    con.execute("DROP TABLE advanced")
    return rest


_RANK = "{'as_of': h.as_of, 'load_id': h.load_id, 'ord': h.ord, 'row': h.source_row}"
_KNOWN_DATES = ",\n           ".join(
    f"arg_max({c}, {_RANK}) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in DATE_FIELDS)

REFRESH_CURRENT_SQL = f"""
DELETE FROM project_current WHERE project_id IN (SELECT project_id FROM touched);
INSERT INTO project_current
WITH history AS (
    SELECT r.*, coalesce(s.ord, -1) AS ord
    FROM project_rows r SEMI JOIN touched t ON r.project_id = t.project_id
    LEFT JOIN ref_stages s ON s.stage = r.stage
),
latest AS (
    SELECT h.* FROM history h
    QUALIFY row_number() OVER (PARTITION BY h.project_id
                               ORDER BY h.as_of DESC, h.load_id DESC, h.ord DESC, h.source_row DESC) = 1
),
known AS (  -- a later ledger that omits a date column must not erase a date an earlier one gave
    SELECT h.project_id,
           {_KNOWN_DATES},
           min(h.as_of) AS first_seen
    FROM history h GROUP BY h.project_id
)
SELECT latest.* EXCLUDE (ord) REPLACE ({_dates_kept("latest", "known")}),
       known.first_seen
FROM latest JOIN known USING (project_id);
"""


def refresh_current(con, touched: pl.DataFrame) -> None:
    """Recompute the current state of exactly the touched projects from their whole history:
    the row from the latest as-of date wins, so a June ledger loaded after July's rolls nothing
    back, and a date only an earlier ledger gave is kept."""
    ids = touched.select(pl.col("project_id").cast(pl.String)).unique().drop_nulls()
    if ids.height == 0:
        return
    con.register("touched", ids.to_arrow())
    con.execute(REFRESH_CURRENT_SQL)
    derived.refresh(con)
    con.unregister("touched")
