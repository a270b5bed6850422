"""The generated warehouse's 六职招商 data (six_trips, six_receptions, six_assignments), written
directly as the 六职 loader stores it (etl/save.py save_six), for the newest year of the ledgers.

Every district has six leaders (王建国 …, one per post of etl.normalise.six_headers.POSTS) and sends
one workbook per quarter (a `loads` row of kind 六职招商, as_of the quarter's end) listing that
quarter's trips and companies received; the first quarter's also lists the year's 包抓 projects.
Sizes follow the warehouse's: about 25–40 trips per district at 1M projects (at least
MIN_TRIPS), 10–20 companies received (at least MIN_RECEPTIONS), and ASSIGNED of the district's
ledger projects assigned to its leaders (by 项目编号 when the ledger has one, else by name), a few
of them 拟招引 (planned), plus one 拟招引 line per district that the ledger does not have.
Deterministic: one numpy PCG64 stream seeded by `seed`.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl

from etl.demo import names
from etl.demo.six import PLACES
from bench.generate import _insert_rows
from etl.normalise.six_headers import POSTS
from warehouse.reference import Reference

KIND = "六职招商"
FULL_SIZE = 1_000_000
TRIPS_AT_FULL, RECEPTIONS_AT_FULL = (25, 40), (10, 20)
MIN_TRIPS, MIN_RECEPTIONS = 4, 3
ASSIGNED, PLANNED = 0.02, 0.1
HEADER_ROWS = 3                              # title, fill-in line, header above the first row
GIVEN_NAMES = [names.GIVEN[i:i + 2] for i in range(0, len(names.GIVEN) - 1, 2)]    # 建国, 志强 …
COMPANY_WORDS = ("科技", "实业", "食品", "新材料", "智能", "集团")
MET = ("董事长", "总经理", "副总裁", "投资总监", None)


def _written_posts(name: str) -> tuple[str, ...]:
    unit = "县" if name.endswith("县") else "区"
    return (f"{unit}委书记", f"{unit}长", f"{unit}委副书记", f"常务副{unit}长", f"副{unit}长（分管招商引资）",
            "开发区管委会主任")


def leaders(ref: Reference, rng: np.random.Generator) -> pl.DataFrame:
    """Six leaders per district (distinct names within it), in post order."""
    pool = [s + g for s in names.SURNAMES for g in GIVEN_NAMES]
    rows = []
    for d_i, d in enumerate(ref.districts):
        picks = rng.choice(len(pool), size=len(POSTS), replace=False)
        for k, (post, written) in enumerate(zip(POSTS, _written_posts(d.name))):
            rows.append((d_i, k, d.code, d.name, pool[int(picks[k])], post, written))
    return pl.DataFrame(rows, schema=["d_idx", "k", "district_code", "district", "leader", "post", "post_written"],
                        orient="row")


def _per_district(rng: np.random.Generator, districts: int, n: int, span: tuple[int, int], least: int) -> np.ndarray:
    return np.maximum(least, np.round(rng.uniform(*span, districts) * n / FULL_SIZE)).astype(np.int64)


def _companies(rng: np.random.Generator, count: int) -> list[str]:
    """`count` short company names (汇嘉科技 …)."""
    chars = np.array(list(names.BRAND_HEAD))
    a, b = rng.integers(0, len(chars), count), rng.integers(0, len(chars), count)
    w = rng.integers(0, len(COMPANY_WORDS), count)
    return [f"{chars[i]}{chars[j]}{COMPANY_WORDS[k]}" for i, j, k in zip(a.tolist(), b.tolist(), w.tolist())]


def _events(rng: np.random.Generator, counts: np.ndarray, year: int, last_day: int) -> dict:
    """Per district, counts[d] events: district index, leader (0–5) and a day of the year."""
    d_idx = np.repeat(np.arange(len(counts)), counts)
    total = int(counts.sum())
    day = np.datetime64(f"{year}-01-01") + rng.integers(0, last_day, total)
    return {"d_idx": d_idx, "k": rng.integers(0, len(POSTS), total), "day": day}


def _with_leaders(frame: pl.DataFrame, people: pl.DataFrame, day: str) -> pl.DataFrame:
    """The events with their leader's columns, in district and date order, each with its quarter."""
    return (frame.join(people, on=["d_idx", "k"], how="left", maintain_order="left")
            .sort("d_idx", day, "k", maintain_order=True)
            .with_columns(((pl.col(day).dt.month() - 1) // 3).cast(pl.Int64).alias("quarter")))


def trips(rng: np.random.Generator, people: pl.DataFrame, counts: np.ndarray, year: int) -> pl.DataFrame:
    ev = _events(rng, counts, year, 361)                 # up to 27 December: back within the year
    total = len(ev["d_idx"])
    days = rng.integers(1, 6, total)
    visited = rng.integers(0, 7, total)
    leads = rng.integers(0, 4, total)
    pool = _companies(rng, 997)
    offset = rng.integers(0, len(pool), total)
    companies = ["、".join(pool[(o + i) % len(pool)] for i in range(v)) or None
                 for o, v in zip(offset.tolist(), visited.tolist())]
    met = rng.integers(0, len(MET), total)
    frame = pl.DataFrame({
        "d_idx": ev["d_idx"], "k": ev["k"], "start_date": pl.Series(ev["day"]).cast(pl.Date),
        "end_date": pl.Series(ev["day"] + days - 1).cast(pl.Date), "days": days.astype(np.int32),
        "destination": [PLACES[i] for i in rng.integers(0, len(PLACES), total).tolist()],
        "companies_visited": visited.astype(np.int32), "companies": companies,
        "met": [MET[i] for i in met.tolist()], "leads": leads.astype(np.int32)})
    frame = frame.with_columns(pl.when(pl.col("leads") > 0).then(pl.format("洽谈项目{}个", "leads"))
                               .otherwise(None).alias("lead_notes"), pl.lit(None, pl.String).alias("remark"))
    return _with_leaders(frame, people, "start_date")


def receptions(rng: np.random.Generator, people: pl.DataFrame, counts: np.ndarray, year: int) -> pl.DataFrame:
    ev = _events(rng, counts, year, 365)
    total = len(ev["d_idx"])
    guests = _companies(rng, total)
    frame = pl.DataFrame({
        "d_idx": ev["d_idx"], "k": ev["k"], "visit_date": pl.Series(ev["day"]).cast(pl.Date),
        "guest": [f"{PLACES[p]}{g}有限公司" for p, g in zip(rng.integers(0, len(PLACES), total).tolist(), guests)],
        "guest_origin": [PLACES[i] for i in rng.integers(0, len(PLACES), total).tolist()],
        "topic": [f"洽谈{w}项目" for w in (COMPANY_WORDS[i] for i in rng.integers(0, len(COMPANY_WORDS), total).tolist())]})
    return _with_leaders(frame, people, "visit_date").unique(["d_idx", "leader", "visit_date", "guest"],
                                                             maintain_order=True)


def assignments(con, rng: np.random.Generator, ref: Reference, people: pl.DataFrame, year: int) -> pl.DataFrame:
    """ASSIGNED of each district's ledger projects, and one line per district the ledger lacks."""
    ledger = con.execute("""SELECT district_code, project_code, replace(project_name, ' ', '') AS project_name
                            FROM project_current ORDER BY project_id""").pl()
    pick = rng.random(ledger.height) < ASSIGNED
    index = {d.code: i for i, d in enumerate(ref.districts)}
    chosen = ledger.filter(pl.Series(pick)).with_columns(
        pl.col("district_code").replace_strict(index, default=None, return_dtype=pl.Int64).alias("d_idx"))
    chosen = chosen.filter(pl.col("d_idx").is_not_null())
    extra = pl.DataFrame({"district_code": [d.code for d in ref.districts], "project_code": [None] * len(ref.districts),
                          "project_name": [f"{d.short_name}新签约意向项目" for d in ref.districts],
                          "d_idx": list(range(len(ref.districts)))},
                         schema={"district_code": pl.String, "project_code": pl.String, "project_name": pl.String,
                                 "d_idx": pl.Int64})
    lines = pl.concat([chosen, extra])
    planned = np.concatenate([rng.random(chosen.height) < PLANNED, np.ones(extra.height, dtype=bool)])
    lines = lines.with_columns(pl.Series("k", rng.integers(0, len(POSTS), lines.height)), pl.Series("planned", planned),
                               pl.lit(year, pl.Int32).alias("year"), pl.lit(0, pl.Int64).alias("quarter"))
    return (lines.drop("district_code").join(people, on=["d_idx", "k"], how="left", maintain_order="left")
            .sort("d_idx", "k", "project_name", maintain_order=True))


def _quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter + 3, calendar.monthrange(year, 3 * quarter + 3)[1])


def load_frame(ref: Reference, first_load_id: int, year: int) -> pl.DataFrame:
    """One workbook per district and quarter: its load_id, date and file name."""
    rows = [(d_i, q, first_load_id + d_i * 4 + q, _quarter_end(year, q),
             f"{d.name}六职招商情况（截至{year}年{3 * q + 3}月）.xlsx")
            for d_i, d in enumerate(ref.districts) for q in range(4)]
    return pl.DataFrame(rows, schema={"d_idx": pl.Int64, "quarter": pl.Int64, "load_id": pl.Int64, "as_of": pl.Date,
                                      "source_file": pl.String}, orient="row")


def _loaded(frame: pl.DataFrame, files: pl.DataFrame, sheet: str) -> pl.DataFrame:
    """The rows as stored: their workbook (district × quarter), its date and file, sheet and row."""
    return (frame.join(files, on=["d_idx", "quarter"], how="left", maintain_order="left")
            .with_columns(pl.lit(sheet).alias("source_sheet"),
                          (pl.int_range(pl.len()).over("load_id") + HEADER_ROWS + 1).cast(pl.Int32).alias("source_row"))
            .drop("d_idx", "k", "quarter"))


def _load_rows(files: pl.DataFrame, tables: dict[str, pl.DataFrame], seed: int) -> list[tuple]:
    counts = {name: dict(f.group_by("load_id").len().iter_rows()) for name, f in tables.items()}
    rows = []
    for load_id, as_of, name in files.select("load_id", "as_of", "source_file").iter_rows():
        t, r, a = (counts[kind].get(load_id, 0) for kind in ("trips", "receptions", "assignments"))
        if not t + r + a:
            continue                  # nothing that quarter: no workbook
        digest = hashlib.sha256(f"bench-six:{seed}:{load_id}".encode()).hexdigest()
        rows.append((load_id, name, f"/data/six/{name}", digest,
                     KIND, "loaded", f"“六职”招商：外出招商{t}批次，接待客商{r}家，包抓项目{a}个。", as_of, "文件名",
                     datetime.combine(as_of + timedelta(days=5), datetime.min.time()).replace(hour=11),
                     t + r + a, t + r + a, 0, 0, []))
    return rows


def _insert(con, table: str, frame: pl.DataFrame) -> None:
    con.register("incoming_six", frame.to_arrow())
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_six")
    con.unregister("incoming_six")


def write_six(con: duckdb.DuckDBPyConnection, ref: Reference, n: int, year: int, seed: int,
              first_load_id: int) -> tuple[int, dict[str, int]]:
    """Write the year's 六职 rows and their loads rows (a quarter with nothing has no workbook):
    (the load ids it reserved from first_load_id, {files, rows per table}). Skipped (0, {}) when
    the warehouse has no 六职 tables."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'six_trips'").fetchone()[0]:
        return 0, {}
    rng = np.random.Generator(np.random.PCG64(seed + 3))
    people = leaders(ref, rng)
    k = len(ref.districts)
    tables = {"trips": trips(rng, people, _per_district(rng, k, n, TRIPS_AT_FULL, MIN_TRIPS), year),
              "receptions": receptions(rng, people, _per_district(rng, k, n, RECEPTIONS_AT_FULL, MIN_RECEPTIONS), year),
              "assignments": assignments(con, rng, ref, people, year)}
    files = load_frame(ref, first_load_id, year)
    tables = {name: _loaded(f, files, sheet) for (name, f), sheet in zip(tables.items(), ("外出招商", "接待客商", "包抓项目"))}
    loads = _load_rows(files, tables, seed)
    _insert_rows(con, "loads", loads)
    for name, frame in tables.items():
        _insert(con, f"six_{name}", frame)
    return files.height, {"files": len(loads), **{name: f.height for name, f in tables.items()}}
