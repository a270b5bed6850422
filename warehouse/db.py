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

Two backends (settings [warehouse] backend, or WAREHOUSE_BACKEND): `duckdb`, the file above, and
`ducklake`, a lake with its catalog in PostgreSQL that many processes on many machines read and
write at once (warehouse/lake.py). This module is the only one that knows which: the rest of the
code gets a connection, asks `exists`/`version`/`next_id`, and wraps a multi-statement write in
`transact`, the same way for both.
"""

from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import os
import random
import re
from collections.abc import Callable
from typing import TypeVar

import duckdb

from warehouse import derived, lake as ducklake
from warehouse.held import Held
from warehouse.scope import EVERYTHING, Scope, apply
from warehouse.settings import backend, lake, settings, warehouse_path

T = TypeVar("T")

SCHEMA_DIR = Path(__file__).parent / "sql" / "schema"
LOCK_WAIT_SECONDS = 30.0
LAKE_WRITE_WAIT_SECONDS = 600.0      # a writer on a lake waits for the others' loads (several nodes)


DERIVED_BEFORE = "010"   # the history summaries (warehouse/derived.py) are created before this file


def _schema_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.sql"))


def _schema_sql() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in _schema_files()]


def _schema_hash(lake_backend: bool = False) -> str:
    parts = [*_schema_sql(), derived.schema_text(), *(ducklake.settings_text() if lake_backend else ())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def meta_get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def meta_set(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])


_PORT = ((re.compile(r"\s+PRIMARY KEY"), ""), (re.compile(r"CREATE SEQUENCE[^;]*;"), ""))


def _ported(sql: str, lake_backend: bool) -> str:
    """The schema as DuckLake takes it: no key constraints, no sequences (warehouse/lake.py)."""
    if lake_backend:
        for pattern, replacement in _PORT:
            sql = pattern.sub(replacement, sql)
    return sql


def ensure_schema(con: duckdb.DuckDBPyConnection, lake_backend: bool = False) -> None:
    """Apply the schema files (idempotent DDL), skipped when they have not changed since last time."""
    digest = _schema_hash(lake_backend)
    if meta_get(con, "schema") == digest:
        return

    def apply_all(con):
        if meta_get(con, "schema") == digest:
            return
        created = False
        for path in _schema_files():
            if not created and path.name >= DERIVED_BEFORE:
                derived.create(con)
                created = True
            con.execute(_ported(path.read_text(encoding="utf-8"), lake_backend))
        if not created:
            derived.create(con)
        if lake_backend:
            ducklake.configure(con)
        meta_set(con, "schema", digest)

    if lake_backend:
        transact(con, apply_all)     # several processes may open a new lake at once
    else:
        apply_all(con)


RETRY_SECONDS = ducklake.RETRY_SECONDS


def transact(con, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """work(con) in one transaction; when another writer committed a change to the same table
    first (DuckLake), the work is done again from the start on the newer state, after a short
    random pause that grows with each attempt. Anything else rolls back and is raised."""
    deadline, pause = time.monotonic() + RETRY_SECONDS, 0.02
    while True:
        try:
            con.execute("BEGIN TRANSACTION")
            result = work(con)
            con.execute("COMMIT")
            return result
        except BaseException as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            if not ducklake.is_conflict(exc) or time.monotonic() > deadline:
                raise
            ducklake.CONFLICTS.count += 1
            time.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 1.0)


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


def _held(con: duckdb.DuckDBPyConnection, write: bool) -> Held:
    """A file connection that gives its share of FileAccess back when it is closed."""
    return Held(con, lambda: ACCESS.release(write), read_only=not write)


def relations(con) -> frozenset[tuple[str, bool]]:
    """(name, temporary) of every table and view the connection sees. Asked once per read
    connection (its memo): on a lake listing the tables reads every table's statistics from the
    catalog server, and a page asks many times (a warehouse made before a feature lacks a table)."""
    memo = getattr(con, "memo", None)
    if memo is not None and "relations" in memo:
        return memo["relations"]
    found = frozenset(con.execute("SELECT view_name, temporary FROM duckdb_views() "
                                  "UNION SELECT table_name, temporary FROM duckdb_tables()").fetchall())
    if memo is not None:
        memo["relations"] = found
    return found


def has_relation(con, name: str, temporary: bool | None = None) -> bool:
    """A table or view of that name exists (temporary: only a temporary one / only a stored one)."""
    return any(n == name and (temporary is None or t == temporary) for n, t in relations(con))


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


def lake_backend(path: str | Path | None = None, backend_name: str | None = None) -> bool:
    """Is this warehouse a lake? (":memory:" is always an in-memory DuckDB database.)
    `backend_name` overrides the setting (a migration opens both)."""
    return str(path) != ":memory:" and (backend_name or backend()) == "ducklake"


def exists(path: str | Path | None = None, backend_name: str | None = None) -> bool:
    """Has anything been written to this warehouse yet?"""
    if lake_backend(path, backend_name):
        where = lake(path)
        return ducklake.instance(where.catalog).exists(where)
    return warehouse_path(path).exists()


def version(path: str | Path | None = None) -> tuple:
    """Changes whenever the warehouse does (any process, any node): what cached page results are
    keyed by. The file's size and times; a lake's newest snapshot."""
    if lake_backend(path):
        where = lake(path)
        return ("lake", where.schema, ducklake.instance(where.catalog).snapshot(where))
    p = warehouse_path(path)
    parts = []
    for f in (p, p.with_name(p.name + ".wal")):
        try:
            s = os.stat(f)
            parts.append((s.st_mtime_ns, s.st_size))
        except OSError:
            parts.append(None)
    return tuple(parts)


def files_dir(path: str | Path | None = None, backend_name: str | None = None) -> Path:
    """Where the warehouse keeps files beside its tables (the districts' submitted ledgers): next to
    the DuckDB file; for a lake, next to its data directory (shared by every node)."""
    if lake_backend(path, backend_name):
        data = Path(lake(path).data_path)
        return data.parent / f"{data.name}-files"
    return warehouse_path(path).parent


def compact(path: str | Path | None = None, backend_name: str | None = None) -> None:
    """Tidy the warehouse's storage: a lake's small files merged, its unneeded files removed; a
    DuckDB file checkpointed."""
    if lake_backend(path, backend_name):
        where = lake(path)
        ducklake.instance(where.catalog).compact(where)
        return
    with writing(path, backend_name="duckdb") as con:
        con.execute("CHECKPOINT")


def maintain(path: str | Path | None = None) -> bool:
    """After loads: compact a lake once it has many small files (warehouse/lake.py). True if it did."""
    if not lake_backend(path):
        return False
    where = lake(path)
    return ducklake.instance(where.catalog).maintain(where, int(settings().get("warehouse", "compact_after_files")))


def next_id(con, sequence: str) -> int:
    """The next value of one of the warehouse's id sequences (load_id_seq, audit_id_seq …)."""
    if isinstance(con, ducklake.LakeCon):
        return con.instance.next_id(con.lake, sequence)
    if sequence not in ducklake.SEQUENCES:
        raise ValueError(sequence)
    return int(con.execute(f"SELECT nextval('{sequence}')").fetchone()[0])


def _empty(scope: Scope) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    apply(con, scope)
    return con


def _connect_lake(path, read_only: bool, scope: Scope):
    where = lake(path)
    inst = ducklake.instance(where.catalog)
    if read_only and not inst.exists(where):
        return _empty(scope)
    lock = None
    if not read_only:
        lock = ducklake.WriteLock(where)
        lock.acquire(LAKE_WRITE_WAIT_SECONDS)
    try:
        con = ducklake.LakeCon(inst, where, inst.cursor(where), lock)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    try:
        if read_only:
            apply(con, scope)
            # one snapshot for the whole connection (a page's numbers all from the same commit), and
            # the lake's state read from the catalog once, not again for every query
            con.execute("BEGIN TRANSACTION")
        else:
            ensure_schema(con, lake_backend=True)
    except BaseException:
        con.close()
        raise
    return con


def connect(path: str | Path | None = None, *, read_only: bool = False, scope: Scope = EVERYTHING,
            backend_name: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. `path=":memory:"` gives an empty in-memory warehouse (tests).

    Read-only on a warehouse that does not exist yet gives an empty in-memory warehouse with the
    schema, so pages can show their "no data yet" state without creating anything on disk.
    `scope` (read-only connections): whose rows it sees (warehouse.scope).
    """
    if str(path) == ":memory:":
        con = duckdb.connect(":memory:")
        ensure_schema(con)
        return con
    if not read_only and scope is not EVERYTHING:
        raise ValueError("a write connection sees everything (the loader checks a district account's rows)")
    if lake_backend(path, backend_name):
        return _connect_lake(path, read_only, scope)
    p = warehouse_path(path)
    if read_only:
        if not p.exists():
            return _empty(scope)
        ACCESS.acquire(write=False)
        try:
            con = _open(p, read_only=True)
            con.execute(f"SET memory_limit = '{int(settings().get('warehouse', 'read_memory_mb'))}MB'")
            apply(con, scope)
        except BaseException:
            ACCESS.release(write=False)
            raise
        return _held(con, write=False)
    p.parent.mkdir(parents=True, exist_ok=True)
    ACCESS.acquire(write=True)
    try:
        con = _open(p, read_only=False)
        ensure_schema(con)
    except BaseException:
        ACCESS.release(write=True)
        raise
    return _held(con, write=True)


@contextmanager
def reading(path: str | Path | None = None, scope: Scope = EVERYTHING, backend_name: str | None = None):
    con = connect(path, read_only=True, scope=scope, backend_name=backend_name)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(path: str | Path | None = None, backend_name: str | None = None):
    """A read-write connection for one short piece of work (an audit line, an account change)."""
    con = connect(path, backend_name=backend_name)
    try:
        yield con
    finally:
        con.close()
