"""The DuckLake backend (issue 16) against a PostgreSQL server on loopback (bench/pgserver.py):
every page call gives on the lake what it gives on the DuckDB file (all districts, and a district
account's scope), a migration there and back is exact, several loaders at once lose and double
nothing, a refused file changes nothing, and what one process commits the next page view of
another process sees. `make test-ducklake` runs the whole suite on the lake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest

import pages
from report.view import Download, View, walk
from warehouse import accounts, admin, audit, db, freshness, lake as ducklake, ledger, migrate, submissions
from warehouse.filters import Filters
from warehouse.scope import EVERYTHING, Scope
from warehouse.settings import lake as settings_lake
from warehouse_copy import copy_warehouse

ROOT = Path(__file__).resolve().parent.parent
YEAR = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
YANCHENG = Scope(("411103",), "yancheng")


@pytest.fixture(scope="module")
def lake_env(tmp_path_factory):
    """WAREHOUSE_BACKEND=ducklake for this module, on the run's server (make test-ducklake) or one
    of its own."""
    server = None
    if not os.environ.get("DUCKLAKE_CATALOG"):
        from bench.pgserver import Server

        server = Server().start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WAREHOUSE_BACKEND", "ducklake")
        if server:
            mp.setenv("DUCKLAKE_CATALOG", server.dsn)
            mp.setenv("DUCKLAKE_DATA_PATH", str(server.root / "lake-data"))
        yield dict(os.environ)
    if server:
        server.stop()


@pytest.fixture(scope="module")
def both(demo_warehouse, lake_env, tmp_path_factory):
    """The demo warehouse as a DuckDB file and as a lake (one migrated from the other)."""
    base = tmp_path_factory.mktemp("both")
    if not db.exists(demo_warehouse, "duckdb"):          # make test-ducklake: the demo is a lake
        file = base / "file.duckdb"
        migrate.to_file(file, demo_warehouse)
        return file, demo_warehouse
    # a copy: the shared demo file must not be held open while another worker's test writes to it
    file = copy_warehouse(demo_warehouse, base / "file.duckdb", backend="duckdb")
    lake = base / "lake.duckdb"
    result = migrate.to_lake(file, lake)
    assert result.tables["project_rows"] > 10_000
    return file, lake


def _norm(value):
    if isinstance(value, pl.DataFrame):
        return (tuple(value.columns), sorted((tuple(_norm(v) for v in row) for row in value.iter_rows()), key=repr))
    if is_dataclass(value) and not isinstance(value, type):
        return _norm(asdict(value))
    if isinstance(value, dict):
        return tuple(sorted(((str(k), _norm(v)) for k, v in value.items()), key=repr))
    if isinstance(value, (list, tuple)):
        return tuple(_norm(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return round(value, 9)
    return value


def _page_calls(path, backend: str, scope: Scope) -> list[tuple[str, object]]:
    """Every warehouse call of every report page (items and Excel lists) and of 数据管理."""
    made = []
    with db.reading(path, scope, backend_name=backend) as con:
        def ask(fn, *args, **kwargs):
            result = fn(con, *args, **kwargs)
            made.append((f"{fn.__module__}.{fn.__name__}", _norm(result)))
            return result

        for info in pages.report_pages():
            items = walk(pages.page_items(info.key, View(ask=ask, filters=YEAR, scope_label="全市")))
            for download in (i for i in items if isinstance(i, Download)):
                for name, frame in download.sheets():
                    made.append((f"{info.key} Excel {name}", _norm(frame)))
        first = ask(ledger.project_list, YEAR)["project_id"][0]
        ask(ledger.project_detail, first)
        ask(ledger.project_history, first)
        for fn in (admin.load_history, admin.rejected_rows, admin.load_warnings, admin.duplicate_names,
                   freshness.district_freshness, submissions.listing, audit.entries):
            ask(fn)
    return made


@pytest.mark.parametrize("scope", [EVERYTHING, YANCHENG], ids=["全市", "郾城区"])
def test_every_page_call_gives_the_same_on_the_lake(both, scope):
    file, lake = both
    on_file, on_lake = _page_calls(file, "duckdb", scope), _page_calls(lake, "ducklake", scope)
    assert [n for n, _ in on_file] == [n for n, _ in on_lake] and len(on_file) > 60
    differ = [name for (name, a), (_, b) in zip(on_file, on_lake) if a != b]
    assert differ == []


def test_migration_there_and_back_is_exact(both, tmp_path):
    file, lake = both
    back = tmp_path / "back.duckdb"
    result = migrate.to_file(back, lake)
    assert result.tables["loads"] > 100 and sum(result.tables.values()) > 20_000
    with db.reading(file, backend_name="duckdb") as a, db.reading(back, backend_name="duckdb") as b:
        names = [c.execute("SELECT current_database()").fetchone()[0] for c in (a, b)]
        for table in result.tables:
            if table != "meta":
                assert migrate.fingerprint(a, names[0], table) == migrate.fingerprint(b, names[1], table), table
        last = a.execute("SELECT max(load_id) FROM loads").fetchone()[0]
    with db.writing(back, backend_name="duckdb") as b:       # the sequences go on after the copied ids
        assert db.next_id(b, "load_id_seq") == last + 1
    with pytest.raises(migrate.MigrationError, match="已存在"):
        migrate.to_file(back, lake)
    with pytest.raises(migrate.MigrationError, match="已有数据"):
        migrate.to_lake(file, lake)


def _load(paths, lake, env, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(lake), "--json", *extra,
                           *map(str, paths)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _projects(path, backend: str) -> list[tuple]:
    with db.reading(path, backend_name=backend) as con:
        return sorted(con.execute("SELECT * FROM projects").fetchall(), key=repr)


DISTRICTS = ("郾城区", "源汇区", "舞阳县", "临颍县")


def test_four_loaders_at_once_lose_and_double_nothing(demo_warehouse, lake_env, tmp_path):
    """Four districts' ledgers loaded by four processes at the same time into one lake give the
    projects that loading them one after the other into a DuckDB file gives."""
    root = demo_warehouse.parent / "ledgers" / "ledgers"
    folders = [root / d for d in DISTRICTS]
    lake, file = tmp_path / "many.duckdb", tmp_path / "alone.duckdb"
    file_env = {**lake_env, "WAREHOUSE_BACKEND": "duckdb"}
    alone = _load(folders, file, file_env)
    assert alone.returncode == 0, alone.stderr[-2000:]
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(lake), "--json", str(f)], cwd=ROOT,
                              env=lake_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in folders]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [(o[-3000:], e[-1500:]) for o, e in outs]
    statuses = [f["status"] for out, _ in outs for f in json.loads(out)["files"]]
    assert statuses and set(statuses) == {"loaded"}
    assert _projects(lake, "ducklake") == _projects(file, "duckdb")
    with db.reading(lake, backend_name="ducklake") as con:
        ids = con.execute("SELECT count(*), count(DISTINCT load_id) FROM loads").fetchone()
        assert ids[0] == ids[1] == len(statuses)
        rows = con.execute("SELECT count(*) FROM project_rows").fetchone()[0]
    with db.reading(file, backend_name="duckdb") as con:
        assert rows == con.execute("SELECT count(*) FROM project_rows").fetchone()[0]


def test_a_refused_file_changes_nothing_on_the_lake(demo_warehouse, lake_env, tmp_path):
    lake = tmp_path / "refused.duckdb"
    first = sorted((demo_warehouse.parent / "ledgers" / "ledgers" / "郾城区").glob("*.xlsx"))[:2]
    assert _load(first, lake, lake_env).returncode == 0
    before = _projects(lake, "ducklake")
    with db.reading(lake, backend_name="ducklake") as con:
        snapshot = db.version(lake)
        loads = con.execute("SELECT count(*) FROM loads").fetchone()[0]
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    r = _load([bad], lake, lake_env)
    assert r.returncode == 1 and json.loads(r.stdout)["files"][0]["status"] == "refused"
    assert _projects(lake, "ducklake") == before and db.version(lake) != snapshot   # only its audit line
    with db.reading(lake, backend_name="ducklake") as con:
        assert con.execute("SELECT count(*), count(*) FILTER (status = 'refused') FROM loads").fetchone() == (loads + 1, 1)


def test_a_loader_kept_waiting_past_its_time_refuses_that_file_only(demo_warehouse, lake_env, tmp_path, monkeypatch):
    """Another node holds the lake's writer lock: the file is refused with a Chinese message that
    says what to do, the lake is unchanged, and the batch goes on (a file later in it loads once
    the lock is free) — not a whole batch reported as one error."""
    from etl.load import load_files

    lake = tmp_path / "busy.duckdb"
    files = sorted((demo_warehouse.parent / "ledgers" / "ledgers" / "郾城区").glob("*.xlsx"))[:2]
    assert _load(files[:1], lake, lake_env).returncode == 0
    before = _projects(lake, "ducklake")
    monkeypatch.setattr(db, "LAKE_WRITE_WAIT_SECONDS", 0.5)
    other = psycopg.connect(settings_lake(lake).catalog, autocommit=True)     # another node's loader
    key = ducklake.WriteLock(settings_lake(lake)).key
    other.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        [busy] = load_files(files[1:], db=lake)
        assert busy.status == "refused" and "数据仓库正忙" in busy.message and "请稍后重新上传" in busy.message
        assert _projects(lake, "ducklake") == before
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [key])
        other.close()
    [loaded] = load_files(files[1:], db=lake)
    assert loaded.status == "loaded", loaded.message


def test_another_process_commit_is_seen_on_the_next_page_view(demo_warehouse, lake_env, tmp_path):
    """Two app nodes: this process has read the lake (its instance stays attached); a load in
    another process changes the version pages are cached by, and the next read sees the rows."""
    lake = tmp_path / "nodes.duckdb"
    files = sorted((demo_warehouse.parent / "ledgers" / "ledgers" / "东城区").glob("*.xlsx"))
    assert _load(files[:1], lake, lake_env).returncode == 0
    before, count = db.version(lake), len(_projects(lake, "ducklake"))
    with db.reading(lake, backend_name="ducklake") as page:      # a page run open during the load
        assert page.execute("SELECT count(*) FROM projects").fetchone()[0] == count
        assert _load(files[1:3], lake, lake_env).returncode == 0
        # the whole page reads one snapshot: its numbers are all from before the load
        assert page.execute("SELECT count(*) FROM projects").fetchone()[0] == count
        assert page.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0] == 1
    assert db.version(lake) != before and len(_projects(lake, "ducklake")) > count


def test_sign_ins_at_once_on_two_threads_all_count(both, lake_env):
    """An account row changed by two writers at the same moment (a failed sign-in on two nodes):
    the statement that meets the other's commit is run again, and both count."""
    _, lake = both
    with db.writing(lake, backend_name="ducklake") as con:
        accounts.add(con, "racer", "district", "Racer@2025", districts=("411103",), name="抢先测试")
    errors = []

    def fail_ten_times():
        try:
            for _ in range(10):
                with db.writing(lake, backend_name="ducklake") as con:
                    con.execute("UPDATE accounts SET failed_attempts = failed_attempts + 1 WHERE login = 'racer'")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail_ten_times) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.reading(lake, backend_name="ducklake") as con:
        assert con.execute("SELECT failed_attempts FROM accounts WHERE login = 'racer'").fetchone()[0] == 20


