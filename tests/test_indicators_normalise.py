"""Indicator cells: names and synonyms, what a column holds, exact unit conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.normalise.indicators import (ACTUAL, IGNORED, PRIOR, TARGET, YOY, match_indicator, percent,
                                      role_of, to_canonical, written_unit)
from warehouse.indicators import load_indicators, synonym_index

INDICATORS = load_indicators()
INDEX = synonym_index(INDICATORS)
BY_NAME = {i.name: i for i in INDICATORS}


def test_reference_file():
    assert [(i.name, i.unit, i.source) for i in INDICATORS] == [
        ("签约项目数", "个", "ledger"), ("签约项目投资额", "亿元", "ledger"),
        ("实际利用省外境内资金", "亿元", "reported"), ("实际利用外资", "万美元", "reported"),
        ("货物进出口额", "万元", "reported")]


@pytest.mark.parametrize("header, expected", [
    ("签约项目数（个）", "签约项目数"), ("签约项目个数", "签约项目数"), ("新签约项目数", "签约项目数"),
    ("签约项目（个）", "签约项目数"), ("签约项目投资额（亿元）", "签约项目投资额"), ("签约金额", "签约项目投资额"),
    ("省外资金", "实际利用省外境内资金"), ("实际到位省外资金（亿元）", "实际利用省外境内资金"),
    ("实际利用内资", "实际利用省外境内资金"), ("实际使用内资（亿元）", "实际利用省外境内资金"),
    ("利用外资", "实际利用外资"), ("实际使用外资（万美元）", "实际利用外资"), ("外商直接投资", "实际利用外资"),
    ("利用境外资金", "实际利用外资"), ("进出口", "货物进出口额"), ("外贸进出口", "货物进出口额"),
    ("进出口总额（万元）", "货物进出口额"), ("货物进出口额", "货物进出口额"),
    ("实 际 利 用\n外 资", "实际利用外资"), ("2025年签约项目数目标", "签约项目数"), ("1.签约项目数", "签约项目数"),
])
def test_header_names_an_indicator(header, expected):
    assert match_indicator(header, INDEX).indicator.name == expected


@pytest.mark.parametrize("text", ["县区", "序号", "备注", "项目名称", "总投资（亿元）", None, ""])
def test_other_headers_name_none(text):
    assert match_indicator(text, INDEX) is None


def test_cells_of_an_indicator_column_match_exactly():
    assert match_indicator("签约项目数（个）", INDEX, exact=True).indicator.name == "签约项目数"
    assert match_indicator("进出口贸易中心项目", INDEX, exact=True) is None   # a project, not an indicator


@pytest.mark.parametrize("label, synonym, expected", [
    ("目标", None, TARGET), ("年度目标", None, TARGET), ("全年任务", None, TARGET), ("目标任务", None, TARGET),
    ("完成", None, ACTUAL), ("1-5月完成", None, ACTUAL), ("累计完成", None, ACTUAL), ("1-5月", None, ACTUAL),
    ("完成率", None, IGNORED), ("目标完成率（%）", None, IGNORED), ("占年度目标比例", None, IGNORED),
    ("排名", None, IGNORED), ("本月完成", None, IGNORED), ("序时进度", None, IGNORED),
    ("同比增长（%）", None, YOY), ("同比%", None, YOY), ("增幅", None, YOY),
    ("上年同期", None, PRIOR), ("去年同期完成", None, PRIOR),
    ("实际利用外资（万美元）", "实际利用外资", None), ("实际利用外资目标", "实际利用外资", TARGET),
    ("县区", None, None),
])
def test_role_of_a_column(label, synonym, expected):
    assert role_of(label, synonym) == expected


@pytest.mark.parametrize("text, unit", [
    ("签约项目投资额（亿元）", "亿元"), ("货物进出口额(万元)", "万元"), ("外资（万美元）", "万美元"),
    ("签约项目数（个）", "个"), ("签约项目（项）", "项"), ("单位：万元", "万元"), ("县区", None),
])
def test_written_unit(text, unit):
    assert written_unit(text) == unit


@pytest.mark.parametrize("indicator, cell, column_unit, expected", [
    ("签约项目投资额", "10", "亿元", Decimal("10")),
    ("签约项目投资额", "100000", "万元", Decimal("10")),
    ("签约项目投资额", "3.5亿元", "万元", Decimal("3.5")),          # the cell's unit wins
    ("签约项目投资额", "2856.5万", "亿元", Decimal("0.28565")),
    ("实际利用省外境内资金", "348900", "万元", Decimal("34.89")),
    ("实际利用省外境内资金", "34.89", None, Decimal("34.89")),      # no unit: the canonical one
    ("货物进出口额", "1,116.12", "万元", Decimal("1116.12")),
    ("货物进出口额", "0.111612", "亿元", Decimal("1116.12")),
    ("货物进出口额", "11161200元", None, Decimal("1116.12")),
    ("实际利用外资", "18", "万美元", Decimal("18")),
    ("实际利用外资", "0.0018亿美元", None, Decimal("18")),
    ("实际利用外资", "１８", "万元", Decimal("18")),                  # a yuan sheet unit does not apply to dollars
    ("签约项目数", "8", None, Decimal(8)),
    ("签约项目数", "8个", None, Decimal(8)),
    ("签约项目数", "１２", "亿元", Decimal(12)),
])
def test_values_in_the_canonical_unit_exactly(indicator, cell, column_unit, expected):
    v = to_canonical(cell, BY_NAME[indicator], column_unit)
    assert v.error is None and v.value == expected


@pytest.mark.parametrize("indicator, cell, error", [
    ("签约项目投资额", "很多", "数值无法识别"),
    ("签约项目投资额", "-5", "负数"),
    ("签约项目数", "8.5", "应为整数"),
    ("实际利用外资", "3亿元", "应以万美元计"),
    ("签约项目数", "3亿元", "应以个计"),
    ("货物进出口额", "18万美元", "应以万元计"),
])
def test_unusable_values(indicator, cell, error):
    v = to_canonical(cell, BY_NAME[indicator], None)
    assert v.value is None and error in v.error


@pytest.mark.parametrize("cell, note", [("待定", None), ("—", None), (None, None), ("", None), ("**", "脱敏")])
def test_no_value_is_not_an_error(cell, note):
    v = to_canonical(cell, BY_NAME["实际利用外资"], None)
    assert (v.value, v.error, v.note) == (None, None, note)


def test_percent():
    assert percent("80.21%") == (Decimal("0.8021"), None)
    assert percent("-12.5") == (Decimal("-0.125"), None)
    assert percent("—") == (None, None)
    assert percent("增长较快")[1].startswith("同比无法识别")
