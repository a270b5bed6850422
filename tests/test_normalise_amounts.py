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


@pytest.mark.parametrize("raw, unit", [
    ("100000000000000000000000000000", "万元"),    # a code pasted into the amount column
    ("999999999999999", "亿元"),                   # 15 digits: 10^19 万元 once converted
    ("999999999999999999.9999999万元", "万元"),     # rounds up to 10^18 at the six decimals stored
])
def test_amounts_beyond_the_warehouse_are_errors(raw, unit):
    a = parse_amount(raw, unit)
    assert a.value is None and a.error.startswith(f"金额超出范围：“{raw}”")


def test_ledger_amounts_too_large_are_row_errors_not_a_failed_file():
    """The vectorised path for plain numbers hands an amount too large to store to parse_amount
    (the row is rejected with the reason) instead of failing the whole file."""
    import polars as pl

    from etl.normalise.columns import amounts as _amounts

    values, _, errors = _amounts(pl.Series(["12.5", "999999999999999", "100000000000000000000000000000", None]),
                                 "亿元")
    assert values.to_list() == [Decimal("125000"), None, None, None]
    assert [e and e.split("”")[0] for e in errors.to_list()] == [
        None, "金额超出范围：“999999999999999", "金额超出范围：“100000000000000000000000000000", None]
