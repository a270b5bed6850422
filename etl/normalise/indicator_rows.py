"""The rows of a targets sheet or indicator report, read in the layout found for it
(etl/normalise/indicator_layout.py): target and actual values in each indicator's canonical unit.

Pure: text in, values out. What a row cannot use is a rejected row with the reason; 合计 / 全市 rows
are the city's own figures (kept as 全市); 小计, section, note and empty rows are skipped rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from etl.normalise.amounts import NOTE_APPROX, NOTE_MASKED
from etl.normalise.indicator_layout import (CITY_ROW, NUMERIC, SUBITEM, SUBTOTAL, UNIT_WORDS, Layout,
                                            is_city)
from etl.normalise.indicators import (ACTUAL, PRIOR, TARGET, YOY, match_indicator, percent, to_canonical,
                                      unit_error, written_unit)
from etl.normalise.ledger import NOTE_RE, SECTION_RE
from etl.normalise.places import resolve_district
from etl.normalise.text import clean
from warehouse.indicators import Indicator
from warehouse.reference import Reference

_YEAR = re.compile(r"(20\d{2})\s*年?")


@dataclass
class SheetContext:
    ref: Reference
    index: dict[str, Indicator]
    default_role: str | None          # what unlabelled value columns hold (from the title)
    default_district: str | None      # the district a sheet without a district column speaks of
    year: int | None                  # the target year
    as_of: date | None                # the date of the actuals (reports)


@dataclass
class Record:
    role: str                         # target / actual
    district_code: str
    district: str
    indicator: Indicator
    year: int
    value: Decimal
    written: str
    prior: Decimal | None = None
    yoy: Decimal | None = None


@dataclass
class RowOutcome:
    sheet: str
    row: int                          # 1-based, as Excel shows it
    status: str                       # loaded / skipped / rejected / blank
    reason: str | None
    raw: str
    records: list[Record] = field(default_factory=list)


@dataclass
class SheetRead:
    outcomes: list[RowOutcome]
    warnings: list[tuple[str, str]]   # (kind, message)


def _raw(labels: list[str], values: list[str | None]) -> str:
    return json.dumps({labels[i] if i < len(labels) else f"第{i + 1}列": v for i, v in enumerate(values)
                       if v is not None}, ensure_ascii=False)


def _year_of(text: str | None) -> int | None:
    m = _YEAR.search(text or "")
    return int(m.group(1)) if m else None


def read_sheet(rows: list[list], sheet: str, layout: Layout, ctx: SheetContext) -> SheetRead:
    """Every row from the first data row on, each with its outcome (rows_read = all of them)."""
    ref = ctx.ref
    outcomes: list[RowOutcome] = []
    counters = {"masked": 0, "approx": 0, "aux": []}
    names = {d.code: d.name for d in ref.districts}
    last_district: str | None = None
    value_cols = ({c.index for c in layout.value_columns} if layout.shape == "wide"
                  else set(layout.role_columns))
    for i, raw_row in enumerate(rows[layout.data_start:]):
        cells = [clean(v) for v in raw_row]
        row_no = layout.data_start + i + 1
        raw = _raw(layout.labels, cells)
        if all(v is None for v in cells):
            outcomes.append(RowOutcome(sheet, row_no, "blank", None, raw))
            continue
        lead = next((v for v in cells if v is not None), "")
        if re.match(NOTE_RE, lead.replace(" ", "")):
            outcomes.append(RowOutcome(sheet, row_no, "skipped", "备注行", raw))
            continue
        if layout.shape == "transposed":
            records, errors, skip = _transposed_values(cells, layout, ctx, counters)
            outcomes.append(_outcome(sheet, row_no, raw, records, errors, skip))
            continue
        dcol = layout.district_col
        dtext = cells[dcol] if dcol is not None and dcol < len(cells) else None
        if layout.shape == "long":
            icell = cells[layout.indicator_col] if layout.indicator_col < len(cells) else None
            if dtext is None and icell is not None and dcol is not None:
                dtext = last_district            # merged down over the district's indicators
            elif dtext is not None:
                last_district = dtext
        where = dtext if dcol is not None else lead
        city_row = dcol is not None and is_city(dtext or lead, ref)
        if not city_row and where and (SUBTOTAL.search(where) or (dcol is None and is_city(where, ref))):
            outcomes.append(RowOutcome(sheet, row_no, "skipped", "合计/小计行", raw))
            continue
        code, name = _row_district(city_row, dcol, dtext, ctx, names)
        has_numbers = any(cells[j] and NUMERIC.search(cells[j]) for j in value_cols if j < len(cells))
        if code is None:
            if not has_numbers or re.match(SECTION_RE, dtext or lead):
                outcomes.append(RowOutcome(sheet, row_no, "skipped", "分组标题行", raw))
            elif dtext is None:
                outcomes.append(RowOutcome(sheet, row_no, "rejected", "缺少县区", raw))
            else:
                outcomes.append(RowOutcome(sheet, row_no, "rejected",
                                           f"县区“{dtext}”无法识别（请核对县区名称；名称无误的，请系统管理员在参考数据 districts.csv 中补充别名）",
                                           raw))
            continue
        if layout.shape == "wide":
            records, errors, skip = _wide_values(cells, layout, ctx, code, name, counters)
        else:
            records, errors, skip = _long_values(cells, layout, ctx, code, name, counters)
        outcomes.append(_outcome(sheet, row_no, raw, records, errors, skip))
    return SheetRead(outcomes, _sheet_warnings(sheet, counters, outcomes))


def _sheet_warnings(sheet: str, counters: dict, outcomes: list[RowOutcome]) -> list[tuple[str, str]]:
    warnings: list[tuple[str, str]] = []
    if counters["masked"]:
        warnings.append(("数值脱敏", f"工作表“{sheet}”有{counters['masked']}个数值已脱敏（如“**”），未入库。"))
    if counters["approx"]:
        warnings.append(("约数", f"工作表“{sheet}”有{counters['approx']}个数值写作约数（如“约5亿元”），按所写数字入库。"))
    if counters["aux"]:
        warnings.append(("同比无法识别", f"工作表“{sheet}”的同比或上年同期数无法识别，已忽略："
                                       + "；".join(counters["aux"][:10])))
    return warnings + _check_city_totals(outcomes, sheet)


def _row_district(city_row: bool, dcol: int | None, dtext: str | None, ctx: SheetContext,
                  names: dict[str, str]) -> tuple[str | None, str | None]:
    """(code, name) a row's values belong to: the city, the sheet's district, or the row's own."""
    ref = ctx.ref
    if city_row:
        return ref.city_code, CITY_ROW
    if dcol is None and ctx.default_district:
        code = ctx.default_district
        return code, CITY_ROW if code == ref.city_code else names.get(code, code)
    code = resolve_district(dtext, ref) if dtext else None
    return code, names.get(code) if code else None


