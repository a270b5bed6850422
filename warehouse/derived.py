"""Per-project summaries of the history, kept up to date by the loader.

Pages at province scale should read a few rows per project, not every monthly snapshot
(30 million rows for a million projects). Each summary is defined once, below, as a SELECT over
ledger rows; the warehouse holds it for the whole history, and the loader keeps it exact in the
same transaction as the rows:

- `refresh(con)`: recompute the projects in the temp table `touched` from their history (a late
  snapshot, a superseded file, merged identities);
- `advance(con)`: the monthly case — the temp table `advanced` holds, per project, a row newer
  than any it had (etl/store.py); each summary takes it in without reading the history.

tests/test_load_current.py checks after every step of a sequence of loads that each table equals
its definition over the whole history.

- project_batches (三个一批): one row per project, period and batch it was listed in, with the
  amount of the latest snapshot that lists it there.
- project_timeline: what the ledgers said about a project's district, amount and sign date over
  time, as intervals: the rows of snapshot `as_of` describe the project until `next_as_of` (NULL:
  still), with the sign date known by then (an earlier snapshot's when this one leaves it out).
  Consecutive snapshots that say the same are one interval; rows of one date are all kept (a
  project two districts list in the same month is in force in both; `shared` marks them).
- load_districts: per ledger load, its date and the districts it gave rows for.
"""

from __future__ import annotations

from warehouse.batches import BATCHES

_BATCH_LIST = ", ".join(f"'{b}'" for b in BATCHES)

# ranking of snapshot rows, as etl/store.py ranks them for the current state
RANK = "r.as_of, r.load_id, coalesce(s.ord, -1), r.source_row"

DEFINITIONS = {
    "project_batches": f"""
        SELECT r.project_id, r.period, r.batch,
               arg_max(r.total_investment_wan, {{'as_of': r.as_of, 'load_id': r.load_id, 'row': r.source_row}})
                   AS investment_wan,
               max(r.as_of) AS as_of
        FROM {{rows}} r
        WHERE r.period IS NOT NULL AND r.batch IN ({_BATCH_LIST})
        GROUP BY ALL""",
    "project_timeline": f"""
        WITH h AS MATERIALIZED (
            SELECT r.project_id, r.as_of, r.district_code, r.total_investment_wan,
                   coalesce(r.sign_date, last_value(r.sign_date IGNORE NULLS) OVER (
                       PARTITION BY r.project_id ORDER BY {RANK}
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS sign_date
            FROM {{rows}} r LEFT JOIN ref_stages s ON s.stage = r.stage
        ),
        dated AS (
            SELECT project_id, as_of,
                   list(DISTINCT (district_code, total_investment_wan, sign_date)
                        ORDER BY (district_code, total_investment_wan, sign_date)) AS said
            FROM h GROUP BY ALL
        ),
        spans AS (
            SELECT project_id, as_of, lead(as_of) OVER (PARTITION BY project_id ORDER BY as_of) AS next_as_of
            FROM (SELECT *, lag(said) OVER (PARTITION BY project_id ORDER BY as_of) AS before FROM dated)
            WHERE before IS DISTINCT FROM said
        )
        SELECT *, count(*) OVER (PARTITION BY project_id, as_of) > 1 AS shared
        FROM (SELECT DISTINCT h.project_id, h.as_of, s.next_as_of, h.district_code, h.total_investment_wan,
                              h.sign_date
              FROM h JOIN spans s USING (project_id, as_of))""",
}

# City-wide summaries (not per project) that pages read at every view and that are costly to compute:
# name → definition (a view of warehouse/sql/schema, which also creates the table). Recomputed
# whole by every load (refresh_city), in the load's transaction: a few thousand rows.
CITY_DEFINITIONS = {
    "indicator_ledger": "SELECT * FROM indicator_ledger_actuals",     # 目标进度's ledger-sourced actuals
    "indicator_progress_kept": "SELECT * FROM indicator_progress_live",   # 目标进度 (reads indicator_ledger)
}

# Per-load summary: the districts each ledger file gave rows for, and its date (which district
# reported when: 目标进度's ledger dates). Rows of a superseded load go with it (etl/kinds.py).
LOAD_DISTRICTS = "SELECT DISTINCT load_id, as_of, district_code FROM project_rows"

