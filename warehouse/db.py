"""The one way to get a warehouse connection.

DuckDB allows one writing process at a time. The app therefore never keeps the file open: it
opens a read-only connection per query batch and closes it, and a writer that meets a lock waits
and tries again (see `connect`). Loads are single transactions, so a reader sees either the state
before a load or the state after it.

Within one process DuckDB cannot have a read-only and a read-write connection to the same file
at once, and the app process does both (every page reads; a sign-in, an audit line, an upload
write). So file connections here take a process-wide lock: read-only ones share it, a read-write
one has it alone — it waits until the page runs reading have closed their connections, and new
ones wait for it (`FileAccess`).

A read connection can be scoped (warehouse.scope): a district account's connection sees its
districts' rows only.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse import derived
from warehouse.scope import EVERYTHING, Scope, apply
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


class FileAccess:
    """Readers share, a writer is alone (per process); a waiting writer goes before new readers."""

    def __init__(self):
        self._cond = threading.Condition()
        self._readers: dict[int, int] = {}          # thread id → open read connections
        self._writer: int | None = None
        self._waiting = 0

    def acquire(self, write: bool, timeout: float = LOCK_WAIT_SECONDS) -> None:
        me = threading.get_ident()
        deadline = time.monotonic() + timeout
        with self._cond:
            if write and self._readers.get(me):
                raise RuntimeError("this thread still has a read connection open: close it before writing")
            if write:
                self._waiting += 1
            try:
                while (self._writer not in (None, me)) or (write and self._readers) or \
                        (not write and self._waiting and self._writer != me):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("数据仓库正忙（正在写入），请稍后再试。")
                    self._cond.wait(left)
            finally:
                if write:
                    self._waiting -= 1
            if write:
                self._writer = me
            else:
                self._readers[me] = self._readers.get(me, 0) + 1

    def release(self, write: bool) -> None:
        me = threading.get_ident()
        with self._cond:
            if write:
                self._writer = None
            else:
                self._readers[me] -= 1
                if not self._readers[me]:
                    del self._readers[me]
            self._cond.notify_all()


ACCESS = FileAccess()


class _Held:
    """A file connection that gives its share of FileAccess back when it is closed."""

    def __init__(self, con: duckdb.DuckDBPyConnection, write: bool):
        self._con, self._write, self._open = con, write, True

    def close(self) -> None:
        if self._open:
            self._open = False
            try:
                self._con.close()
            finally:
                ACCESS.release(self._write)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


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


def connect(path: str | Path | None = None, *, read_only: bool = False,
            scope: Scope = EVERYTHING) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. `path=":memory:"` gives an empty in-memory warehouse (tests).

    Read-only on a file that does not exist yet gives an empty in-memory warehouse with the
    schema, so pages can show their "no data yet" state without creating anything on disk.
    `scope` (read-only connections): whose rows it sees (warehouse.scope).
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
            apply(con, scope)
            return con
        ACCESS.acquire(write=False)
        try:
            con = _open(p, read_only=True)
            con.execute(f"SET memory_limit = '{int(settings().get('warehouse', 'read_memory_mb'))}MB'")
            apply(con, scope)
        except BaseException:
            ACCESS.release(write=False)
            raise
        return _Held(con, write=False)
    if scope is not EVERYTHING:
        raise ValueError("a write connection sees everything (the loader checks a district account's rows)")
    p.parent.mkdir(parents=True, exist_ok=True)
    ACCESS.acquire(write=True)
    try:
        con = _open(p, read_only=False)
        ensure_schema(con)
    except BaseException:
        ACCESS.release(write=True)
        raise
    return _Held(con, write=True)


@contextmanager
def reading(path: str | Path | None = None, scope: Scope = EVERYTHING):
    con = connect(path, read_only=True, scope=scope)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(path: str | Path | None = None):
    """A read-write connection for one short piece of work (an audit line, an account change)."""
    con = connect(path)
    try:
        yield con
    finally:
        con.close()
