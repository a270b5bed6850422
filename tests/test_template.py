"""The ledger template (etl/template.py) districts fill in."""

from __future__ import annotations

import re

import fastexcel
import openpyxl
import pytest

from etl.template import COLUMNS, HEADER_ROW, write_template
from warehouse.reference import load_reference, norm_key


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = write_template(tmp_path_factory.mktemp("template") / "台账模板.xlsx")
    return path, openpyxl.load_workbook(path)


def _list_values(wb, formula: str) -> list[str]:
    sheet, cells = formula.lstrip("=").split("!")
    return [c.value for row in wb[sheet][cells.replace("$", "")] for c in row]


def test_sheets(template):
    _, wb = template
    assert wb.sheetnames == ["项目台账", "填报说明", "lists"]
    assert wb["lists"].sheet_state == "hidden"
    assert wb["项目台账"].freeze_panes == f"D{HEADER_ROW + 1}"


def test_header_row_and_title(template):
    path, wb = template
    ws = wb["项目台账"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == [c[0] for c in COLUMNS]
    assert {"项目名称", "所属县区", "产业链", "总投资（万元）", "其中外资（万美元）", "项目状态"} <= set(header)
    assert ws["A1"].value == "漯河市招商引资项目台账"
    assert "单位：万元" in ws["A2"].value and "填报单位" in ws["A2"].value
    frame = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_polars()
    assert list(frame.row(HEADER_ROW - 1)) == header


def test_headers_are_in_reference_synonyms():
    ref = load_reference()
    for header, *_ in COLUMNS:
        fields = ref.header_synonyms.get(norm_key(re.sub(r"（.*?）", "", header)))
        assert fields, header
        assert len({f for f, prio in fields if prio == 1}) == 1, header   # no ambiguous header


def test_drop_downs(template):
    _, wb = template
    ws = wb["项目台账"]
    ref = load_reference()
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            first = str(dv.sqref).split(":")[0]
            header = ws.cell(HEADER_ROW, openpyxl.utils.column_index_from_string(first.rstrip("0123456789"))).value
            assert first.endswith(str(HEADER_ROW + 1))
            lists[header] = _list_values(wb, dv.formula1)
    assert lists["所属县区"] == [d.name for d in ref.districts]
    assert lists["产业链"] == [c["chain"] for c in ref.chains]
    assert lists["项目状态"] == ["在谈", "签约", "履约", "开工", "投产", "达效", "终止"]
    assert lists["批次"] == ["签约一批", "开工一批", "投产一批"]


def test_dates_and_amounts_are_typed(template):
    _, wb = template
    ws = wb["项目台账"]
    for header in ("签约时间", "开工时间", "投产时间"):
        letter = openpyxl.utils.get_column_letter([c[0] for c in COLUMNS].index(header) + 1)
        assert ws.column_dimensions[letter].number_format == "yyyy-mm-dd"
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date", "decimal"} <= kinds


def test_guide_explains_every_column(template):
    _, wb = template
    text = "\n".join(str(c.value) for row in wb["填报说明"].iter_rows() for c in row if c.value)
    for header, *_ in COLUMNS:
        assert header in text
    assert "GCJ-02" in text and "高德" in text and "万元" in text and "2024-03-05" in text


def test_same_bytes_every_time(tmp_path):
    a = write_template(tmp_path / "a.xlsx")
    b = write_template(tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
