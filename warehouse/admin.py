"""数据管理: the load history, rejected rows, load warnings, and names shared by two districts."""

from __future__ import annotations

import polars as pl


LOAD_HISTORY_COLUMNS = ("load_id", "loaded_at", "loaded_by", "file_name", "load_kind", "load_status", "message",
                        "as_of", "as_of_source", "rows_read", "rows_loaded", "rows_skipped", "rows_rejected", "warnings")


def load_history(con, limit: int = 500) -> pl.DataFrame:
    """Every file load, newest first (refused and unchanged attempts too, as the loader records)."""
    return con.execute(
        """
        SELECT load_id, loaded_at, loaded_by, file_name, kind AS load_kind, status AS load_status, message, as_of, as_of_source,
               rows_read, rows_loaded, rows_skipped, rows_rejected,
               coalesce(len(warnings), 0) AS warnings
        FROM loads ORDER BY loaded_at DESC, load_id DESC LIMIT ?
        """,
        [int(limit)],
    ).pl()


def rejected_rows(con, load_id: int | None = None, limit: int = 5_000) -> pl.DataFrame:
    """Rows a load could not use, with the reason and the cells as the ledger wrote them."""
    return con.execute(
        """
        SELECT r.load_id, l.loaded_at, r.source_file, r.source_sheet, r.source_row, r.reason, r.raw_values
        FROM rejected_rows r LEFT JOIN loads l USING (load_id)
        WHERE (? IS NULL OR r.load_id = ?)
        ORDER BY r.load_id DESC, r.source_sheet, r.source_row
        LIMIT ?
        """,
        [load_id, load_id, int(limit)],
    ).pl()


def rejected_count(con) -> int:
    return con.execute("SELECT count(*) FROM rejected_rows").fetchone()[0]


def load_warnings(con, limit: int = 5_000) -> pl.DataFrame:
    """The loader's warnings (合计不符, 未知产业链, 未知县区 …) with the file they came from."""
    return con.execute(
        """
        SELECT w.load_id, l.file_name, w.source_sheet, w.kind AS warning_kind, w.message
        FROM load_warnings w LEFT JOIN loads l USING (load_id)
        ORDER BY w.load_id DESC, w.kind, w.source_sheet
        LIMIT ?
        """,
        [int(limit)],
    ).pl()


def duplicate_names(con) -> pl.DataFrame:
    """Project names that appear in more than one district (a shared or moved project, or a
    duplicate in two ledgers): the name, the districts, and the projects."""
    return con.execute(
        """
        WITH shared AS (  -- cheap first pass: names whose districts differ
            SELECT project_name FROM projects GROUP BY project_name HAVING min(district) <> max(district))
        SELECT project_name, count(DISTINCT district) AS districts_n,
               string_agg(DISTINCT district, '、' ORDER BY district) AS districts,
               count(*) AS projects,
               string_agg(coalesce(project_code, '（无编号）'), '、' ORDER BY project_code) AS project_codes
        FROM projects SEMI JOIN shared USING (project_name)
        GROUP BY project_name
        ORDER BY districts_n DESC, project_name
        """
    ).pl()
