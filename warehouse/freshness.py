"""Is there data, and how fresh is each district's ledger."""

from __future__ import annotations

from datetime import date

import polars as pl

from warehouse.settings import settings


def data_status(con) -> dict:
    """projects, loads and the newest as-of date; `empty` when nothing was loaded yet."""
    projects, newest = con.execute("SELECT count(*), max(as_of) FROM projects").fetchone()
    loads = con.execute("SELECT count(*) FROM loads").fetchone()[0]
    return {"projects": projects, "loads": loads, "newest_as_of": newest, "empty": projects == 0}


def newest_as_of(con) -> date | None:
    return con.execute("SELECT max(as_of) FROM projects").fetchone()[0]


def district_freshness(con, late_after_days: int | None = None) -> pl.DataFrame:
    """One row per district (reference districts and any other district in the data).

    latest_as_of: the district's newest ledger date; days_behind: days before the newest
    ledger date of all; late: older than `late_after_days` (settings freshness.late_after_days),
    or never reported; freshness: never / late / ok.
    """
    days = int(late_after_days if late_after_days is not None
               else settings().get("freshness", "late_after_days"))
    return con.execute(
        """
        WITH latest AS (
            SELECT district, max(as_of) AS latest_as_of, count(*) AS projects
            FROM projects GROUP BY district
        ),
        districts AS (
            SELECT name AS district, kind, sort_order FROM ref_districts
            UNION ALL
            SELECT l.district, '未识别', 1000 FROM latest l
            WHERE l.district NOT IN (SELECT name FROM ref_districts)
        ),
        newest AS (SELECT max(as_of) AS newest FROM projects)
        SELECT d.district, d.kind, l.latest_as_of, coalesce(l.projects, 0) AS projects,
               date_diff('day', l.latest_as_of, n.newest) AS days_behind,
               (l.latest_as_of IS NULL OR date_diff('day', l.latest_as_of, n.newest) > ?) AS late,
               CASE WHEN l.latest_as_of IS NULL THEN 'never'
                    WHEN date_diff('day', l.latest_as_of, n.newest) > ? THEN 'late' ELSE 'ok' END AS freshness
        FROM districts d LEFT JOIN latest l USING (district) CROSS JOIN newest n
        ORDER BY d.sort_order, d.district
        """,
        [days, days],
    ).pl()
