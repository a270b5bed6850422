"""A district account's scope, enforced below every query (warehouse/scope.py): every warehouse call
a page, its deck or its Excel list makes, on the demo warehouse, as 郾城区 sees it."""

from __future__ import annotations

import re
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import pages
from report.view import Download, View, walk
from warehouse import admin, audit, freshness, ledger, overview, submissions
from warehouse.db import reading
from warehouse.filters import Filters
from warehouse.scope import SHADOWED, UNSCOPED, Scope

ROOT = Path(__file__).resolve().parent.parent
YANCHENG = Scope(("411103",), "yancheng")
YEAR = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31))
DISTRICT_KEYS = ("district", "district_code", "districts", "map_code")


def test_every_table_is_scoped_or_holds_no_district_data(demo_con):
    tables = {r[0] for r in demo_con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    assert tables - set(SHADOWED) - set(UNSCOPED) == set()


def test_no_query_names_the_real_tables():
    """Only warehouse/scope.py reaches past the views (`<catalog>.main.<table>`) — and migrate.py,
    which copies a whole warehouse from one catalog to another (the command line, never a page)."""
    found = []
    for path in sorted((ROOT / "warehouse").rglob("*")):
        if path.suffix in (".py", ".sql") and path.name not in ("scope.py", "migrate.py"):
            if re.search(r"\bmain\.\w+|current_database\(\)", path.read_text(encoding="utf-8")):
                found.append(path.name)
    assert found == []


def _values(result, key: str) -> list:
    if isinstance(result, pl.DataFrame):
        if key not in result.columns:
            return []
        values = result[key].to_list()
        return [x for v in values for x in (v if isinstance(v, (list, tuple)) else [v])]
    if is_dataclass(result):
        return _values(asdict(result), key)
    if isinstance(result, dict):
        value = result.get(key)
        if isinstance(value, (pl.DataFrame, dict)):          # a frame named after the key: its rows, below
            out = []
        else:
            out = list(value) if isinstance(value, (list, tuple)) else ([value] if key in result else [])
        for v in result.values():
            if isinstance(v, (pl.DataFrame, dict)):
                out += _values(v, key)
        return out
    return []


@pytest.fixture(scope="module")
def calls(demo_warehouse) -> list[tuple[str, object]]:
    """Every warehouse call of every report page (its items, its Excel lists) and of 数据管理, made
    on a connection scoped to 郾城区: (function, result)."""
    made: list[tuple[str, object]] = []
    with reading(demo_warehouse, YANCHENG) as con:
        def ask(fn, *args, **kwargs):
            result = fn(con, *args, **kwargs)
            made.append((f"{fn.__module__}.{fn.__name__}", result))
            return result

        for info in pages.report_pages():
            items = walk(pages.page_items(info.key, View(ask=ask, filters=YEAR, scope_label="郾城区")))
            for download in (i for i in items if isinstance(i, Download)):
                for _, frame in download.sheets():
                    made.append((f"{info.key} Excel", frame))
            first = ask(ledger.project_list, YEAR)["project_id"][0]
            ask(ledger.project_detail, first)
            ask(ledger.project_history, first)
        for fn in (admin.load_history, admin.rejected_rows, admin.load_warnings, admin.duplicate_names,
                   freshness.district_freshness, submissions.listing, audit.entries):
            ask(fn)
    return made


def test_every_call_sees_its_own_districts_only(calls):
    names = {"郾城区", None}
    codes = {"411103", None, "411100"}     # 411100: 目标进度's 全市 rows, the account's own sums (not shown to it)
    wrong = []
    for name, result in calls:
        for key in DISTRICT_KEYS:
            seen = set(_values(result, key))
            allowed = codes if key in ("district_code", "map_code") else names | {"郾城区"}
            if key == "districts":
                seen = {x for v in seen for x in (str(v).split("、") if v else [None])}
            if seen - allowed - {"全市"} if key == "district" else seen - allowed:
                wrong.append((name, key, sorted(map(str, seen - allowed))))
    assert wrong == [] and len(calls) > 40


def test_totals_are_the_districts_own(demo_warehouse):
    """What 郾城区 sees equals what the city sees with the 县区 filter on 郾城区 — to the last digit."""
    with reading(demo_warehouse, YANCHENG) as own, reading(demo_warehouse) as city:
        narrowed = YEAR.narrowed(districts=("郾城区",))
        assert ledger.project_count(own, YEAR) == ledger.project_count(city, narrowed)
        assert ledger.project_count(own, Filters())["projects"] == city.execute(
            "SELECT count(*) FROM projects WHERE district_code = '411103'").fetchone()[0]
        assert overview.headline(own, YEAR).equals(overview.headline(city, narrowed))
        assert overview.district_ranking(own, YEAR)["district"].to_list() == ["郾城区"]
        other = city.execute("SELECT project_id FROM projects WHERE district_code <> '411103' LIMIT 1").fetchone()[0]
        assert ledger.project_detail(own, other) is None and ledger.project_history(own, other).height == 0


def test_an_account_of_two_districts(demo_warehouse):
    both = Scope(("411171", "411104"), "kaifaqu")
    with reading(demo_warehouse, both) as con:
        seen = set(overview.district_ranking(con, Filters())["district"])
    assert seen == {"漯河经济技术开发区", "召陵区"}


def test_target_progress_of_a_district_account_is_computed_over_its_own_rows(demo_warehouse):
    """The city's 目标进度 is kept by the loader (indicator_progress_kept: ranks and 全市 totals over
    every district); a district account's is computed over its own rows: its own figures, ranked
    among itself, its 全市 row its own sum — never the other districts' numbers."""
    columns = "as_of, indicator, target, actual, completion"
    with reading(demo_warehouse, YANCHENG) as own, reading(demo_warehouse) as city:
        year = city.execute("SELECT max(year) FROM indicator_progress_kept").fetchone()[0]
        mine = own.execute(f"SELECT {columns} FROM indicator_progress WHERE year = ? AND NOT is_city ORDER BY ALL",
                           [year]).fetchall()
        assert mine and mine == city.execute(
            f"SELECT {columns} FROM indicator_progress WHERE year = ? AND district_code = '411103' ORDER BY ALL",
            [year]).fetchall()
        assert city.execute("SELECT max(ranked_districts) FROM indicator_progress WHERE year = ?",
                            [year]).fetchone()[0] > 1
        assert own.execute("SELECT max(ranked_districts), count(*) FILTER (WHERE NOT is_city AND district_code <> "
                           "'411103') FROM indicator_progress WHERE year = ?", [year]).fetchone() == (1, 0)
        own_total = own.execute("SELECT sum(actual) FROM indicator_progress WHERE year = ? AND is_total "
                                "AND NOT from_city_row", [year]).fetchone()[0]
        assert own_total == own.execute("SELECT sum(actual) FROM indicator_progress WHERE year = ? AND NOT is_city "
                                        "AND target IS NOT NULL AND actual IS NOT NULL AND (as_of, indicator) IN "
                                        "(SELECT (as_of, indicator) FROM indicator_progress WHERE is_total "
                                        "AND NOT from_city_row)", [year]).fetchone()[0]