def _outcome(sheet: str, row_no: int, raw: str, records: list, errors: list[str], skip: str | None) -> RowOutcome:
    if errors:
        return RowOutcome(sheet, row_no, "rejected", "；".join(errors), raw)
    if skip:
        return RowOutcome(sheet, row_no, "skipped", skip, raw)
    if not records:
        return RowOutcome(sheet, row_no, "skipped", "没有数值", raw)
    return RowOutcome(sheet, row_no, "loaded", None, raw, records)


def _value(text, indicator: Indicator, unit: str | None, counters: dict) -> tuple[Decimal | None, str | None]:
    v = to_canonical(text, indicator, unit)
    if v.note == NOTE_MASKED:
        counters["masked"] += 1
    elif v.note == NOTE_APPROX and v.value is not None:
        counters["approx"] += 1
    return v.value, v.error


def _assemble(found: dict[str, dict], ctx: SheetContext, code: str, name: str, year: int | None,
              errors: list[str]) -> list[Record]:
    records = []
    for values in found.values():
        ind: Indicator = values["indicator"]
        if TARGET in values:
            if year is None:
                errors.append("无法确定目标年度（标题、工作表名和文件名中都没有年份）")
                continue
            records.append(Record(TARGET, code, name, ind, year, values[TARGET], values[f"{TARGET}_text"]))
        if ACTUAL in values and ctx.as_of is not None:
            records.append(Record(ACTUAL, code, name, ind, ctx.as_of.year, values[ACTUAL],
                                  values[f"{ACTUAL}_text"], values.get(PRIOR), values.get(YOY)))
    return records


def _put(found: dict, ind: Indicator, role: str, text: str | None, unit: str | None,
         counters: dict, errors: list[str], label: str) -> None:
    entry = found.setdefault(ind.name, {"indicator": ind})
    if role == YOY:
        value, err = percent(text)
    else:
        value, err = _value(text, ind, unit, counters)
    if err:
        if role in (PRIOR, YOY):
            counters["aux"].append(f"{label}：{err}")
        else:
            errors.append(f"{label}：{err}")
        return
    if value is not None:
        entry[role] = value
        entry[f"{role}_text"] = f"{text}（{unit or ind.unit}）" if role != YOY else text


