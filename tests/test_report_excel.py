"""Excel lists: Chinese headers with units, number formats, frozen header, widths, no formulas."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import polars as pl

from report import excel
from warehouse import ledger
from warehouse.filters import Filters
from warehouse_fixture import FORMULA_NAME, TOTAL_INVESTMENT_WAN

HOSTILE = ["=1+1", "@SUM(A1)", "+1", "-2", "\t=1", "\r=1", FORMULA_NAME]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_headers_formats_frozen_panes_and_widths():
    df = pl.DataFrame({
        "project_name": ["甲项目", "乙项目"],
        "total_investment_wan": [Decimal("12000.5"), Decimal("3000")],
        "projects": [3, 1200],
        "sign_date": [date(2024, 3, 15), None],
        "share_investment": [0.8, 0.2],
        "chain_known": [True, False],
    })
    ws = _open(excel.xlsx_bytes([("清单", df)], title="项目清单", subtitle="县区：源汇区；数据截至2024-06-30"))
    assert ws["A1"].value == "项目清单" and ws["A2"].value.startswith("县区：源汇区")
    assert [c.value for c in ws[3]] == ["项目名称", "总投资（亿元）", "项目数（个）", "签约时间", "投资额占比", "产业链已识别"]
    assert ws.freeze_panes == "A4"
    money, count, day, share = ws["B4"], ws["C5"], ws["D4"], ws["E4"]
    assert money.value == 1.20005 and money.number_format == "#,##0.00"
    assert count.value == 1200 and count.number_format == "#,##0"
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert share.value == 0.8 and share.number_format == "0.00%"
    assert ws["F4"].value == "是" and ws["F5"].value == "否"
    assert ws.column_dimensions["A"].width >= 8 and ws.column_dimensions["B"].width > 10
    assert ws.auto_filter.ref.startswith("A3")


def test_text_that_looks_like_a_formula_stays_text():
    df = pl.DataFrame({"project_name": HOSTILE, "investor": ["正常文字"] * len(HOSTILE)})
    ws = _open(excel.xlsx_bytes([("清单", df)]))
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    # a CR is stored as the OOXML escape _x000D_, which Excel reads back as CR (openpyxl does not)
    assert [c.value.replace("_x000D_", "\r") for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)                 # stays text when someone edits it
    assert ws["B2"].data_type == "s" and not ws["B2"].quotePrefix
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_project_list_totals_add_up_in_both_units(small_con):
    df = ledger.project_list(small_con, Filters(), limit=100)
    for unit, divisor in (("亿元", 10_000), ("万元", 1)):
        ws = _open(excel.xlsx_bytes([("项目台账", df)], title="项目台账", money_unit=unit))
        headers = [c.value for c in ws[3]]
        col = headers.index(f"总投资（{unit}）")
        total = sum(Decimal(str(row[col].value or 0)) for row in ws.iter_rows(min_row=4))
        assert abs(total - TOTAL_INVESTMENT_WAN / divisor) < Decimal("0.000001")
        names = {row[headers.index("项目名称")].value: row[headers.index("项目名称")] for row in ws.iter_rows(min_row=4)}
        assert names[FORMULA_NAME].data_type == "s"


def test_sheet_names_are_made_valid_and_unique():
    df = pl.DataFrame({"project_name": ["x"]})
    wb = openpyxl.load_workbook(io.BytesIO(excel.xlsx_bytes([("a/b:c", df), ("A/B:C", df), ("长" * 40, df)])))
    assert wb.sheetnames == ["a_b_c", "A_B_C(2)", "长" * 31]
