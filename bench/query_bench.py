"""Query benchmarks: every page's queries against one generated warehouse.

App way: as a page run does (ui.data.page_run), one read-only connection is opened with
warehouse.db.reading for the page, and each warehouse function runs on it with the page's
arguments (Streamlit's cache is not used: it would hide the work). Floor: the same aggregation
written directly in SQL (bench/queries.py) on a connection of its own. Both are warmed up once;
the app way is then repeated `repeat` times, the floor max(3, repeat/2) times (only its median
is used). A call slower than SLOW seconds twice in a row (warm-up and the next run) is measured
once; one slower than `cap` seconds is interrupted and reported as a timeout, and the rest of
that page is not run at that size.

Filter-independent queries (data status, freshness, 数据管理, 目标进度, a project's detail) are
measured once per warehouse and counted in every scenario's page totals. A page total at
repetition k is the time to open the warehouse (median) plus the sum of the page's calls at
repetition k (times how often the page makes the call): the server-side work of opening the
page without a cache, before any chart is drawn.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from bench.queries import QUERIES, Context, available, make_context, record_pages, same_answer, scenarios
from bench.stats import summary
from warehouse.db import reading

SLOW = 5.0


class Timeout(Exception):
    pass


def _timed(con, fn, cap: float):
    """Run fn() with con.interrupt() after cap seconds; (seconds, result) or Timeout."""
    timer = threading.Timer(cap, con.interrupt)
    timer.start()
    t0 = time.perf_counter()
    try:
        result = fn()
    except duckdb.InterruptException as exc:
        raise Timeout() from exc
    finally:
        timer.cancel()
    return time.perf_counter() - t0, result


def run_app(con, query, filters, ctx: Context, cap: float):
    """One app-way call on the page's connection."""
    return _timed(con, lambda: query.app(con, filters, ctx), cap)


def run_floor(con, query, filters, ctx: Context, cap: float):
    def go():
        out = []
        for sql in query.floor(filters, ctx):
            rows = con.execute(sql).fetchall()
            if not sql.lstrip().upper().startswith("CREATE"):
                out.append(rows)
        return out
    return _timed(con, go, cap)


def _floor_connection(db: Path):
    """A connection of the floor's own: the file opened directly; a lake through warehouse.db (the
    lake's instance is per process, its cursor costs nothing)."""
    from warehouse import db as wdb

    if wdb.lake_backend(db):
        return wdb.connect(db, read_only=True)
    return duckdb.connect(str(db), read_only=True)


