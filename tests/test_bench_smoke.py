"""The benchmark (python -m bench) at a tiny size, so it cannot rot: the whole pipeline runs —
province reference, generated warehouse, real ledger files through the loader, the consistency
checks, every page's queries against their direct-SQL floors, the report — and its outputs are
checked for shape. No timing is asserted (the machine running the tests is busy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.settings import settings

ROOT = Path(__file__).resolve().parent.parent
SIZE = 2000


def _bench(out: Path, *args: str, timeout: float = 300) -> tuple[dict, str]:
    md = out / "BENCHMARKS.md"
    r = subprocess.run([sys.executable, "-m", "bench", "--sizes", str(SIZE), "--repeat", "1", "--out", str(out),
                        "--md", str(md), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-3000:])
    return json.loads((out / "results.json").read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


# The benchmark's lake step (bench/lake.py) runs in make test-ducklake; make test keeps its own
# DuckLake checks in tests/test_ducklake.py and stays short.
LAKE_RUN = os.environ.get("WAREHOUSE_BACKEND") == "ducklake"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    skip = "ledger200k,app,export" + ("" if LAKE_RUN else ",lake")
    return _bench(tmp_path_factory.mktemp("bench"), "--skip", skip, "--views", "all,narrow",
                  "--lake-loaders", "2", "--lake-files", "2", "--lake-readers", "1", timeout=900)


def test_report_written(run):
    results, md = run
    for heading in ("## 结论 · Goals", "## How to reproduce", "## Machine", "## Design", "## Data sets",
                    "## Loading", "## Page queries", "## Known gaps"):
        assert heading in md
    assert "Do not edit by hand" in md
    m = results["machine"]
    assert m["logical_cores"] >= 1 and m["ram_gb"] > 0 and m["packages"]["duckdb"]
    info = results["warehouses"][str(SIZE)]
    assert info["projects"] == SIZE
    assert info["history_rows"] > 10 * SIZE          # monthly snapshots since 2021
    assert info["loads"] > 181                        # one file per district per month


def test_generated_warehouse_is_what_the_loader_writes(run):
    c = run[0]["loading"]["consistency"]
    assert c["schema"]["same"], c["schema"]["differences"]
    v = c["values"]
    assert v["matched"] == v["expected"] == v["loaded"] > 0
    assert v["mismatches"] == {}, v["examples"]
    assert v["columns_compared"] >= 25
    assert c["current"]["same"], c["current"]


def test_loading_measured(run):
    L = run[0]["loading"]
    fresh = L["fresh"]
    assert fresh["files"] >= 5 and len(fresh["layouts"]) >= 4      # mixed real layouts
    assert fresh["rows_loaded"] > 0 and fresh["problems"] == []
    for who in ("bare", "loader", "analyst"):
        assert fresh["seconds"][who]["n"] >= 1 and fresh["seconds"][who]["median"] > 0
        assert fresh["peak_rss_mb"][who] > 0
    assert fresh["ratio_to_bare"] > 0 and fresh["ratio_to_analyst"] > 0 and fresh["rows_per_second"] > 0
    inc = L["incremental"][str(SIZE)]
    assert inc["rows_loaded"] == fresh["rows_loaded"] and inc["problems"] == [] and inc["peak_rss_mb"] > 0


def test_every_page_query_measured_and_floor_agrees(run):
    import pages

    q = run[0]["queries"][str(SIZE)]
    assert [s["key"] for s in q["scenarios"]] == ["all", "narrow"]
    for sc in q["scenarios"]:
        assert {p.key for p in pages.report_pages()} <= set(sc["page_calls"])
        for page, (_, keys) in sc["page_calls"].items():
            assert "median" in sc["pages"][page], (sc["key"], page, sc["pages"][page])
            for key in keys:
                r = sc["queries"][key]
                assert r["app"]["n"] >= 1 and r["app"]["median"] > 0, (key, r)
                assert r.get("same_answer") is True, (sc["key"], key, r.get("same_answer"))


def test_registry_covers_every_page_call(demo_con):
    """Every warehouse call a page's description makes has its floor in bench/queries.py, in every
    view of the benchmark (recorded from the descriptions, as the benchmark does)."""
    from bench.app_memory import app_pages
    from bench.queries import QUERIES, make_context, record_pages, scenarios
    from pages import PAGES

    ctx = make_context(demo_con, "411100")
    for _, _, filters in scenarios(ctx):
        recorded = record_pages(demo_con, filters)
        missing = [(page, key) for page, (_, keys) in recorded.items() for key in keys if key not in QUERIES]
        assert missing == []
        assert {p.key for p in PAGES if p.roles != ("admin",)} <= set(recorded)   # 账号管理, 操作日志: no data
    assert {path for path, _ in app_pages()} == {p.key for p in PAGES}


@pytest.mark.skipif(not LAKE_RUN, reason="the benchmark's lake step runs in make test-ducklake")
def test_the_lake_beside_the_file(run):
    """bench/lake.py: the warehouse written into a lake in 54 monthly transactions equals the file,
    every page is timed on it before and after compaction, and loaders at once lose and double nothing."""
    results, md = run
    L = results["lake"]
    assert L["replay"]["months"] == 54 and L["replay"]["same_as_file"], L["replay"]["differences"]
    # each month ends as the loader ends a batch: compacted once the live files pass the setting
    assert L["replay"]["live_files"] < settings().get("warehouse", "compact_after_files")
    assert all(c["seconds"] > 0 for c in L["replay"]["compactions"])
    assert L["files_after_compaction"] <= L["replay"]["live_files"]
    for key in ("after_loads", "after_compaction"):
        for sc in L[key]["scenarios"]:
            assert all("median" in st for st in sc["pages"].values()), (key, sc["key"], sc["pages"])
    c = L["concurrent"]
    assert c["statuses"] == {"loaded": 4} and c["errors"] == [] and c["read_errors"] == []
    ch = c["check"]
    assert ch["rows_added"] == ch["rows_loaded_reported"] > 0
    assert ch["loads_mismatched"] == 0 and ch["contents_twice"] == 0
    assert "## DuckLake over PostgreSQL, beside the DuckDB file" in md and "DuckLake: 2 loaders × 2 ledgers" in md


@pytest.mark.browser
def test_app_memory_measured(tmp_path):
    results, md = _bench(tmp_path, "--skip", "loading,ledger200k,queries,lake,export")
    app = results["app"]
    assert app["peak_rss_mb"] > app["idle_rss_mb"] > 0
    assert {p["path"] for p in app["pages"]} >= {"overview", "map", "data"}
    assert all(p["status"] == "ok" for p in app["pages"]), app["pages"]
    assert "## The app's memory" in md
