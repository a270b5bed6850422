"""The one way to get a warehouse connection.

DuckDB allows one writing process at a time. The app therefore never keeps the file open: it
opens a read-only connection per query batch and closes it, and a writer that meets a lock waits
and tries again (see `connect`). Loads are single transactions, so a reader sees either the state
before a load or the state after it.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.settings import warehouse_path

SCHEMA_DIR = Path(__file__).parent / "sql" / "schema"
LOCK_WAIT_SECONDS = 30.0


def _schema_sql() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SCHEMA_DIR.glob("*.sql"))]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for sql in _schema_sql():
        con.execute(sql)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() or "Conflicting lock" in text


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. `path=":memory:"` gives an empty in-memory warehouse (tests).

    Read-only on a file that does not exist yet gives an empty in-memory warehouse with the
    schema, so pages can show their "no data yet" state without creating anything on disk.
    """
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
        ensure_schema(con)
        return con
    p = warehouse_path(path)
    if read_only:
        if not p.exists():
            con = duckdb.connect(":memory:")
            ensure_schema(con)
            return con
        return _open(p, read_only=True)
    p.parent.mkdir(parents=True, exist_ok=True)
    con = _open(p, read_only=False)
    ensure_schema(con)
    return con


@contextmanager
def reading(path: str | Path | None = None):
    con = connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()