def measure_query(db: Path, page_con, query, filters, ctx: Context, repeat: int, cap: float) -> dict:
    """The app way first, on the page's connection; then the floor on a connection of its own."""
    why = available(query)
    if why:
        return {"skipped": why}
    out: dict = {"calls_per_page": query.calls}
    try:
        first, app_result = run_app(page_con, query, filters, ctx, cap)
    except Timeout:
        return {"timeout": cap}
    app: list[float] = []
    slow = False
    try:
        if first > SLOW:                  # slow, or a hiccup of a busy machine? once more decides
            second = run_app(page_con, query, filters, ctx, cap)[0]
            app.append(second)
            slow = second > SLOW
        while len(app) < repeat and not slow:
            app.append(run_app(page_con, query, filters, ctx, cap)[0])
    except Timeout:
        out["late_timeout"] = cap
    app = app or [first]
    out["app"] = summary(app)
    out["app_samples"] = app
    if query.floor is None:
        return out
    if query.floor_is_view and slow:
        out["floor_skipped"] = "the floor is the same view; the call is over 5 s"
        return out
    floor_repeat = max(3, (repeat + 1) // 2)
    con = _floor_connection(db)
    try:
        con.execute("SET enable_progress_bar = false")
        floor_first, floor_result = run_floor(con, query, filters, ctx, cap)
        try:
            out["same_answer"] = bool(same_answer(query, app_result, floor_result))
        except Exception as exc:          # a shape the comparison does not know: say so, do not fail
            out["same_answer"] = f"not compared: {type(exc).__name__}"
        floor = [floor_first] if floor_first > SLOW else []
        while len(floor) < floor_repeat and not (floor and floor_first > SLOW):
            floor.append(run_floor(con, query, filters, ctx, cap)[0])
        out["floor"] = summary(floor)
        out["ratio"] = out["app"]["median"] / out["floor"]["median"] if out["floor"]["median"] else None
    except Timeout:
        out["floor_timeout"] = cap
    finally:
        con.close()
    return out


def page_totals(page_keys: list[str], results: dict, repeat: int, connect: float) -> dict:
    missing = [k for k in page_keys if "app" not in results.get(k, {})]
    if missing:
        reasons = {k: ("超时" if "timeout" in results.get(k, {}) else results.get(k, {}).get("skipped", "未测"))
                   for k in missing}
        return {"incomplete": reasons}
    totals = []
    for i in range(repeat):
        total = connect
        for k in page_keys:
            samples = results[k]["app_samples"]
            total += samples[i % len(samples)] * results[k]["calls_per_page"]
        totals.append(total)
    return summary(totals)


def run(db: Path, *, repeat: int, sample_city: str, cap: float, progress=print, label: str = "",
        views: list[str] | None = None) -> dict:
    with reading(db) as con:
        ctx = make_context(con, sample_city)
    connect = []
    for _ in range(max(repeat, 5)):
        t0 = time.perf_counter()
        with reading(db) as con:
            con.execute("SELECT 1").fetchall()
        connect.append(time.perf_counter() - t0)
    shared: dict[str, dict] = {}
    out_scenarios = []
    for key, title, filters in scenarios(ctx):
        if views and key not in views:
            continue
        results: dict[str, dict] = {}
        with reading(db) as con:
            page_calls = record_pages(con, filters)
        for page, (page_title, keys) in page_calls.items():
            timed_out = False
            with reading(db) as page_con:
                page_con.execute("SET enable_progress_bar = false")
                for qkey in keys:
                    query = QUERIES[qkey]
                    if qkey in results:
                        continue
                    if not query.filtered and qkey in shared:
                        results[qkey] = shared[qkey]
                        continue
                    if timed_out:
                        results[qkey] = {"skipped": "an earlier query of this page timed out"}
                        continue
                    r = measure_query(db, page_con, query, filters, ctx, repeat, cap)
                    results[qkey] = r
                    if not query.filtered:
                        shared[qkey] = r
                    timed_out = "timeout" in r
                    if progress:
                        progress(_line(label, title, qkey, r))
        opening = summary(connect)["median"]
        pages = {page: page_totals(keys, results, repeat, opening) for page, (_, keys) in page_calls.items()}
        out_scenarios.append({"key": key, "label": title, "filters": _describe(filters), "queries": results,
                              "pages": pages, "page_calls": page_calls})
    return {"connect": summary(connect), "context": {"newest": str(ctx.newest), "project_id": ctx.project_id,
                                                     "target_year": ctx.target_year,
                                                     "report_date": str(ctx.report_date)},
            "scenarios": out_scenarios}


def _describe(f) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else (str(v) if v is not None else None))
            for k, v in f.__dict__.items() if v not in ((), None)}


def _line(label: str, scenario: str, key: str, r: dict) -> str:
    head = f"  [{label} · {scenario[:8]}] {key:42}"
    if "skipped" in r:
        return f"{head} 未测：{r['skipped'][:60]}"
    if "timeout" in r:
        return f"{head} 超时（>{r['timeout']:.0f}s）"
    app = r["app"]
    floor = r.get("floor")
    text = f"{head} 中位 {app['median'] * 1000:8.1f}ms  p95 {app['p95'] * 1000:8.1f}ms"
    if floor:
        text += f"  直写SQL {floor['median'] * 1000:8.1f}ms  比值 {r['ratio']:.2f}"
    if r.get("same_answer") is False:
        text += "  ⚠ 结果与直写SQL不同"
    return text
