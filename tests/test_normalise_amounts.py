from decimal import Decimal

import pytest

from etl.normalise.amounts import parse_amount, unit_in


@pytest.mark.parametrize("raw, unit, value, note", [
    ("35,000", "万元", Decimal("35000"), None),
    ("１２．５", "万元", Decimal("12.5"), None),            # full-width digits and point
    ("12.5", "亿元", Decimal("125000.0"), None),            # unit from the header
    ("5亿元", "万元", Decimal("50000"), None),              # unit in the cell beats the header
    ("3000万", "亿元", Decimal("3000"), None),
    ("约2亿", "万元", Decimal("20000"), "约数"),
    ("2亿元左右", "万元", Decimal("20000"), "约数"),
    ("1,234,567.89元", "万元", Decimal("123.456789"), None),
    (" 0.35 ", "亿元", Decimal("3500.00"), None),
    ("待定", "万元", None, "待定"),
    ("—", "万元", None, "待定"),
    ("/", "万元", None, "待定"),
    ("**", "万元", None, "脱敏"),
    ("***", "亿元", None, "脱敏"),
    ("**.**", "万元", None, "脱敏"),
    ("12.5万美元", "万美元", Decimal("12.5"), None),
    ("0.1", "亿美元", Decimal("1000.0"), None),
    (None, "万元", None, None),
])
def test_amounts(raw, unit, value, note):
    a = parse_amount(raw, unit)
    assert a.error is None
    assert a.value == value
    assert a.note == note


def test_amount_keeps_every_digit_written():
    # 0.1 + 0.2 in floats is 0.30000000000000004; as Decimal text it stays exact
    assert parse_amount("0.1", "亿元").value + parse_amount("0.2", "亿元").value == Decimal("3000")
    assert parse_amount("123456789.123456", "万元").value == Decimal("123456789.123456")


@pytest.mark.parametrize("raw", ["两千万左右", "abc", "1亿2千万", "#REF!", "-5"])
def test_unreadable_amounts_are_errors_in_chinese(raw):
    a = parse_amount(raw, "万元")
    assert a.value is None
    assert a.error and raw.strip("-") in a.error and ("金额" in a.error)


@pytest.mark.parametrize("text, unit", [
    ("总投资（亿元）", "亿元"), ("总投资(万元)", "万元"), ("其中外资（万美元）", "万美元"),
    ("单位：亿元", "亿元"), ("项目名称", None),
])
def test_unit_in_header(text, unit):
    assert unit_in(text) == unit
