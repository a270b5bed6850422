"""The DuckLake backend side by side with the DuckDB file (issue 16), in the same run:

1. replay: the generated warehouse written into a lake month by month — 54 transactions, each
   the month's loads, ledger rows (sorted by project), and the projects' current state and history
   summaries replaced for every project that month's ledgers listed (what the loader does), each
   followed by the loader's maintenance (warehouse.db.maintain: compaction once the live files
   pass `compact_after_files`) — then
   checked table by table against the file (rows, fingerprint of every row, sums);
2. pages: every page's queries (bench/query_bench.py) on the lake after the 54 monthly loads, and
   again after compaction (warehouse.db.compact);
3. many writers: 8 loader processes × 20 district ledgers (real files of the month after, through
   `python -m etl load`) while 4 reader processes open pages in a loop: errors, what was loaded
   (each load's rows stored exactly once, none lost or doubled), and the readers' page times.

The catalog is a PostgreSQL server this step starts on loopback (bench/pgserver.py) unless
DUCKLAKE_CATALOG is set; the data files are under --out/lake.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.stats import summary

ROOT = Path(__file__).resolve().parent.parent
MONTH_TABLES = ("project_rows", "load_districts")                     # rows of that month's loads
PROJECT_TABLES = ("project_current", "project_timeline", "project_batches")   # replaced per project
LOAD_TABLES = ("rejected_rows", "skipped_rows", "load_warnings")
SRC = "bench_source"
READ_AT_MOST = 3600.0             # seconds a reader process runs at most


@contextmanager
def lake_backend(out: Path):
    """WAREHOUSE_BACKEND=ducklake for this process (and the processes it starts)."""
    saved = {k: os.environ.get(k) for k in ("WAREHOUSE_BACKEND", "DUCKLAKE_CATALOG", "DUCKLAKE_DATA_PATH")}
    server = None
    if not os.environ.get("DUCKLAKE_CATALOG"):
        from bench.pgserver import Server

        server = Server().start()
        os.environ["DUCKLAKE_CATALOG"] = server.dsn
    os.environ["DUCKLAKE_DATA_PATH"] = os.environ.get("DUCKLAKE_DATA_PATH") or str(out / "lake")
    os.environ["WAREHOUSE_BACKEND"] = "ducklake"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if server:
            server.stop()


def replay(file: Path, lake: Path, progress=print) -> dict:
    """The file warehouse into an empty lake, one transaction per month of loads."""
    from warehouse import db, migrate

    con = db.connect(lake)
    target = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH '{file.resolve()}' AS {SRC} (READ_ONLY)")
    t0 = time.perf_counter()
    try:
        tables = [t for t in migrate.tables_of(con, SRC) if t in set(migrate.tables_of(con, target))]
        monthly = set(MONTH_TABLES) | set(PROJECT_TABLES) | set(LOAD_TABLES) | {"loads", "meta"}
        months = [r[0] for r in con.execute(
            f"SELECT DISTINCT as_of FROM {SRC}.main.project_rows ORDER BY 1").fetchall()]

        def once(con):
            for t in tables:
                if t not in monthly:
                    con.execute(f"DELETE FROM {t}")
                    con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM {SRC}.main.{t}")
            con.execute(f"INSERT INTO meta SELECT * FROM {SRC}.main.meta WHERE key <> 'schema'")

        db.transact(con, once)
        seconds, compactions = [], []
        for i, month in enumerate(months):
            t1 = time.perf_counter()
            db.transact(con, lambda c: _month(c, month))
            seconds.append(time.perf_counter() - t1)
            # as `python -m etl load` ends a batch: the small files merged once they pass the setting
            t1 = time.perf_counter()
            if db.maintain(lake):
                compactions.append({"month": str(month), "seconds": time.perf_counter() - t1})
                progress(f"  数据湖：第{i + 1}个月后文件超过设定，入库程序整理 {compactions[-1]['seconds']:.1f}s")
            if i % 6 == 0 or i == len(months) - 1:
                progress(f"  数据湖：第{i + 1}/{len(months)}个月（{month}）写入 {seconds[-1]:.1f}s")
        db.transact(con, lambda c: c.execute(
            f"INSERT INTO loads SELECT * FROM {SRC}.main.loads WHERE load_id NOT IN (SELECT load_id FROM loads)"))
        for t in LOAD_TABLES:
            db.transact(con, lambda c, t=t: c.execute(
                f"INSERT INTO {t} SELECT * FROM {SRC}.main.{t} WHERE load_id NOT IN "
                f"(SELECT load_id FROM {SRC}.main.project_rows)"))
        wrong = [t for t in tables if t != "meta"
                 and migrate.fingerprint(con, SRC, t) != migrate.fingerprint(con, target, t)]
        for sequence, (table, column) in migrate.SEQUENCE_OF.items():
            last = con.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()[0]
            con.instance.set_sequence(con.lake, sequence, int(last))
        files = con.instance.live_files(con.lake)
    finally:
        con.execute(f"DETACH {SRC}")
        con.close()
    return {"months": len(months), "seconds": time.perf_counter() - t0, "month_seconds": summary(seconds),
            "same_as_file": not wrong, "differences": wrong, "live_files": files, "compactions": compactions}


def _month(con, month) -> None:
    loads = f"(SELECT DISTINCT load_id FROM {SRC}.main.project_rows WHERE as_of = DATE '{month}')"
    touched = f"(SELECT DISTINCT project_id FROM {SRC}.main.project_rows WHERE as_of = DATE '{month}')"
    con.execute(f"INSERT INTO loads SELECT * FROM {SRC}.main.loads WHERE load_id IN {loads}")
    con.execute(f"INSERT INTO project_rows SELECT * FROM {SRC}.main.project_rows WHERE as_of = DATE '{month}' "
                "ORDER BY project_id, load_id, source_row")
    con.execute(f"INSERT INTO load_districts SELECT * FROM {SRC}.main.load_districts WHERE load_id IN {loads}")
    for t in LOAD_TABLES:
        con.execute(f"INSERT INTO {t} SELECT * FROM {SRC}.main.{t} WHERE load_id IN {loads}")
    for t in PROJECT_TABLES:
        con.execute(f"DELETE FROM {t} WHERE project_id IN {touched}")
        con.execute(f"INSERT INTO {t} SELECT * FROM {SRC}.main.{t} WHERE project_id IN {touched}")


# --- many writers, readers meanwhile --------------------------------------------------------------

def concurrent(lake: Path, files: list[Path], as_of, *, loaders: int = 8, readers: int = 4, env: dict,
               progress=print) -> dict:
    from warehouse import db

    with db.reading(lake) as con:
        before = con.execute("SELECT count(*), (SELECT count(*) FROM loads) FROM project_rows").fetchone()
    stop = lake.parent / "readers.stop"
    stop.unlink(missing_ok=True)
    for f in lake.parent.glob("reader-*.ready"):
        f.unlink()
    reads = [subprocess.Popen([sys.executable, "-m", "bench.lake", "read", str(lake), str(stop)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(readers)]
    deadline = time.monotonic() + 300
    while len(list(lake.parent.glob("reader-*.ready"))) < readers and time.monotonic() < deadline:
        time.sleep(0.2)                   # the readers are reading before the first loader starts
    chunks = [files[i::loaders] for i in range(loaders)]
    t0 = time.perf_counter()
    writers = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", str(lake), "--as-of", as_of.isoformat(),
                                 "--json", *map(str, chunk)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for chunk in chunks]
    outs = [w.communicate() for w in writers]
    seconds = time.perf_counter() - t0
    stop.touch()
    read_outs = [r.communicate(timeout=600) for r in reads]
    stop.unlink(missing_ok=True)
    statuses, errors = {}, []
    for w, (out, err) in zip(writers, outs):
        if w.returncode not in (0, 1):
            errors.append(err[-500:])
            continue
        doc = json.loads(out)
        if doc.get("error"):              # the process stopped: the files it had not reported are not counted
            errors.append(doc["error"][:300])
        for f in doc["files"]:
            statuses[f["status"]] = statuses.get(f["status"], 0) + 1
            if f["status"] != "loaded":
                errors.append(f["message"][:300])
    page_times, read_errors = [], []
    for r, (out, err) in zip(reads, read_outs):
        doc = json.loads(out) if r.returncode == 0 and out.strip() else {"times": [], "errors": [err[-300:]]}
        page_times += doc["times"]
        read_errors += doc["errors"]
    progress(f"  {loaders}个入库进程 × {len(chunks[0])}个文件，{readers}个读进程：{seconds:.1f}s，"
             f"入库状态 {statuses}，读页面 {len(page_times)} 次")
    return {"loaders": loaders, "files": len(files), "readers": readers, "seconds": seconds, "statuses": statuses,
            "errors": errors, "read_errors": read_errors, "reader_page": summary(page_times),
            "check": _check_loaded(lake, before)}


def _check_loaded(lake: Path, before: tuple) -> dict:
    """Every load's rows stored once: per load, rows in project_rows = rows_loaded; no content twice."""
    from warehouse import db

    with db.reading(lake) as con:
        after = con.execute("SELECT count(*), (SELECT count(*) FROM loads) FROM project_rows").fetchone()
        mismatched = con.execute("""
            SELECT count(*) FROM loads l LEFT JOIN (SELECT load_id, count(*) AS n FROM project_rows GROUP BY 1) r
            USING (load_id) WHERE l.status = 'loaded' AND l.kind = '项目台账' AND coalesce(r.n, 0) <> l.rows_loaded
        """).fetchone()[0]
        doubled = con.execute("SELECT count(*) FROM (SELECT content_hash FROM loads WHERE status = 'loaded' "
                              "GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
        new_loaded = con.execute("SELECT coalesce(sum(rows_loaded), 0) FROM loads WHERE load_id > ?",
                                 [_max_load_before(con, before[1])]).fetchone()[0]
    return {"rows_before": before[0], "rows_after": after[0], "rows_added": after[0] - before[0],
            "rows_loaded_reported": int(new_loaded), "loads_mismatched": mismatched, "contents_twice": doubled}


def _max_load_before(con, n_loads: int) -> int:
    row = con.execute("SELECT load_id FROM loads ORDER BY load_id LIMIT 1 OFFSET ?", [max(n_loads - 1, 0)]).fetchone()
    return row[0] if row else 0


def read_loop(lake: Path, stop: Path) -> dict:
    """A reader process: the 总览 and 项目台账 pages' calls, one page run after another, until `stop`."""
    from bench.queries import QUERIES, make_context, record_pages, scenarios
    from warehouse import db

    with db.reading(lake) as con:
        ctx = make_context(con, None)
        _, _, filters = next(iter(scenarios(ctx)))
        calls = record_pages(con, filters)
    keys = [k for page in ("overview", "ledger") for k in calls[page][1]]
    times, errors = [], []
    (stop.parent / f"reader-{os.getpid()}.ready").touch()
    parent, started = os.getppid(), time.monotonic()
    # until told, or until the benchmark that started it is gone (killed: it will never tell)
    while not stop.exists() and os.getppid() == parent and time.monotonic() - started < READ_AT_MOST:
        t0 = time.perf_counter()
        try:
            with db.reading(lake) as con:
                for k in keys:
                    QUERIES[k].app(con, filters, ctx)
            times.append(time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - counted, reported
            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    return {"times": times, "errors": errors}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "read":
        print(json.dumps(read_loop(Path(sys.argv[2]), Path(sys.argv[3]))))


def run(args, out: Path, ref, warehouses: dict, env: dict, file_queries: dict | None, progress=print) -> dict:
    """The lake step of `python -m bench` at the largest size (see the module's docstring)."""
    import shutil

    from bench import generate, query_bench
    from bench.ledgers import write_sample
    from warehouse import db

    n = max(warehouses)
    folder = out / "lake"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result: dict = {"projects": n}
    with lake_backend(out):
        lake = folder / f"lake_{n}.duckdb"            # the lake's name (warehouse.settings.lake)
        progress(f"数据湖（DuckLake，目录在 PostgreSQL）：{n:,} 个项目按月写入 54 次")
        result["replay"] = replay(warehouses[n], lake, progress)
        progress(f"  写入 {result['replay']['seconds']:.0f}s，与文件逐表一致：{result['replay']['same_as_file']}，"
                 f"数据文件 {result['replay']['live_files']} 个")
        run_env = dict(env, **{k: os.environ[k] for k in ("WAREHOUSE_BACKEND", "DUCKLAKE_CATALOG", "DUCKLAKE_DATA_PATH")})
        for label, key in (("按月写入54次后", "after_loads"), ("整理后", "after_compaction")):
            if key == "after_compaction":
                t0 = time.perf_counter()
                db.compact(lake)
                result["compaction_seconds"] = time.perf_counter() - t0
                result["files_after_compaction"] = _live_files(lake)
            progress(f"页面查询（数据湖，{label}）：{n:,} 个项目")
            result[key] = query_bench.run(lake, repeat=args.repeat, sample_city=args.sample_city, cap=args.cap,
                                          progress=progress, label=f"湖·{label}", views=args.view_list)
        plan = generate.plan_projects(ref, n, args.seed)
        files: list[Path] = []
        wanted = args.lake_loaders * args.lake_files
        from bench.henan import areas

        for city in sorted({a["city_code"] for a in areas()}):
            if len(files) >= wanted:
                break
            files += write_sample(folder / "ledgers" / city, ref, plan, city, seed=args.seed)
        progress(f"多个入库进程同时写入：{args.lake_loaders} × {args.lake_files} 个县区台账，{args.lake_readers} 个读进程")
        result["concurrent"] = concurrent(lake, files[:wanted], generate.month_end(generate.SAMPLE_MONTH),
                                          loaders=args.lake_loaders, readers=args.lake_readers, env=run_env,
                                          progress=progress)
    result["file_queries"] = bool(file_queries)
    return result


def _live_files(lake: Path) -> int:
    from warehouse import db, lake as ducklake
    from warehouse.settings import lake as where

    return ducklake.instance(where(lake).catalog).live_files(where(lake)) if db.exists(lake) else 0
