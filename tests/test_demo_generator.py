"""The demo data set and the ledger writers behind it (etl/demo, etl/layouts)."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest
import xlrd

from etl import layouts
from etl.demo import LATEST, demo_truth, generate_demo, plan_demo
from etl.demo.projects import period_of
from warehouse.geo import district_at, load_boundaries
from warehouse.reference import load_reference, norm_key
from warehouse.settings import BOUNDARY_DIR

AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return out


@pytest.fixture(scope="module")
def truth() -> pl.DataFrame:
    return demo_truth()


def _rows() -> list[dict]:
    base = {"project_code": None, "district": "郾城区", "park": "郾城区产业集聚区", "chain": "休闲食品",
            "investor": "河南嘉禾食品有限公司", "foreign_investment_wan_usd": None, "sign_date": None,
            "start_date": None, "production_date": None, "period": None, "batch": None, "lng": None,
            "lat": None, "responsible_unit": "郾城商务局", "leader": "张三（区长）", "investor_kind": "",
            "investor_origin": "", "event": None}
    return [
        {**base, "project_code": "P1", "project_name": "嘉禾休闲食品产业园项目", "total_investment_wan": Decimal(35000),
         "stage": "签约", "sign_date": date(2024, 3, 5), "period": 12, "batch": "签约一批",
         "lng": 113.985, "lat": 33.62},
        {**base, "project_code": "P2", "project_name": "恒泰面粉智能化改造项目", "total_investment_wan": Decimal("2856.5"),
         "stage": "开工", "sign_date": date(2023, 11, 2), "start_date": date(2024, 4, 18),
         "foreign_investment_wan_usd": Decimal(300)},
        {**base, "project_code": "P3", "project_name": "盛达饮料灌装生产线项目", "total_investment_wan": Decimal(12345),
         "stage": "投产", "sign_date": date(2023, 1, 9), "start_date": date(2023, 5, 1),
         "production_date": date(2024, 6, 1), "lng": 114.0, "lat": 33.6},
        {**base, "project_code": "P4", "project_name": "金穗预制菜产业园项目", "total_investment_wan": None,
         "stage": "在谈"},
        {**base, "project_code": "P5", "project_name": "天润中央厨房项目", "total_investment_wan": Decimal(1000000),
         "stage": "签约", "sign_date": date(2024, 6, 20), "chain": "低空经济"},
    ]


def _read_text_grid(path: Path, sheet=0) -> list[list[str | None]]:
    if path.suffix == ".csv":
        return [list(r) for r in csv.reader(io.StringIO(path.read_bytes().decode("gb18030")))]
    frame = fastexcel.read_excel(path).load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    return [list(r) for r in frame.iter_rows()]


# --- helpers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("wan, unit, style, expected", [
    (Decimal(35000), "万元", "plain", "35000"),
    (Decimal(35000), "万元", "comma", "35,000"),
    (Decimal("1234567.5"), "万元", "comma", "1,234,567.5"),
    (Decimal(35000), "亿元", "suffix", "3.5亿元"),
    (Decimal(3000), "万元", "short", "3000万"),
    (Decimal(12500), "万元", "fullwidth", "１２５００"),
    (Decimal("2856.5"), "亿元", "plain", "0.28565"),
    (Decimal("3.50E+4"), "万元", "plain", "35000"),
])
def test_format_amount(wan, unit, style, expected):
    assert layouts.format_amount(wan, unit=unit, style=style) == expected


@pytest.mark.parametrize("value, expected", [
    (Decimal(35000), 35000), (Decimal("0.28565"), 0.28565), (Decimal("3.50"), 3.5),
    (Decimal("0.12345678901234567891"), "0.12345678901234567891"),
])
def test_cell_number_keeps_digits(value, expected):
    got = layouts.cell_number(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("style, expected", [
    ("iso", "2024-03-05"), ("dot", "2024.3.5"), ("cn", "2024年3月5日"), ("cn_month", "2024年3月"),
    ("slash_month", "2024/03"), ("cn_md", "3月5日"),
])
def test_format_date(style, expected):
    assert layouts.format_date(date(2024, 3, 5), style) == expected


def test_small_helpers():
    assert [layouts.chinese_numeral(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert layouts.excel_serial(date(2024, 3, 5)) == 45356
    assert period_of(date(2024, 5, 1)) == 12 and period_of(date(2021, 7, 1)) == 1


# --- the writers ---------------------------------------------------------------------------------

EXPECTED_HEADERS = {
    "title_twoheader_xlsx": ("项目基本情况", "总投资（亿元）", "其中外资（万美元）", "签约时间"),
    "sheet_per_stage_xlsx": ("项目名", "计划总投资（万元）", "县区", "所属行业", "坐标（百度）"),
    "flat_csv_gb18030": ("项目编号", "所属县区", "总投资(万元)", "三个一批期数", "经度(WGS84)"),
    "legacy_xls": ("项 目 名 称", "总投资\n（万元）", "序号"),
    "masked_publication_xlsx": ("项目名称", "总投资（万元）", "投资方"),
}
SUFFIX = {"flat_csv_gb18030": ".csv", "legacy_xls": ".xls"}


@pytest.mark.parametrize("layout", sorted(layouts.WRITERS))
def test_writer_output_reads_back(layout, tmp_path):
    path = tmp_path / f"台账{SUFFIX.get(layout, '.xlsx')}"
    out = layouts.WRITERS[layout](path, _rows(), district="郾城区", as_of=AS_OF, rng=random.Random(1))
    assert out == path and path.exists()
    sheet = "签约项目" if layout == "sheet_per_stage_xlsx" else 0
    grid = _read_text_grid(path, sheet)
    cells = {c for row in grid for c in row if c}
    assert set(EXPECTED_HEADERS[layout]) <= cells
    assert any("嘉禾休闲食品产业园项目" in c for c in cells)


def test_writers_are_deterministic(tmp_path):
    for layout, write in layouts.WRITERS.items():
        a, b = (tmp_path / f"{layout}{i}{SUFFIX.get(layout, '.xlsx')}" for i in (1, 2))
        write(a, _rows(), district="郾城区", as_of=AS_OF, rng=random.Random(7))
        write(b, _rows(), district="郾城区", as_of=AS_OF, rng=random.Random(7))
        assert a.read_bytes() == b.read_bytes(), layout


def _title_twoheader_total(path: Path) -> tuple[Decimal, Decimal]:
    """(sum of the project rows, the 合计 cell) of layout a, both in 亿元."""
    ws = openpyxl.load_workbook(path).active
    amounts, total = Decimal(0), None
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[1] == "合计":
            total = Decimal(repr(row[5]))
        elif isinstance(row[0], int) and isinstance(row[5], (int, float)):
            amounts += Decimal(repr(row[5]))
    return amounts, total


def test_title_twoheader_total_equals_rows(tmp_path):
    path = layouts.write_title_twoheader_xlsx(tmp_path / "a.xlsx", _rows(), district="郾城区",
                                              as_of=AS_OF, rng=random.Random(3))
    rows_sum, total = _title_twoheader_total(path)
    assert total == rows_sum == Decimal("105.02015")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "漯河市郾城区2024年招商引资项目台账"
    assert "单位：亿元" in ws["A2"].value
    texts = [ws.cell(r, 1).value for r in range(5, ws.max_row + 1)]
    assert "一、签约项目" in texts and "二、开工项目" in texts
    assert any(all(c.value is None for c in row) for row in ws.iter_rows(min_row=5))   # a blank row
    assert isinstance(ws["I6"].value, date) and ws["I6"].is_date


def test_sheet_per_stage_quirks(tmp_path):
    path = layouts.write_sheet_per_stage_xlsx(tmp_path / "b.xlsx", _rows(), district="郾城区",
                                              as_of=AS_OF, rng=random.Random(5))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["填报说明", "签约项目", "开工项目", "投产项目"]
    assert "在谈项目" in wb.sheetnames
    hidden = [ws.title for ws in wb if ws.sheet_state == "hidden"]
    assert hidden == ["Sheet2"]
    assert [c.value for c in wb["签约项目"][3]][:3] == ["序号", "项目名", "县区"]
    assert wb["在谈项目"]["F4"].value == "待定"
    last = [c.value for c in wb["签约项目"][wb["签约项目"].max_row]]
    assert last[1] == "小计" and last[5] == 1035000


# --- the demo ------------------------------------------------------------------------------------

def test_demo_is_deterministic(demo_dir, tmp_path):
    generate_demo(tmp_path)
    first = sorted(p.relative_to(demo_dir) for p in demo_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert first == second
    assert all((demo_dir / p).read_bytes() == (tmp_path / p).read_bytes() for p in first)


def test_demo_files_and_districts(demo_dir):
    ref = load_reference()
    assert (demo_dir / "README.txt").read_text(encoding="utf-8").startswith("演示数据说明")
    folders = {p.name for p in (demo_dir / "ledgers").iterdir()}
    assert folders == {d.name for d in ref.districts}
    files = [p for p in (demo_dir / "ledgers").rglob("*") if p.is_file()]
    assert len(files) == 14 * len(ref.districts)
    assert {p.suffix for p in files} == {".xlsx", ".xls", ".csv"}
    names = {p.name for p in files}
    assert {"郾城区_2024年06月_招商项目台账.xlsx", "经开区-202406.csv", "舞阳县台账2024.6.xls"} <= names


def test_truth_size_and_spread(truth):
    ref = load_reference()
    assert 1900 <= truth.height <= 2100
    counts = dict(truth.group_by("district").len().iter_rows())
    assert set(counts) == {d.name for d in ref.districts}
    assert max(counts, key=counts.get) != "东城区" and min(counts, key=counts.get) == "东城区"
    amounts = truth["total_investment_wan"].drop_nulls()
    assert (amounts >= 1_000_000).sum() in (1, 2)           # 100亿+
    assert 3 <= (amounts >= 500_000).sum() <= 20            # 50亿+
    assert ((amounts >= 1000) & (amounts <= 50000)).mean() > 0.6
    assert set(truth["stage"]) == set(ref.stage_order)
    assert truth.filter(pl.col("chain").is_null() & pl.col("cluster").is_null())["chain_written"].len() > 0
    assert truth.filter(pl.col("shared_with").is_not_null()).height == 2
    assert truth.filter(pl.col("masked")).height > 0
    assert truth.filter(pl.col("masked"))["total_investment_wan"].null_count() == truth["masked"].sum()
    with_coords = truth.filter(pl.col("layout") != "legacy_xls")
    assert 0.05 < with_coords["lng"].null_count() / with_coords.height < 0.15
    legacy = truth.filter(pl.col("layout") == "legacy_xls")
    assert legacy.height > 0 and legacy["lng"].null_count() == legacy.height


def test_coordinates_inside_their_district(truth):
    ref = load_reference()
    boundaries = load_boundaries(str(BOUNDARY_DIR / ref.boundary_file))
    polygon_of = {d.code: d.code if d.kind == "行政区" else d.parent_code for d in ref.districts}
    placed = truth.filter(pl.col("lng").is_not_null())
    wrong = [r["project_name"] for r in placed.iter_rows(named=True)
             if district_at(boundaries, r["lng"], r["lat"]) != polygon_of[r["district_code"]]]
    assert wrong == []


def test_dates_agree_with_stages():
    for f in plan_demo():
        for row in f.rows:
            if row.get("bad"):
                continue
            dates = [row["sign_date"], row["start_date"], row["production_date"]]
            assert all(d is None or d <= f.as_of for d in dates)
            present = [d for d in dates if d]
            assert present == sorted(present)
            if row["stage"] in ("开工", "投产", "达效"):
                assert row["start_date"] is not None
            if row["stage"] in ("投产", "达效"):
                assert row["production_date"] is not None
            if row["stage"] == "在谈":
                assert row["sign_date"] is None
            if row["batch"]:
                assert 1 <= row["period"] <= period_of(f.as_of)


def test_csv_ledger_matches_truth(demo_dir, truth):
    zone = truth.filter(pl.col("layout") == "flat_csv_gb18030")
    path = next((demo_dir / "ledgers" / zone["district"][0]).glob(f"*{LATEST:%Y%m}.csv"))
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("gb18030"))))
    named = {r["项目名称"]: r["总投资(万元)"] for r in rows if r["项目名称"]}
    assert len(named) == zone.height and len(rows) == zone.height + 1   # + the row without a name
    for name, amount in zone.select("project_name", "total_investment_wan").iter_rows():
        assert (Decimal(named[name]) if named[name] else None) == (amount.normalize() if amount is not None else None)


def test_planted_mistakes(demo_dir):
    files = plan_demo()
    wrong = [f for f in files if f.total_error_wan]
    assert len(wrong) == 1 and wrong[0].layout == "title_twoheader_xlsx"
    rows_sum, total = _title_twoheader_total(demo_dir / wrong[0].path)
    assert total - rows_sum == Decimal("0.1")
    ok = next(f for f in files if f.layout == "title_twoheader_xlsx" and not f.total_error_wan)
    rows_sum, total = _title_twoheader_total(demo_dir / ok.path)
    assert total == rows_sum
    bad = sorted(r["bad"] for f in files for r in f.rows if r.get("bad"))
    assert bad == ["amount_in_words", "amount_in_words", "no_name", "no_name_no_amount"]
    xls = next(f for f in files if f.layout == "legacy_xls" and f.as_of == LATEST)
    book = xlrd.open_workbook(demo_dir / xls.path)
    sheet = book.sheet_by_index(0)
    assert sheet.cell_value(1, 1) == "项 目 名 称"
    assert any(sheet.cell_value(r, 1) == "" and sheet.cell_value(r, 2) for r in range(2, sheet.nrows))


def test_every_header_is_a_known_synonym():
    """What the loader needs: each header, without its bracketed unit, is in headers.csv."""
    ref = load_reference()
    headers = [h for _, names in layouts.A_GROUPS for h in names] + list(layouts.C_HEADERS) + \
        list(layouts.D_HEADERS) + list(layouts.E_HEADERS) + ["项目名", "县区", "所属行业", "投资主体",
                                                             "计划总投资（万元）", "坐标（百度）"]
    unknown = [h for h in headers
               if norm_key(re.sub(r"[（(].*?[）)]", "", h)) not in ref.header_synonyms]
    assert unknown == []
