"""合计/小计 rows are the district's own check-sum: a warning, in the ledger's own unit, when the
project rows do not add up to them."""

from __future__ import annotations

import re
from decimal import Decimal

import polars as pl

from etl.normalise.amounts import UNIT_TO_WAN, parse_amount, unit_in
from etl.normalise.text import clean

UNIT_NAMES = {"亿": "亿元", "万": "万元"}


def _tolerance(raw_text: str | None, unit: str) -> Decimal:
    """Half a unit of the last digit the 合计 cell shows, in 万元."""
    text = (clean(raw_text) or "").replace(",", "")
    m = re.search(r"\.(\d+)", text)
    places = len(m.group(1)) if m else 0
    cell_unit = unit_in(text) or unit
    return Decimal(1).scaleb(-places) / 2 * UNIT_TO_WAN.get(cell_unit, Decimal(1))


def _fmt(wan: Decimal, unit: str) -> str:
    """An amount in 万元 written in `unit`, to the yuan (亿元 with up to 8 decimals)."""
    factor = UNIT_TO_WAN.get(unit, Decimal(1))
    value = wan / factor
    places = max(0, 4 + factor.adjusted())
    text = format(value.quantize(Decimal(1).scaleb(-places)), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return (text or "0") + UNIT_NAMES.get(unit, unit)


def check_totals(data: pl.DataFrame, amount_col: str, loaded: dict[int, Decimal], unit: str,
                 sheet: str) -> list[tuple[str, str]]:
    """Warnings for the 合计/小计 rows of one sheet. `data` has the sheet's rows with _row, _kind,
    _lead; `loaded` maps a loaded row to its amount in 万元; `unit` is the ledger's amount unit."""
    warnings = []
    running_all = running_section = Decimal(0)
    for row, kind, lead, raw in data.select("_row", "_kind", "_lead", amount_col).iter_rows():
        if kind == "section":
            running_section = Decimal(0)
        elif kind == "data":
            value = loaded.get(row)
            if value is not None:
                running_all += value
                running_section += value
        elif kind == "total":
            stated = parse_amount(raw, unit)
            if stated.value is None:
                continue
            subtotal = (lead or "").startswith("小计")
            expected = running_section if subtotal else running_all
            if abs(stated.value - expected) > _tolerance(raw, unit):
                label = "小计" if subtotal else "合计"
                warnings.append(("合计不符", (
                    f"工作表“{sheet}”第{row}行{label}总投资为{_fmt(stated.value, unit)}，"
                    f"而明细相加为{_fmt(expected, unit)}，相差{_fmt(stated.value - expected, unit)}，请县区核对。")))
            if subtotal:
                running_section = Decimal(0)
    return warnings
