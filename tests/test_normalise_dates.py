from datetime import date

import pytest

from etl.normalise.dates import find_as_of, parse_date


@pytest.mark.parametrize("raw, expected", [
    ("2024-03-05 00:00:00", date(2024, 3, 5)),   # an Excel date read as text by calamine
    ("2024-03-05", date(2024, 3, 5)),
    ("45356", date(2024, 3, 5)),                 # Excel serial number
    ("45356.0", date(2024, 3, 5)),
    ("2024.3.5", date(2024, 3, 5)),
    ("2024年3月5日", date(2024, 3, 5)),
    ("2024 年 3 月 5 日", date(2024, 3, 5)),
    ("２０２４年３月５日", date(2024, 3, 5)),       # full-width digits
    ("2024/3/5", date(2024, 3, 5)),
    ("20240305", date(2024, 3, 5)),
    ("2024年3月", date(2024, 3, 1)),
    ("2024/03", date(2024, 3, 1)),
    ("2024.3", date(2024, 3, 1)),
    ("2024年3月底", date(2024, 3, 1)),
    ("3月5日", date(2023, 3, 5)),                 # year from the ledger
    ("3月", date(2023, 3, 1)),
    ("2024年二季度", date(2024, 4, 1)),
    ("2024年第4季度", date(2024, 10, 1)),
    ("2024Q3", date(2024, 7, 1)),
    ("2024年下半年", date(2024, 7, 1)),
    ("待定", None),
    ("—", None),
    (None, None),
])
def test_dates(raw, expected):
    d = parse_date(raw, ledger_year=2023)
    assert d.error is None
    assert d.value == expected


@pytest.mark.parametrize("raw", ["2024年13月", "2024-02-30", "下个月", "123"])
def test_unreadable_dates(raw):
    d = parse_date(raw, ledger_year=2024)
    assert d.value is None and d.error and "日期" in d.error


@pytest.mark.parametrize("text, expected", [
    ("填报单位：郾城区招商中心   填报时间：2024年6月30日   单位：亿元", date(2024, 6, 30)),
    ("漯河市郾城区2024年6月招商引资项目台账", date(2024, 6, 30)),
    ("2024年1-6月招商引资项目完成情况", date(2024, 6, 30)),
    ("郾城区_2024年06月_招商项目台账", date(2024, 6, 30)),
    ("经开区-202406", date(2024, 6, 30)),
    ("舞阳县台账2024.6", date(2024, 6, 30)),
    ("临颍县2024-02", date(2024, 2, 29)),
    ("台账20240915", date(2024, 9, 15)),
    ("漯河市郾城区2024年招商引资项目台账", None),   # a year alone is not a snapshot date
    ("台账", None),
])
def test_as_of(text, expected):
    assert find_as_of(text) == expected


def test_ledger_dates_that_only_look_iso_are_reported():
    """The vectorised path for ISO dates (date cells) must not swallow 2025-13-45 or 2024-02-30:
    they get the same reason a person reads for any other unreadable date."""
    import polars as pl

    from etl.normalise.columns import dates as _dates

    values, errors = _dates(pl.Series(["2024-06-30", "2025-13-45", "2024-02-30 00:00:00", "2024.6.1", None]), 2024)
    assert values.to_list() == [date(2024, 6, 30), None, None, date(2024, 6, 1), None]
    assert errors.to_list() == [None, "日期无法识别：“2025-13-45”", "日期无法识别：“2024-02-30 00:00:00”", None, None]