def test_the_lake_writes_lz4_data_files(both):
    """The lake's option (warehouse/lake.py OPTIONS) is in its catalog: the files a migration wrote
    are LZ4, which reads text columns faster than DuckDB's default Snappy."""
    _, lake = both
    where = settings_lake(lake)
    files = sorted(Path(where.data_path).glob("main/project_current/*.parquet"))
    assert files
    codecs = {r[0] for r in duckdb.connect().execute(
        "SELECT DISTINCT compression FROM parquet_metadata(?)", [str(files[-1])]).fetchall()}
    assert codecs == {"LZ4_RAW"}


@pytest.mark.parametrize("backend", ["duckdb", "ducklake"])
def test_a_read_connection_lists_its_relations_once(both, backend):
    """has_relation on a page's connection asks the catalog once (on a lake a listing of the
    tables reads every table's statistics from the catalog server); a write connection asks
    every time, since its own statements change what exists."""
    file, lake = both
    path = file if backend == "duckdb" else lake
    with db.reading(path, backend_name=backend) as con:
        assert db.has_relation(con, "projects") and db.has_relation(con, "project_current")
        assert not db.has_relation(con, "no_such_table")
        assert "relations" in con.memo
        con.memo["relations"] = frozenset({("only_this", False)})     # what the connection answers now
        assert db.has_relation(con, "only_this") and not db.has_relation(con, "projects")
    with db.reading(path, scope=YANCHENG, backend_name=backend) as con:
        assert db.has_relation(con, "ref_districts", temporary=True)     # the scope's shadow
    with db.writing(path, backend_name=backend) as con:
        assert con.memo is None
        assert db.has_relation(con, "projects")


