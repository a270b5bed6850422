"""The one way to get a warehouse connection.

DuckDB allows one writing process at a time. The app therefore never keeps the file open: it
opens a read-only connection per query batch and closes it, and a writer that meets a lock waits
and tries again (see `connect`). Loads are single transactions, so a reader sees either the state
before a load or the state after it.
"""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import derived
from warehouse.settings import settings, warehouse_path

SCHEMA_DIR = Path(__file__).parent / "sql" / "schema"
LOCK_WAIT_SECONDS = 30.0


DERIVED_BEFORE = "010"   # the history summaries (warehouse/derived.py) are created before this file


def _schema_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.sql"))


def _schema_sql() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in _schema_files()]


def _schema_hash() -> str:
    return hashlib.sha256("\n".join([*_schema_sql(), derived.schema_text()]).encode()).hexdigest()


def meta_get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def meta_set(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the schema files (idempotent DDL), skipped when they have not changed since last time."""
    digest = _schema_hash()
    if meta_get(con, "schema") == digest:
        return
    created = False
    for path in _schema_files():
        if not created and path.name >= DERIVED_BEFORE:
            derived.create(con)
            created = True
        con.execute(path.read_text(encoding="utf-8"))
    if not created:
        derived.create(con)
    meta_set(con, "schema", digest)


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
        con = _open(p, read_only=True)
        con.execute(f"SET memory_limit = '{int(settings().get('warehouse', 'read_memory_mb'))}MB'")
        return con
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
