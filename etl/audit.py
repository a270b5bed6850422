"""The loader's own rows, written by etl/load.py in each load's transaction: the `loads` line
(loaded or refused), the rejected, skipped and warning rows, and the supersede of an earlier
version of the same file."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from etl.kinds import DATA_TABLES
from etl.store import refresh_current
from warehouse.db import next_id

LOAD_COLUMNS = ("load_id, file_name, file_path, content_hash, kind, status, message, as_of, as_of_source, "
                "loaded_at, rows_read, rows_loaded, rows_skipped, rows_rejected, warnings, loaded_by")


def record_refusal(con, name: str, path: str, digest: str, message: str, user: str | None) -> None:
    con.execute(f"INSERT INTO loads ({LOAD_COLUMNS}) VALUES (?, ?, ?, ?, NULL, 'refused', ?, "
                "NULL, NULL, ?, 0, 0, 0, 0, NULL, ?)", [next_id(con, "load_id_seq"), name, path, digest, message, datetime.now(), user])


def record_load(con, load_id: int, parsed, name: str, path: str, digest: str, summary: str,
                user: str | None) -> None:
    con.execute(f"INSERT INTO loads ({LOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, name, path, digest, parsed.kind, summary, parsed.as_of, parsed.as_of_source,
                 datetime.now(), parsed.rows_read, parsed.rows_loaded, parsed.rows_skipped,
                 parsed.rows_rejected, [msg for _, _, msg in parsed.warnings], user])
    if parsed.rejected:
        con.executemany("INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
                        [(load_id, name, r["source_sheet"], r["source_row"], r["reason"], r["raw_values"])
                         for r in parsed.rejected])
    if parsed.skipped:
        con.executemany("INSERT INTO skipped_rows VALUES (?, ?, ?, ?, ?)",
                        [(load_id, r["source_sheet"], r["source_row"], r["reason"], r["raw_values"])
                         for r in parsed.skipped])
    if parsed.warnings:
        con.executemany("INSERT INTO load_warnings VALUES (?, ?, ?, ?)",
                        [(load_id, sheet, kind, msg) for sheet, kind, msg in parsed.warnings])


def supersede(con, load_ids: list[int], by: int) -> None:
    """Earlier versions of a file give way to a corrected one: their rows go, their projects'
    current state is recomputed from what remains, their audit line says who replaced them."""
    if not load_ids:
        return
    ids = ", ".join(str(int(i)) for i in load_ids)   # integers from the table: literal, so zone maps prune
    touched = con.execute(f"SELECT DISTINCT project_id FROM project_rows WHERE load_id IN ({ids})").pl()
    for table in DATA_TABLES:
        con.execute(f"DELETE FROM {table} WHERE load_id IN ({ids})")
    con.execute(f"UPDATE loads SET status = 'superseded', message = message || ? WHERE load_id IN ({ids})",
                [f"（已被第{by}次入库的新版本替代）"])
    refresh_current(con, touched.select(pl.col("project_id").cast(pl.String)))