WHOLE_HISTORY = "project_rows"
TOUCHED_HISTORY = "(SELECT r.* FROM project_rows r SEMI JOIN touched t ON r.project_id = t.project_id)"

ADVANCE_SQL = {
    "project_batches": [
        """DELETE FROM project_batches b USING advanced a
            WHERE b.project_id = a.project_id AND b.period = a.period AND b.batch = a.batch""",
        f"""INSERT INTO project_batches
            SELECT project_id, period, batch, total_investment_wan, as_of FROM advanced
            WHERE period IS NOT NULL AND batch IN ({_BATCH_LIST})""",
    ],
    "project_timeline": [
        """CREATE OR REPLACE TEMP TABLE timeline_new AS
           WITH last AS (
               SELECT t.project_id, count(*) AS n,
                      any_value((t.district_code, t.total_investment_wan, t.sign_date)) AS said
               FROM project_timeline t SEMI JOIN advanced a ON a.project_id = t.project_id
               WHERE t.next_as_of IS NULL GROUP BY t.project_id
           )
           SELECT a.project_id, a.as_of, a.district_code, a.total_investment_wan, a.sign_date
           FROM advanced a LEFT JOIN last l ON l.project_id = a.project_id
           WHERE l.project_id IS NULL OR l.n > 1
              OR l.said IS DISTINCT FROM (a.district_code, a.total_investment_wan, a.sign_date)""",
        """UPDATE project_timeline SET next_as_of = n.as_of FROM timeline_new n
           WHERE project_timeline.project_id = n.project_id AND project_timeline.next_as_of IS NULL""",
        """INSERT INTO project_timeline
           SELECT project_id, as_of, NULL, district_code, total_investment_wan, sign_date, FALSE
           FROM timeline_new""",
        "DROP TABLE timeline_new",
    ],
}


def definition(name: str, rows: str = WHOLE_HISTORY) -> str:
    return DEFINITIONS[name].replace("{rows}", rows)


def schema_text() -> str:
    """Part of the schema hash (warehouse.db): a changed definition is applied again."""
    return "\n".join([*DEFINITIONS.values(), *CITY_DEFINITIONS.values(), LOAD_DISTRICTS,
                      *(s for v in ADVANCE_SQL.values() for s in v)])


def create(con) -> None:
    """Create the tables that do not exist yet, filled from the whole history (a warehouse
    created before a summary existed gets it on first open; once, as long as the history)."""
    for name in DEFINITIONS:
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} AS {definition(name)}")
    con.execute(f"CREATE TABLE IF NOT EXISTS load_districts AS {LOAD_DISTRICTS}")


def rebuild(con) -> None:
    """Recompute every summary from the whole history (warehouses written by other means)."""
    for name in DEFINITIONS:
        con.execute(f"DELETE FROM {name}")
        con.execute(f"INSERT INTO {name} {definition(name)}")
    con.execute("DELETE FROM load_districts")
    con.execute(f"INSERT INTO load_districts {LOAD_DISTRICTS}")
    refresh_city(con)


def refresh_city(con) -> None:
    """Recompute the city-wide summaries (after a load, whatever its kind: the reference tables,
    targets, reports and ledgers all feed them)."""
    for name, sql in CITY_DEFINITIONS.items():
        con.execute(f"DELETE FROM {name}")
        con.execute(f"INSERT INTO {name} {sql}")


def add_load(con, load_id: int) -> None:
    """The per-load summary of a load just stored."""
    con.execute(f"INSERT INTO load_districts {LOAD_DISTRICTS} WHERE load_id = {int(load_id)}")


def refresh(con) -> None:
    """Recompute the projects listed in the temp table `touched`."""
    for name in DEFINITIONS:
        con.execute(f"DELETE FROM {name} WHERE project_id IN (SELECT project_id FROM touched)")
        con.execute(f"INSERT INTO {name} {definition(name, TOUCHED_HISTORY)}")


def advance(con) -> None:
    """Take in the temp table `advanced`: per project one row newer than all it had."""
    for statements in ADVANCE_SQL.values():
        for sql in statements:
            con.execute(sql)
