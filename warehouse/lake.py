"""The DuckLake backend: the warehouse as a lake whose catalog is a PostgreSQL database and whose
data are Parquet files in a shared directory. Only warehouse/db.py uses this module.

One DuckDB instance per process holds the extensions (loaded from the `duckdb-extension-*` wheels
in site-packages: nothing is downloaded) and each lake attached once; every connection the
warehouse hands out is a cursor of it, pointed at its lake with `USE`. Opening an instance costs
a quarter of a second (the extensions), a cursor nothing.

What DuckLake lacks, and how the warehouse does without it:
- sequences: ids come from PostgreSQL sequences in the lake's own catalog schema (`next_id`),
  unique across every process and node;
- PRIMARY KEY / UNIQUE: none; every table that had one is written by code that keeps it unique
  (accounts by login, sessions by token, meta by key — delete, then insert);
- writers: one at a time per lake, across every process and node, behind a PostgreSQL advisory
  lock that a write connection holds while it is open (`WriteLock`; a killed writer's session
  ends and the lock with it). DuckLake's own optimistic concurrency lets writers commit side by
  side, but its conflict detection still has open bugs (ducklake#1094: concurrent commits that
  lose each other's column statistics, so that a filter skips live rows); a load is a second or
  two, so the lock costs little. Readers take no lock: they never wait for a writer. Should two
  commits still conflict ("Transaction conflict"), the later one is run again (`is_conflict`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
import threading
import time
from pathlib import Path

import duckdb
import psycopg

from warehouse.held import Held
from warehouse.settings import Lake

SEQUENCES = ("load_id_seq", "audit_id_seq", "submission_id_seq", "score_input_seq")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CONFLICT = re.compile(r"transaction conflict|conflict on|could not serialize|duplicate key value|"
                       r"deadlock detected|concurrent update", re.IGNORECASE)


RETRY_SECONDS = 120.0
MAX_ATTACHED = 8                # lakes a process keeps attached (an app node uses one)


class _Conflicts:
    count = 0       # commits done again in this process (the benchmark reports it)


CONFLICTS = _Conflicts()


def extension_file(name: str) -> str:
    """The extension shipped in the `duckdb-extension-<name>` wheel."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"缺少 Python 包 duckdb-extension-{name}（requirements.txt），请先执行 make setup")
    found = sorted(Path(spec.submodule_search_locations[0]).glob(f"extensions/*/{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(f"duckdb-extension-{name} 中没有扩展文件")
    return str(found[-1])


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The lake's own options (persisted in its catalog, for every node): data files in LZ4, which reads
# text columns ~40% faster than the default Snappy at the same size (measured at 100万 projects:
# a scan of every project name 79 → 48 ms, the ten largest projects 130 → 79 ms)
OPTIONS = {"parquet_compression": "lz4"}
# Tables kept sorted (DuckLake sorts what an insert writes, and compaction merges files in this
# order): one project's rows are then a few row groups, not a slice of every file — the history
# lookup (项目历次台账), and the loader re-reading the projects a load touched (warehouse/derived.py)
SORTED = {"project_rows": "project_id, as_of, load_id, source_row", "project_timeline": "project_id, as_of"}


def configure(con) -> None:
    """Set OPTIONS and SORTED on the lake `con` writes to (in the schema's transaction: warehouse.db)."""
    for name, value in OPTIONS.items():
        con.execute(f"CALL set_option({_literal(name)}, {_literal(value)})")
    for table, columns in SORTED.items():
        con.execute(f"ALTER TABLE {table} SET SORTED BY ({columns})")


def settings_text() -> tuple[str, ...]:
    """What a lake's schema digest includes besides the schema files (warehouse.db)."""
    return (*(f"{n}={v}" for n, v in OPTIONS.items()), *(f"{t} sorted by {c}" for t, c in SORTED.items()))


def is_conflict(exc: BaseException) -> bool:
    """Another writer committed first: the work can be done again on the newer snapshot."""
    return isinstance(exc, duckdb.Error) and bool(_CONFLICT.search(str(exc)))


class Instance:
    """The process's DuckDB instance for one catalog server."""

    def __init__(self, catalog: str):
        self.catalog = catalog
        self.con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False,
                                                      "autoload_known_extensions": False})
        for name in ("postgres_scanner", "ducklake"):
            self.con.execute(f"LOAD {_literal(extension_file(name))}")
        # a lake's data file never changes once written (new data, new file): each file's Parquet
        # footer is read once per process, not once per query
        self.con.execute("SET parquet_metadata_cache = true")
        self.attached: dict[str, str] = {}          # lake schema → alias, least recently used first
        self._in_use: dict[str, int] = {}           # lake schema → cursors open on it
        self._lock = threading.Lock()
        self._pg: psycopg.Connection | None = None
        self._pg_lock = threading.Lock()

    def pg(self, sql: str) -> list[tuple]:
        """A statement on the catalog server itself (its sequences, its schemas), on a connection of
        its own: not a PostgreSQL database attached to the instance, which every catalog function a
        page calls (duckdb_tables(), duckdb_views()) would list and read the schema of again."""
        with self._pg_lock:
            for attempt in (1, 2):
                try:
                    if self._pg is None or self._pg.closed:
                        self._pg = psycopg.connect(self.catalog, autocommit=True, connect_timeout=10)
                    cur = self._pg.execute(sql)
                    return cur.fetchall() if cur.description else []
                except psycopg.OperationalError as exc:      # the server restarted: connect again, once
                    self._pg = None
                    if attempt == 2:
                        raise duckdb.IOException(f"数据湖目录库（PostgreSQL）无法连接：{exc}") from exc
                except psycopg.Error as exc:
                    raise duckdb.Error(str(exc)) from exc

    def exists(self, lake: Lake) -> bool:
        if lake.schema in self.attached:
            return True
        # a warehouse once its schema is committed (`meta` is made in that transaction)
        catalog_made = self.pg("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                               f"{_literal(lake.schema)} AND table_name = 'ducklake_table'")[0][0]
        return bool(catalog_made) and bool(self.pg(
            f"SELECT count(*) FROM \"{lake.schema}\".ducklake_table WHERE table_name = 'meta' AND end_snapshot IS NULL")[0][0])

    def alias(self, lake: Lake) -> str:
        """The lake attached (created when new), once per process. Each attached lake keeps its own
        catalog connections: a process that has used more than MAX_ATTACHED lakes (a test run, a
        migration script) lets go of the least recently used one that no cursor is open on."""
        if not _SCHEMA_NAME.match(lake.schema):
            raise ValueError(f"not a lake schema name: {lake.schema!r}")
        with self._lock:
            if lake.schema in self.attached:
                self.attached[lake.schema] = self.attached.pop(lake.schema)      # most recently used
                return self.attached[lake.schema]
            self._detach_idle(MAX_ATTACHED - 1)
            Path(lake.data_path).mkdir(parents=True, exist_ok=True)
            alias = "lake_" + lake.schema
            self.con.execute(
                f"ATTACH {_literal('ducklake:postgres:' + self.catalog)} AS {alias} "
                f"(DATA_PATH {_literal(lake.data_path)}, METADATA_SCHEMA {_literal(lake.schema)}, "
                "DATA_INLINING_ROW_LIMIT 0)")
            for seq in SEQUENCES:
                self.pg(f'CREATE SEQUENCE IF NOT EXISTS "{lake.schema}".{seq}')
            # every scan reads its files' column statistics: without this index the catalog
            # server reads the whole table once it grows (ducklake#859)
            self.pg(f'CREATE INDEX IF NOT EXISTS file_column_stats_by_table ON "{lake.schema}".ducklake_file_column_stats '
                    "(table_id, column_id)")
            self.attached[lake.schema] = alias
            return alias

    def _detach_idle(self, keep: int) -> None:
        for schema in list(self.attached):
            if len(self.attached) <= keep:
                return
            if self._in_use.get(schema):
                continue
            self.con.execute(f"DETACH {self.attached.pop(schema)}")

    def cursor(self, lake: Lake) -> duckdb.DuckDBPyConnection:
        """A cursor with the lake as its default database; `done(lake)` when it is closed."""
        with self._lock:
            self._in_use[lake.schema] = self._in_use.get(lake.schema, 0) + 1
        try:
            alias = self.alias(lake)
            cur = self.con.cursor()
            cur.execute(f"USE {alias}")
        except BaseException:
            self.done(lake)
            raise
        return cur

    def done(self, lake: Lake) -> None:
        with self._lock:
            left = self._in_use.get(lake.schema, 0) - 1
            if left > 0:
                self._in_use[lake.schema] = left
            else:
                self._in_use.pop(lake.schema, None)

    def next_id(self, lake: Lake, sequence: str) -> int:
        if sequence not in SEQUENCES:
            raise ValueError(sequence)
        return int(self.pg(f"SELECT nextval('\"{lake.schema}\".{sequence}')")[0][0])

    def set_sequence(self, lake: Lake, sequence: str, last: int) -> None:
        """After a migration: the next id is above every id copied."""
        if sequence not in SEQUENCES:
            raise ValueError(sequence)
        self.pg(f"SELECT setval('\"{lake.schema}\".{sequence}', {max(int(last), 1)}, {bool(last)})")

    def compact(self, lake: Lake) -> None:
        """Merge the small files that monthly loads leave, rewrite those mostly deleted, and drop the
        files no snapshot needs any more: a page reads a few large files, not hundreds of small ones."""
        lock = WriteLock(lake)          # compaction commits like a load: one writer at a time
        lock.acquire(600.0)
        cur = self.cursor(lake)
        alias = self.attached[lake.schema]
        try:
            cur.execute(f"CALL ducklake_rewrite_data_files('{alias}', delete_threshold => 0.0)")
            cur.execute(f"CALL ducklake_merge_adjacent_files('{alias}')")
            cur.execute(f"CALL ducklake_expire_snapshots('{alias}', older_than => now() - INTERVAL 1 HOUR)")
            # files a merge replaced stay an hour: a page that began before it still reads them
            cur.execute(f"CALL ducklake_cleanup_old_files('{alias}', older_than => now() - INTERVAL 1 HOUR)")
        finally:
            cur.close()
            self.done(lake)
            lock.release()

    def maintain(self, lake: Lake, after_files: int) -> bool:
        """Compact once the live data files pass `after_files` (a page's time grows with the files it
        opens). Another writer at that moment is no error: the next load will do it. So the lock is
        tried, not waited for, and the files counted again under it: in the 100万 benchmark eight
        loaders ending their batches together each waited for the lock and then compacted a lake
        the first had just compacted, one after another, with the lock held throughout."""
        if self.live_files(lake) < after_files:
            return False
        lock = WriteLock(lake)
        if not lock.try_acquire():
            return False
        try:
            if self.live_files(lake) < after_files:
                return False
            self.compact(lake)
        except duckdb.Error as exc:
            if is_conflict(exc):
                return False
            raise
        finally:
            lock.release()
        return True

    def live_files(self, lake: Lake) -> int:
        """Data files the lake's tables are read from now."""
        if not self.exists(lake):
            return 0
        return int(self.pg(f'SELECT count(*) FROM "{lake.schema}".ducklake_data_file WHERE end_snapshot IS NULL')[0][0])

    def snapshot(self, lake: Lake) -> int | None:
        """The lake's newest snapshot: what cached results are keyed by (changes with every commit,
        on any node)."""
        if not self.exists(lake):
            return None
        return int(self.pg(f'SELECT max(snapshot_id) FROM "{lake.schema}".ducklake_snapshot')[0][0])


class WriteLock:
    """The lake's writer lock: a session-level advisory lock on the catalog server, one PostgreSQL
    session per holding thread (two threads of one process exclude each other too). A thread that
    holds it may open another write connection (the file backend allows the same)."""

    _held = threading.local()          # per thread: lake schema → [session, depth]

    def __init__(self, lake: Lake):
        self.lake = lake
        self.key = int.from_bytes(hashlib.sha256(("warehouse-writer:" + lake.schema).encode()).digest()[:8],
                                  "big", signed=True)

    def _mine(self) -> dict:
        if not hasattr(self._held, "locks"):
            self._held.locks = {}
        return self._held.locks

    def acquire(self, timeout: float) -> None:
        mine = self._mine()
        if self.lake.schema in mine:
            mine[self.lake.schema][1] += 1
            return
        session = psycopg.connect(self.lake.catalog, autocommit=True, connect_timeout=10)
        # a waiting pg_advisory_lock, not polling with pg_try_advisory_lock: PostgreSQL grants the lock
        # to its waiters in turn. Polling let a loader that had just let go take it again before the
        # others' next try: in the 100万 benchmark (8 loaders × 20 ledgers) seven waited past the
        # timeout while one loaded its twenty.
        try:
            session.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
            session.execute("SELECT pg_advisory_lock(%s)", [self.key])
        except psycopg.errors.LockNotAvailable as exc:
            session.close()
            raise TimeoutError("数据仓库正忙（其他节点正在写入），请稍后再试。") from exc
        except BaseException:
            session.close()
            raise
        mine[self.lake.schema] = [session, 1]

    def try_acquire(self) -> bool:
        """The lock if no other writer holds it now (no waiting): True when held."""
        mine = self._mine()
        if self.lake.schema in mine:
            mine[self.lake.schema][1] += 1
            return True
        session = psycopg.connect(self.lake.catalog, autocommit=True, connect_timeout=10)
        try:
            got = session.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()[0]
        except BaseException:
            session.close()
            raise
        if not got:
            session.close()
            return False
        mine[self.lake.schema] = [session, 1]
        return True

    def release(self) -> None:
        mine = self._mine()
        held = mine.get(self.lake.schema)
        if held is None:
            return
        held[1] -= 1
        if held[1] == 0:
            del mine[self.lake.schema]
            try:
                held[0].execute("SELECT pg_advisory_unlock(%s)", [self.key])
            finally:
                held[0].close()


_INSTANCES: dict[str, Instance] = {}
_LOCK = threading.Lock()


def instance(catalog: str) -> Instance:
    with _LOCK:
        if catalog not in _INSTANCES:
            _INSTANCES[catalog] = Instance(catalog)
        return _INSTANCES[catalog]


class LakeCon(Held):
    """A cursor on the process's lake instance (a write one holds the lake's writer lock until it is
    closed). A statement outside a transaction that meets a conflicting commit is run again (it is
    a transaction of its own); in a transaction the conflict goes to `transact`, which runs the
    whole work again."""

    _ENDS = ("COMMIT", "ROLLBACK", "ABORT", "END")

    def __init__(self, instance, where, cur, lock: WriteLock | None = None):
        def release() -> None:
            instance.done(where)
            if lock is not None:
                lock.release()

        super().__init__(cur, release, read_only=lock is None)
        self.instance, self.lake, self._in_tx = instance, where, False

    def _run(self, method: str, sql: str, *args):
        head = sql.lstrip()[:8].upper()
        if head.startswith("BEGIN"):
            self._in_tx = True
        elif head.startswith(self._ENDS):
            self._in_tx = False
        deadline, pause = time.monotonic() + RETRY_SECONDS, 0.01
        while True:
            try:
                return getattr(self._con, method)(sql, *args)
            except duckdb.Error as exc:
                if self._in_tx or not is_conflict(exc) or time.monotonic() > deadline:
                    raise
                CONFLICTS.count += 1
                time.sleep(pause * (1 + random.random()))
                pause = min(pause * 2, 0.5)

    def execute(self, sql: str, *args):
        return self._run("execute", sql, *args)

    def executemany(self, sql: str, *args):
        return self._run("executemany", sql, *args)