def test_compaction_keeps_each_projects_rows_together(demo_warehouse, lake_env, tmp_path):
    """project_rows is a sorted table on the lake (warehouse/lake.py SORTED): the file compaction
    merges three monthly loads into holds the rows by project, so one project's history is a few
    row groups (at 10万 projects the lookup after compaction: 176 → 17 ms)."""
    lake = tmp_path / "sorted.duckdb"
    files = sorted((demo_warehouse.parent / "ledgers" / "ledgers" / "东城区").glob("*.xlsx"))[:3]
    assert _load(files, lake, lake_env).returncode == 0
    db.compact(lake)
    where = settings_lake(lake)
    live = {r[0] for r in ducklake.instance(where.catalog).pg(
        f"""SELECT f.path FROM "{where.schema}".ducklake_data_file f JOIN "{where.schema}".ducklake_table t
            USING (table_id) WHERE t.table_name = 'project_rows' AND f.end_snapshot IS NULL
            AND t.end_snapshot IS NULL""")}
    paths = [p for p in Path(where.data_path).glob("main/project_rows/*.parquet") if p.name in live]
    assert len(paths) == len(live) == 1
    con = duckdb.connect()
    con.execute("SET threads = 1")
    keys = con.execute("SELECT project_id, as_of FROM read_parquet(?)", [str(paths[0])]).fetchall()
    assert len(keys) > 30 and len({k[1] for k in keys}) == 3 and keys == sorted(keys)


