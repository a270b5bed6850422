"""台账 list, detail and history; map data; data-management queries; the Excel export."""

import io
from decimal import Decimal

import openpyxl

from report import excel
from warehouse import admin, ledger, mapdata
from warehouse.filters import Filters
from warehouse_fixture import FORMULA_NAME, SHARED_NAME, TOTAL_INVESTMENT_WAN, XSS_NAME


def test_project_list_and_count(small_con):
    assert ledger.project_count(small_con, Filters()) == {"projects": 11, "investment_wan": TOTAL_INVESTMENT_WAN}
    df = ledger.project_list(small_con, Filters(), sort_by="total_investment_wan")
    assert df["project_id"].to_list()[:3] == ["P07", "P06", "P03"]
    assert df["project_id"].to_list()[-2:] == ["P09", "P11"]   # unknown amounts last, by name
    asc = ledger.project_list(small_con, Filters(), sort_by="sign_date", descending=False)
    assert asc["project_id"].to_list()[0] == "P07"
    bad = ledger.project_list(small_con, Filters(), sort_by="1; DROP TABLE loads")   # unknown → default
    assert bad["project_id"].to_list()[0] == "P07"


def test_project_history_across_snapshots(small_con):
    df = ledger.project_history(small_con, "P01")
    assert df.select("stage", "period", "batch").rows() == [("签约", 12, "签约一批"), ("开工", 13, "开工一批")]
    detail = ledger.project_detail(small_con, "P09")
    assert detail["project_name"] == XSS_NAME and detail["total_investment_wan"] is None
    assert ledger.project_detail(small_con, "nope") is None


def test_map_points_and_district_totals(small_con):
    points = mapdata.map_points(small_con, Filters())
    assert points.height == 7 and points["approximate"].sum() == 1
    assert mapdata.location_counts(small_con, Filters()) == {"located": 7, "approximate": 1, "missing": 4}
    totals = mapdata.district_totals(small_con, Filters())
    polygon = {}
    for r in totals.iter_rows(named=True):
        polygon.setdefault(r["map_code"], [0, Decimal(0)])
        polygon[r["map_code"]][0] += r["projects"]
        polygon[r["map_code"]][1] += r["investment_wan"]
    # 召陵区 holds 经开区 and 东城区; 源汇区 holds 西城区
    assert polygon["411104"] == [2, Decimal("23000")]
    assert polygon["411102"] == [4, Decimal("67000.5")]
    assert sum(p[1] for p in polygon.values()) == TOTAL_INVESTMENT_WAN


def test_admin_queries(small_con):
    assert admin.load_history(small_con)["load_id"].to_list() == [3, 2, 1]
    assert admin.rejected_rows(small_con)["reason"].to_list() == ["缺少项目名称"]
    assert admin.rejected_count(small_con) == 1
    assert set(admin.load_warnings(small_con)["warning_kind"]) == {"合计不符", "未知产业链"}
    dup = admin.duplicate_names(small_con)
    assert dup.select("project_name", "districts", "project_codes").rows() == [(SHARED_NAME, "源汇区、郾城区", "P02、P11")]


def test_export_writes_text_not_formulas(small_con):
    df = ledger.project_list(small_con, Filters(), sort_by="project_name", descending=False, limit=100)
    data = excel.xlsx_bytes([("项目台账", df)], title="项目台账", money_unit="万元")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [c.value for c in ws[3]]
    assert headers[:3] == ["项目编号", "项目名称", "县区"] and "总投资（万元）" in headers
    assert not [h for h in headers if h.isascii()]          # every header Chinese, no internal id
    cells = {c.value: c for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in (FORMULA_NAME, "@SUM(1+1)", "-源汇区商务局", XSS_NAME):
        assert text in cells and cells[text].data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    money = headers.index("总投资（万元）")
    total = sum(row[money].value or 0 for row in ws.iter_rows(min_row=4))
    assert Decimal(str(total)) == TOTAL_INVESTMENT_WAN
