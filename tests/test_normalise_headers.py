import pytest

from etl.normalise.headers import find_header, header_key
from warehouse.reference import load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference("411100")


@pytest.mark.parametrize("text, key", [
    ("项 目 名 称", "项目名称"), ("总投资\n（亿元）", "总投资"), ("其中：外资(万美元)", "外资"),
    ("计划总投资（万元）", "计划总投资"), ("项目名称*", "项目名称"),
])
def test_header_key(text, key):
    assert header_key(text) == key


@pytest.mark.parametrize("name_header", ["项目名称", "项目名", "名称", "项 目 名 称", "项目\n名称"])
@pytest.mark.parametrize("invest_header, unit", [("总投资（亿元）", "亿元"), ("计划总投资(万元)", "万元"),
                                                 ("投资总额", None), ("投资额（万元）", "万元")])
def test_synonyms_and_units(ref, name_header, invest_header, unit):
    rows = [["序号", name_header, "所属县区", invest_header, "项目进展"], ["1", "甲", "郾城", "5", "签约"]]
    h = find_header(rows, ref)
    assert h.columns["project_name"] == 1
    assert h.columns["district"] == 2
    assert h.columns["total_investment"] == 3
    assert h.columns["stage"] == 4
    assert h.units.get("total_investment") == unit
    assert h.data_start == 1


def test_header_below_title_lines(ref):
    rows = [["漯河市郾城区2024年招商引资项目台账", None, None],
            ["填报单位：郾城区招商中心 填报时间：2024年6月30日 单位：亿元", None, None],
            [None, None, None],
            ["项目名称", "总投资", "当前进度"],
            ["甲", "1", "在建"]]
    h = find_header(rows, ref)
    assert h.first_row == 3 and h.data_start == 4
    assert h.sheet_unit == "亿元"
    assert h.title_lines[0].startswith("漯河市郾城区")


def test_two_row_merged_header(ref):
    rows = [["序号", "项目基本情况", None, "投资情况（亿元）", None, "项目进展", None],
            [None, "项目名称", "投资方", "总投资", "其中外资（万美元）", "签约时间", "开工时间"],
            ["1", "甲", "某公司", "2.5", None, "2024.3.5", None]]
    h = find_header(rows, ref)
    assert h.data_start == 2
    assert h.columns == {"seq": 0, "project_name": 1, "investor": 2, "total_investment": 3,
                         "foreign_investment": 4, "sign_date": 5, "start_date": 6}
    assert h.units == {"total_investment": "亿元", "foreign_investment": "万美元"}


def test_responsible_unit_stands_in_for_district(ref):
    rows = [["项目名称", "责任单位", "总投资"], ["甲", "郾城区商务局", "1"]]
    h = find_header(rows, ref)
    assert "district" not in h.columns
    assert h.fallback["district"] == 1


def test_no_header(ref):
    assert find_header([["月份", "销售额"], ["1", "2"]], ref) is None
