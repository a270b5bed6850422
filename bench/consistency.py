"""Is the generated warehouse what the loader would have written?

Two checks, both reported in BENCHMARKS.md and asserted by tests/test_bench_smoke.py:

- schema: the generated warehouse and a warehouse the loader filled have the same tables,
  columns and types;
- values: the sample month's ledger files (real files, bench/ledgers.py) loaded by the loader
  give, project by project, the rows bench.generate.snapshot_sql writes for that month. Columns
  a layout writes lossily are compared as the layout allows: dates a sheet-per-stage ledger may
  write as "2024年3月" by month; points converted from BD-09/WGS-84 to 1e-4 degrees; the
  investor of a masked publication copy not at all (it masks names at random).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from bench.generate import plan_loads, snapshot_sql
from warehouse.reference import Reference

EXACT = ("district_code", "district", "project_code", "project_name", "cluster", "chain", "chain_known",
         "total_investment_wan", "investment_note", "foreign_investment_wan_usd", "stage", "register_date",
         "period", "batch", "location_approximate", "responsible_unit", "leader", "investor_kind",
         "investor_origin", "event", "remark", "name_key", "as_of", "source_file", "source_sheet")
DATES = ("sign_date", "start_date", "production_date")


def schema(db: Path) -> dict[str, list[tuple[str, str]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("""SELECT table_name, column_name, data_type FROM information_schema.columns
                              WHERE table_schema = 'main' ORDER BY table_name, ordinal_position""").fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, []).append((column, dtype))
    return out


def compare_schema(generated: Path, loaded: Path) -> dict:
    a, b = schema(generated), schema(loaded)
    differ = sorted(t for t in set(a) | set(b) if a.get(t) != b.get(t))
    return {"tables": len(a), "columns": sum(len(v) for v in a.values()), "same": not differ,
            "differences": {t: {"generated": a.get(t), "loaded": b.get(t)} for t in differ}}


def expected_rows(ref: Reference, projects: pl.DataFrame, month: int, codes: list[str]) -> pl.DataFrame:
    con = duckdb.connect(":memory:")
    sub = projects.filter(pl.col("district_code").is_in(codes))
    con.register("gen_projects", sub.to_arrow())
    con.register("gen_loads", plan_loads(ref, sub, range(month, month + 1)).to_arrow())
    df = con.execute(snapshot_sql(month)).pl()
    layouts = sub.select("project_id", "layout")
    con.close()
    return df.join(layouts, on="project_id", how="left")


def compare_values(loaded_db: Path, ref: Reference, projects: pl.DataFrame, month: int, codes: list[str]) -> dict:
    expected = expected_rows(ref, projects, month, codes)
    con = duckdb.connect(str(loaded_db), read_only=True)
    try:
        loaded = con.execute("SELECT * FROM project_rows").pl()
    finally:
        con.close()
    joined = expected.join(loaded, on="project_id", how="inner", suffix="_loaded")
    mismatches: dict[str, int] = {}
    examples: dict[str, list] = {}

    def count(name: str, bad: pl.Series, cols: list[str]) -> None:
        n = int(bad.fill_null(True).sum())
        mismatches[name] = n
        if n:
            examples[name] = joined.filter(bad.fill_null(True)).select(["project_id", "layout", *cols]).head(3).rows()

    for c in EXACT:
        a, b = joined[c], joined[f"{c}_loaded"]
        if a.dtype != b.dtype:
            a, b = a.cast(pl.String), b.cast(pl.String)
        count(c, ~(a.eq_missing(b)), [c, f"{c}_loaded"])
    for c in DATES:
        a, b = joined[c], joined[f"{c}_loaded"]
        by_month = joined["layout"] == "B"
        same_day = a.eq_missing(b)
        same_month = (a.dt.truncate("1mo")).eq_missing(b.dt.truncate("1mo"))
        count(c, ~pl.select(pl.when(by_month).then(same_month).otherwise(same_day)).to_series(), [c, f"{c}_loaded"])
    close = ((joined["lng"] - joined["lng_loaded"]).abs() < 1e-4) & ((joined["lat"] - joined["lat_loaded"]).abs() < 1e-4)
    count("lng/lat", ~close, ["lng", "lng_loaded", "lat", "lat_loaded"])
    inv = joined["investor"].eq_missing(joined["investor_loaded"]) | (joined["layout"] == "E")
    count("investor", ~inv, ["investor", "investor_loaded"])
    return {
        "expected": expected.height, "loaded": loaded.height, "matched": joined.height,
        "only_expected": expected.height - joined.height, "only_loaded": loaded.height - joined.height,
        "mismatches": {k: v for k, v in mismatches.items() if v}, "columns_compared": len(mismatches),
        "examples": {k: [list(map(str, r)) for r in v] for k, v in examples.items()},
    }


def compare_current(db: Path, scratch: Path) -> dict:
    """project_current as generated against the loader's own refresh (etl.store.REFRESH_CURRENT_SQL
    over every project) on a copy of the warehouse."""
    import shutil

    from etl.store import REFRESH_CURRENT_SQL

    scratch = Path(scratch)
    shutil.copyfile(db, scratch)
    con = duckdb.connect(str(scratch))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("CREATE TEMP TABLE generated AS SELECT * FROM project_current")
        con.execute("CREATE TEMP TABLE touched AS SELECT DISTINCT project_id FROM project_rows")
        con.execute(REFRESH_CURRENT_SQL)
        only_generated = con.execute("SELECT count(*) FROM (SELECT * FROM generated EXCEPT ALL "
                                     "SELECT * FROM project_current)").fetchone()[0]
        only_loader = con.execute("SELECT count(*) FROM (SELECT * FROM project_current EXCEPT ALL "
                                  "SELECT * FROM generated)").fetchone()[0]
        n = con.execute("SELECT count(*) FROM generated").fetchone()[0]
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    return {"projects": n, "only_generated": only_generated, "only_loader": only_loader,
            "same": only_generated == 0 and only_loader == 0}
