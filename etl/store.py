"""Store parsed project rows and keep the current state of each project (project_current)."""

from __future__ import annotations

import polars as pl

from etl.normalise.ledger import OUTPUT_COLUMNS


def store_project_rows(con, rows: pl.DataFrame, load_id: int, as_of, file_name: str) -> pl.DataFrame:
    """Insert one file's project rows; return every project id whose current state may change."""
    con.register("incoming", rows.to_arrow())
    cols = ", ".join(OUTPUT_COLUMNS)
    con.execute(f"INSERT INTO project_rows (load_id, as_of, source_file, {cols}) "
                f"SELECT ?, ?, ?, {cols} FROM incoming", [load_id, as_of, file_name])
    con.unregister("incoming")
    return pl.concat([
        rows.select("project_id"),
        unify_identities(con, load_id),
        con.execute("SELECT DISTINCT project_id FROM project_rows WHERE load_id = ?", [load_id]).pl(),
    ], how="vertical_relaxed")


def unify_identities(con, load_id: int) -> pl.DataFrame:
    """One project, one id, when some ledgers carry a 项目编号 and others do not.

    A row without a code takes the id of a coded project with the same district and name; rows
    loaded earlier without a code join a project that now arrives with one. Returns the ids that
    disappeared, so that their current state is refreshed too.
    """
    load_id = int(load_id)
    coded = """(SELECT coalesce(district_code, district) AS dk, name_key, arg_max(project_id, as_of) AS project_id
                FROM project_rows WHERE project_code IS NOT NULL {where} GROUP BY ALL)"""
    con.execute(f"""
        UPDATE project_rows AS r SET project_id = m.project_id FROM {coded.format(where='')} m
        WHERE r.load_id = ? AND r.project_code IS NULL
          AND coalesce(r.district_code, r.district) = m.dk AND r.name_key = m.name_key""", [load_id])
    matches = f"""{coded.format(where=f'AND load_id = {load_id}')} m
                  WHERE r.load_id <> {load_id} AND r.project_code IS NULL AND r.project_id <> m.project_id
                    AND coalesce(r.district_code, r.district) = m.dk AND r.name_key = m.name_key"""
    old = con.execute(f"SELECT DISTINCT r.project_id FROM project_rows r, {matches}").pl()
    if old.height:
        con.execute(f"UPDATE project_rows AS r SET project_id = m.project_id FROM {matches}")
    return old


REFRESH_CURRENT_SQL = """
DELETE FROM project_current WHERE project_id IN (SELECT project_id FROM touched);
INSERT INTO project_current
WITH history AS (
    SELECT r.* FROM project_rows r SEMI JOIN touched t ON r.project_id = t.project_id
),
latest AS (
    SELECT h.* FROM history h LEFT JOIN ref_stages s ON s.stage = h.stage
    QUALIFY row_number() OVER (PARTITION BY h.project_id
                               ORDER BY h.as_of DESC, h.load_id DESC, s.ord DESC NULLS LAST, h.source_row DESC) = 1
),
known AS (  -- a later ledger that omits a date column must not erase a date an earlier one gave
    SELECT project_id,
           arg_max(sign_date, as_of) FILTER (WHERE sign_date IS NOT NULL) AS sign_date,
           arg_max(register_date, as_of) FILTER (WHERE register_date IS NOT NULL) AS register_date,
           arg_max(start_date, as_of) FILTER (WHERE start_date IS NOT NULL) AS start_date,
           arg_max(production_date, as_of) FILTER (WHERE production_date IS NOT NULL) AS production_date,
           min(as_of) AS first_seen
    FROM history GROUP BY project_id
)
SELECT latest.* REPLACE (
           coalesce(latest.sign_date, known.sign_date) AS sign_date,
           coalesce(latest.register_date, known.register_date) AS register_date,
           coalesce(latest.start_date, known.start_date) AS start_date,
           coalesce(latest.production_date, known.production_date) AS production_date),
       known.first_seen
FROM latest JOIN known USING (project_id);
"""


def refresh_current(con, touched: pl.DataFrame) -> None:
    """Recompute the current state of exactly the touched projects from their whole history:
    the row from the latest as-of date wins, so a June ledger loaded after July's rolls nothing back."""
    ids = touched.select(pl.col("project_id").cast(pl.String)).unique().drop_nulls()
    if ids.height == 0:
        return
    con.register("touched", ids.to_arrow())
    con.execute(REFRESH_CURRENT_SQL)
    con.unregister("touched")