def test_the_loaders_maintenance_neither_waits_nor_compacts_twice(demo_warehouse, lake_env, tmp_path):
    """After a batch the loader compacts once the live files pass the setting, but never waits for
    the writer lock: another writer holding it means the next load will do it (eight loaders ending
    together each waited, then compacted what the first had just compacted). Counted again under
    the lock: below the setting, nothing is done."""
    lake = tmp_path / "tidy.duckdb"
    files = sorted((demo_warehouse.parent / "ledgers" / "ledgers" / "东城区").glob("*.xlsx"))[:3]
    assert _load(files, lake, lake_env).returncode == 0
    where = settings_lake(lake)
    instance = ducklake.instance(where.catalog)
    many = instance.live_files(where)
    assert many > 3
    other = psycopg.connect(where.catalog, autocommit=True)          # another node's loader
    key = ducklake.WriteLock(where).key
    other.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        t0 = time.perf_counter()
        assert instance.maintain(where, after_files=2) is False
        assert time.perf_counter() - t0 < 5 and instance.live_files(where) == many
    finally:
        other.execute("SELECT pg_advisory_unlock(%s)", [key])
        other.close()
    assert instance.maintain(where, after_files=many + 1) is False and instance.live_files(where) == many
    assert instance.maintain(where, after_files=2) is True
    assert instance.live_files(where) < many
    # the lock is free again: a writer takes it at once
    lock = ducklake.WriteLock(where)
    assert lock.try_acquire()
    lock.release()


def _catalog_sessions(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as pg:
        return pg.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                          " AND pid <> pg_backend_pid()").fetchone()[0]


def test_a_process_keeps_a_bounded_number_of_lakes_attached(small_warehouse, lake_env, tmp_path):
    """Each attached lake keeps its own catalog sessions: a process that has used many lakes (a test
    worker, a migration script) lets go of the least recently used idle ones, so the catalog server
    does not run out of connections; a lake let go of is attached again on its next use, with its
    data, and one a connection is open on stays attached however many others are used meanwhile."""
    base = small_warehouse
    if db.exists(small_warehouse, "duckdb"):
        base = tmp_path / "base.duckdb"
        migrate.to_lake(small_warehouse, base)
    lakes = [copy_warehouse(base, tmp_path / f"w{i}.duckdb", backend="ducklake")
             for i in range(ducklake.MAX_ATTACHED + 4)]
    inst = ducklake.instance(settings_lake(lakes[0]).catalog)
    with db.reading(lakes[0]) as held:
        first = held.execute("SELECT count(*), sum(total_investment_wan) FROM project_current").fetchone()
        before = _catalog_sessions(inst.catalog)
        for path in lakes[1:]:
            with db.reading(path) as con:
                assert con.execute("SELECT count(*) FROM project_current").fetchone()[0] == 11
        assert len(inst.attached) <= ducklake.MAX_ATTACHED
        assert settings_lake(lakes[0]).schema in inst.attached          # its connection is still open
        assert held.execute("SELECT count(*), sum(total_investment_wan) FROM project_current").fetchone() == first
        assert _catalog_sessions(inst.catalog) <= before + 2 * ducklake.MAX_ATTACHED
    assert settings_lake(lakes[1]).schema not in inst.attached
    with db.reading(lakes[1]) as con:                                   # attached again
        assert con.execute("SELECT count(*), sum(total_investment_wan) FROM project_current").fetchone() == first