def _wide_values(cells, layout: Layout, ctx: SheetContext, code: str, name: str, counters: dict):
    found: dict[str, dict] = {}
    errors: list[str] = []
    for col in layout.value_columns:
        role = col.role or ctx.default_role
        text = cells[col.index] if col.index < len(cells) else None
        _put(found, col.indicator, role, text, col.unit or layout.sheet_unit, counters, errors, col.label)
    return _assemble(found, ctx, code, name, ctx.year, errors), errors, None


def _row_indicator(cells, layout: Layout, ctx: SheetContext):
    """The indicator a row of a long or transposed sheet speaks of, and the unit its row gives:
    (indicator, unit, errors, skip)."""
    itext = cells[layout.indicator_col] if layout.indicator_col < len(cells) else None
    if itext is None:
        return None, None, ["缺少指标名称"], None
    if SUBITEM.match(itext):
        return None, None, [], "分项行（只取总数）"
    m = match_indicator(itext, ctx.index, exact=True) or match_indicator(itext, ctx.index)
    if m is None:
        return None, None, [f"指标“{itext}”无法识别（请核对指标名称；名称无误的，请系统管理员在参考数据 indicators.csv 中添加）"], None
    row_unit = cells[layout.unit_col] if layout.unit_col is not None and layout.unit_col < len(cells) else None
    row_unit = written_unit(row_unit) or (clean(row_unit) if clean(row_unit) in UNIT_WORDS else None)
    if row_unit == "%":
        row_unit = None
    problem = unit_error(m.indicator, row_unit)
    return m.indicator, row_unit, [problem] if problem else [], None


def _long_values(cells, layout: Layout, ctx: SheetContext, code: str, name: str, counters: dict):
    ind, row_unit, errors, skip = _row_indicator(cells, layout, ctx)
    if ind is None or errors:
        return [], errors, skip
    year = ctx.year
    if layout.year_col is not None and layout.year_col < len(cells) and cells[layout.year_col]:
        year = _year_of(cells[layout.year_col]) or year
    found: dict[str, dict] = {}
    for c, (role, unit) in layout.role_columns.items():
        text = cells[c] if c < len(cells) else None
        _put(found, ind, role or ctx.default_role, text, row_unit or unit or layout.sheet_unit, counters,
             errors, layout.labels[c])
    return _assemble(found, ctx, code, name, year, errors), errors, None


def _transposed_values(cells, layout: Layout, ctx: SheetContext, counters: dict):
    ind, row_unit, errors, skip = _row_indicator(cells, layout, ctx)
    if ind is None and not errors and not skip:
        return [], [], None
    if ind is None:
        if errors == ["缺少指标名称"] and not any(cells[c] and NUMERIC.search(cells[c])
                                                  for c in layout.district_columns if c < len(cells)):
            return [], [], "分组标题行"
        return [], errors, skip
    if errors:
        return [], errors, None
    names = {d.code: d.name for d in ctx.ref.districts}
    per_district: dict[str, dict] = {}
    for c, (code, role, unit) in layout.district_columns.items():
        text = cells[c] if c < len(cells) else None
        _put(per_district.setdefault(code, {}), ind, role or ctx.default_role, text,
             row_unit or unit or layout.sheet_unit, counters, errors, layout.labels[c])
    records = []
    for code, found in per_district.items():
        name = CITY_ROW if code == ctx.ref.city_code else names.get(code, code)
        records += _assemble(found, ctx, code, name, ctx.year, errors)
    return records, errors, None


def _check_city_totals(outcomes: list[RowOutcome], sheet: str) -> list[tuple[str, str]]:
    """The 全市 row is kept as the city's own figure; say so when it is not the districts' sum."""
    city: dict[tuple, Decimal] = {}
    total: dict[tuple, Decimal] = {}
    count: dict[tuple, int] = {}
    for o in outcomes:
        for r in o.records:
            key = (r.role, r.indicator.name, r.indicator.unit)
            if r.district == CITY_ROW:
                city[key] = r.value
            else:
                total[key] = total.get(key, Decimal(0)) + r.value
                count[key] = count.get(key, 0) + 1
    out = []
    for key, stated in city.items():
        if count.get(key, 0) >= 2 and stated != total[key]:
            role, ind, unit = key
            out.append(("合计不符", f"工作表“{sheet}”全市{ind}{'目标' if role == TARGET else '完成数'}为"
                                   f"{_fmt(stated)}{unit}，各县区相加为{_fmt(total[key])}{unit}"
                                   "（全市数按表中所填入库，可能含市直或未分解部分，请核对）。"))
    return out


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")
