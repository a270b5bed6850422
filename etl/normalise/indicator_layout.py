"""The layout of a targets sheet (年度目标任务分解表) or a monthly indicator report (指标完成情况表),
found by content from its first rows. Layouts, as cities send them:
- wide: one row per district; each indicator a column, or a merged column group with 目标 / 完成
  (完成率, 同比, 上年同期 …) under it; without 目标/完成 labels the title says what the numbers are
  (…目标任务分解表 → targets; …完成情况 → actuals);
- long: one row per district and indicator (县区 | 指标 | 单位 | 年度目标 | 1-5月完成 | 同比 …), the
  district cell often merged down over its indicators;
- transposed: one row per indicator, one column (or 目标/完成 group) per district.
A sheet without a district column belongs to the district its title or file name names (the caller
decides). A project ledger (项目名称 with project names under it) is never a layout here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.normalise.headers import find_header, match_fields
from etl.normalise.indicators import ACTUAL, IGNORED, TARGET, Match, match_indicator, role_of, written_unit
from etl.normalise.ledger import SECTION_RE
from etl.normalise.places import resolve_district
from etl.normalise.text import clean, norm_key
from warehouse.indicators import Indicator
from warehouse.reference import Reference

SCAN_ROWS = 40
MAX_HEADER_CELL = 40            # longer cells are notes or titles, not column names
CITY_ROW = "全市"
SUBTOTAL = re.compile(r"(小计|合计|总计|其中)")     # 县区小计, 功能区合计 … (after the 全市 row is taken)
_TOTAL = re.compile(r"^(总合计|合计|总计|全市合计|全市总计|全市|市本级合计)")
SUBITEM = re.compile(r"^(其中|含|内含)[:：]?")
_YEAR_HEADER = re.compile(r"^(年度|年份|年)$")
_SEQ_HEADER = re.compile(r"^(序号|序|编号|no\.?)$")
_SHEET_UNIT = re.compile(r"单位[:：]?\s*(亿美元|万美元|亿元|万元|元|个)")
NUMERIC = re.compile(r"\d")
UNIT_WORDS = {"个", "项", "家", "亿元", "万元", "元", "万美元", "亿美元", "美元", "%", "亿", "万"}


@dataclass
class ValueColumn:
    index: int
    indicator: Indicator
    role: str | None             # target / actual / prior / yoy; None: the sheet's default
    unit: str | None             # unit written in the header
    label: str


@dataclass
class Layout:
    shape: str                                   # wide / long / transposed
    first_header_row: int
    data_start: int
    labels: list[str]
    district_col: int | None
    value_columns: list[ValueColumn] = field(default_factory=list)      # wide
    indicator_col: int | None = None                                      # long
    unit_col: int | None = None
    year_col: int | None = None
    role_columns: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # long: col → (role, unit)
    district_columns: dict[int, tuple[str, str | None, str | None]] = field(default_factory=dict)  # transposed
    title_lines: list[str] = field(default_factory=list)
    sheet_unit: str | None = None
    notes: list[str] = field(default_factory=list)        # columns left out, for the warnings

    def roles(self, default: str | None) -> set[str | None]:
        if self.shape == "wide":
            return {c.role or default for c in self.value_columns}
        if self.shape == "transposed":
            return {r or default for _, r, _ in self.district_columns.values()}
        return {r or default for r, _ in self.role_columns.values()}

    @property
    def has_values(self) -> bool:
        return bool(self.value_columns or self.role_columns or self.district_columns)

    def needs_default_role(self) -> bool:
        return None in self.roles(None)


def _texts(rows: list[list]) -> list[list[str | None]]:
    return [[clean(v) for v in row] for row in rows]


def _fill_merged(rows: list[list[str | None]], merged: list[tuple[int, int, int, int]]) -> list[list[str | None]]:
    out = [list(r) for r in rows]
    for r1, c1, r2, c2 in merged:
        if r1 >= len(out) or c1 >= len(out[r1]) or c1 < 0:
            continue
        value = out[r1][c1]
        for r in range(r1, min(r2, len(out) - 1) + 1):
            for c in range(c1, min(c2, len(out[r]) - 1) + 1):
                if out[r][c] is None:
                    out[r][c] = value
    return out


def _title_like(row: list[str | None]) -> bool:
    values = {v for v in row if v is not None}
    return len(values) <= 1


def _header_cell(text: str | None) -> bool:
    return text is not None and len(text) <= MAX_HEADER_CELL and not SUBITEM.match(text)


def _indicator_cells(row: list[str | None], index) -> dict[int, Match]:
    found = {}
    for c, cell in enumerate(row):
        if _header_cell(cell):
            m = match_indicator(cell, index)
            if m:
                found[c] = m
    return found


def _is_district_header(text: str | None, ref: Reference) -> int | None:
    """1 for 县区/县（市、区）…, 2 for 单位/责任单位 (which may also be a unit column)."""
    if not text:
        return None
    prios = [p for f, p in match_fields(text, ref) if f == "district"]
    return min(prios) if prios else None


def is_city(text: str | None, ref: Reference) -> bool:
    if not text:
        return False
    key = norm_key(re.sub(SECTION_RE, "", text))
    city = norm_key(ref.city_name)
    return bool(_TOTAL.match(key)) or key in (city, city.removesuffix("市"), city + "合计")


def _district_hits(values: list[str | None], ref: Reference) -> int:
    return sum(1 for v in values if v and (resolve_district(v, ref) or is_city(v, ref)))


def _choose_district_col(filled, header_rows: list[int], data_start: int, exclude: set[int],
                         ref: Reference) -> int | None:
    """The column whose cells are district names (a 县区 header helps, the content decides)."""
    width = max((len(r) for r in filled), default=0)
    candidates = []
    for c in range(width):
        if c in exclude:
            continue
        values = [r[c] if c < len(r) else None for r in filled[data_start:]]
        hits = _district_hits(values, ref)
        prio = min([p for r in header_rows if 0 <= r < len(filled) and c < len(filled[r])
                    for p in [_is_district_header(filled[r][c], ref)] if p] or [9])
        if sum(1 for v in values if v in UNIT_WORDS) > hits:
            continue
        if hits or prio == 1:
            candidates.append((hits, -prio, -c))
    return -max(candidates)[2] if candidates else None


def _combined(group: str | None, sub: str | None, index) -> Match | None:
    """A group over plain sub-labels: 签约项目 → 个数（个） | 金额（亿元）."""
    if not group or not sub:
        return None
    return match_indicator(group + sub, index, exact=True)


def _group_filled(group: list[str | None], sub: list[str | None], index) -> list[str | None]:
    """A group cell over 目标/完成 (or 个数/金额) that the file does not mark as merged (CSV,
    .xls): it stands over the columns to its right that carry such a sub-label."""
    out = list(group)
    for c in range(1, len(out)):
        if out[c] is None and c < len(sub) and (role_of(sub[c]) is not None or _combined(out[c - 1], sub[c], index)):
            out[c] = out[c - 1]
    return out


def _is_sub_header(group: list[str | None], sub: list[str | None], ref: Reference, index) -> bool:
    """The row under the indicator row is a second header row: 目标/完成 or 个数/金额, no district."""
    cells = [(c, v) for c, v in enumerate(sub) if v is not None]
    if not cells or any(resolve_district(v, ref) or is_city(v, ref) for _, v in cells):
        return False
    left = _group_filled(group, sub, index)
    return any(role_of(v) is not None or _combined(left[c - 1] if c and c - 1 < len(left) else None, v, index)
               or (c < len(group) and _combined(group[c], v, index)) for c, v in cells)


def _label(*parts: str | None) -> str | None:
    seen = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return "/".join(seen) or None


def _title_lines(filled: list[list[str | None]], first_header_row: int) -> list[str]:
    lines = []
    for row in filled[:first_header_row]:
        values = list(dict.fromkeys(v for v in row if v))
        if values:
            lines.append(" ".join(values))
    return lines


def _sheet_unit(lines: list[str]) -> str | None:
    for line in lines:
        m = _SHEET_UNIT.search(line)
        if m:
            return m.group(1)
    return None


def _is_ledger(rows: list[list], ref: Reference, index) -> bool:
    """A project ledger (项目名称 with project names under it) is not an indicator table, even when
    its headers name 利用外资 and 签约金额."""
    header = find_header(rows, ref)
    if header is None or "project_name" not in header.columns:
        return False
    c = header.columns["project_name"]
    values = [clean(r[c]) for r in rows[header.data_start:] if c < len(r) and clean(r[c])]
    named = sum(1 for v in values if match_indicator(v, index, exact=True))
    return not values or named * 2 < len(values)


def detect(rows: list[list], merged: list[tuple[int, int, int, int]], ref: Reference,
           index: dict[str, Indicator]) -> Layout | None:
    """The layout of a sheet from its first rows, or None when it is not an indicator table."""
    head = _texts(rows[:SCAN_ROWS])
    if not head:
        return None
    filled = _fill_merged(head, merged)
    if _is_ledger(head, ref, index):
        return None

    wide_row, wide_cells = None, {}
    for r, row in enumerate(filled):
        if _title_like(row):
            continue
        cells = _indicator_cells(row, index)
        if len({m.indicator.name for m in cells.values()}) > len({m.indicator.name for m in wide_cells.values()}):
            wide_row, wide_cells = r, cells
    strong_wide = len({m.indicator.name for m in wide_cells.values()}) >= 2

    long_col, long_hits = None, []
    if not strong_wide:
        width = max(len(r) for r in filled)
        for c in range(width):
            hits = [r for r in range(len(filled)) if c < len(filled[r])
                    and match_indicator(filled[r][c], index, exact=True)]
            if len(hits) >= 2 and len(hits) > len(long_hits):
                long_col, long_hits = c, hits
    if strong_wide:
        return _wide(filled, wide_row, ref, index)
    if long_col is not None:
        return _long(filled, long_col, long_hits[0], ref, index)
    if wide_cells:
        (c, m), = list(wide_cells.items())[:1]
        below = filled[wide_row + 1] if wide_row + 1 < len(filled) else []
        if role_of(filled[wide_row][c], m.synonym) or (c < len(below) and role_of(below[c])):
            return _wide(filled, wide_row, ref, index)
    return None


def _wide(filled, g: int, ref: Reference, index) -> Layout:
    group = filled[g]
    sub = filled[g + 1] if g + 1 < len(filled) else []
    has_sub = _is_sub_header(group, sub, ref, index)
    sub = sub if has_sub else [None] * len(group)
    group = _group_filled(group, sub, index) if has_sub else group
    data_start = g + 2 if has_sub else g + 1
    width = max(len(group), len(sub))
    labels, columns, notes, seen = [], [], [], {}
    for c in range(width):
        gt = group[c] if c < len(group) else None
        st = sub[c] if c < len(sub) else None
        labels.append(_label(gt, st) or f"第{c + 1}列")
        if gt and SUBITEM.match(gt):
            notes.append(f"分项列“{gt}”未入库（只取总数）。")
            continue
        m = _combined(gt, st, index) or (match_indicator(gt, index) if _header_cell(gt) else None) or \
            (match_indicator(st, index) if _header_cell(st) else None)
        if m is None:
            if gt and role_of(st) in (TARGET, ACTUAL) and _is_district_header(gt, ref) is None:
                notes.append(f"未识别的指标“{gt}”未入库（请系统管理员在参考数据 indicators.csv 中添加）。")
            continue
        role = role_of(st, m.synonym) or role_of(gt, m.synonym)
        if role == IGNORED:
            continue
        unit = written_unit(st) or written_unit(gt)
        key = (m.indicator.name, role)
        if key in seen:
            notes.append(f"“{labels[-1]}”与“{labels[seen[key]]}”是同一指标的同一数值，只取前者。")
            continue
        seen[key] = c
        columns.append(ValueColumn(c, m.indicator, role, unit, labels[-1]))
    header_rows = [g, g + 1] if has_sub else [g]
    district_col = _choose_district_col(filled, header_rows, data_start, {c.index for c in columns}, ref)
    lines = _title_lines(filled, g)
    return Layout("wide", g, data_start, labels, district_col, value_columns=columns, title_lines=lines,
                  sheet_unit=_sheet_unit(lines), notes=notes)


def _unit_and_year_columns(header: list[str | None], column, width: int, indicator_col: int):
    """The column of units (个, 亿元 … in most cells) and the 年度 column of a long sheet."""
    unit_col = year_col = None
    for c in range(width):
        if c == indicator_col:
            continue
        text = norm_key(header[c]) if c < len(header) and header[c] else ""
        values = [v for v in column(c) if v]
        unit_like = sum(1 for v in values if norm_key(v) in UNIT_WORDS)
        if unit_col is None and values and unit_like * 2 >= len(values):
            unit_col = c
        elif year_col is None and _YEAR_HEADER.match(text):
            year_col = c
    return unit_col, year_col


def _long(filled, indicator_col: int, first_hit: int, ref: Reference, index) -> Layout:
    h = first_hit - 1
    while h >= 0 and (all(v is None for v in filled[h]) or _title_like(filled[h])):
        h -= 1
    header = filled[h] if h >= 0 else []
    above = filled[h - 1] if h >= 1 and not _title_like(filled[h - 1]) else []
    width = max(len(r) for r in filled)
    labels = []
    for c in range(width):
        labels.append(_label(above[c] if c < len(above) else None, header[c] if c < len(header) else None)
                      or f"第{c + 1}列")
    data_start = first_hit
    data = filled[data_start:]

    def column(c: int) -> list[str | None]:
        return [r[c] if c < len(r) else None for r in data]

    unit_col, year_col = _unit_and_year_columns(header, column, width, indicator_col)
    lines = _title_lines(filled, max(h - (1 if above else 0), 0))
    in_header, in_above = _district_columns(header, ref), _district_columns(above, ref)
    if len(in_header) >= 2 or len(in_above) >= 2:
        return _transposed(header, above, in_header, in_above, labels, Layout(
            "transposed", max(h, 0), data_start, labels, None, indicator_col=indicator_col, unit_col=unit_col,
            title_lines=lines, sheet_unit=_sheet_unit(lines)))
    district_col = _choose_district_col(filled, [r for r in (h - 1, h) if r >= 0], data_start,
                                        {indicator_col, unit_col, year_col}, ref)
    role_columns: dict[int, tuple[str | None, str | None]] = {}
    notes = []
    seen: dict[str | None, int] = {}
    for c in range(width):
        if c in (indicator_col, unit_col, year_col, district_col):
            continue
        top = above[c] if c < len(above) else None
        text = header[c] if c < len(header) else None
        if text is None and top is None:
            continue
        if text and _SEQ_HEADER.match(norm_key(text)):
            continue
        role = role_of(text) or role_of(top)
        if role == IGNORED:
            continue
        if role is None and not any(v and NUMERIC.search(v) for v in column(c)):
            continue
        if role in seen:
            notes.append(f"“{labels[c]}”与“{labels[seen[role]]}”含义相同，只取前者。")
            continue
        seen[role] = c
        role_columns[c] = (role, written_unit(text) or written_unit(top))
    return Layout("long", max(h, 0), data_start, labels, district_col, indicator_col=indicator_col,
                  unit_col=unit_col, year_col=year_col, role_columns=role_columns, title_lines=lines,
                  sheet_unit=_sheet_unit(lines), notes=notes)


def _district_code(text: str | None, ref: Reference) -> str | None:
    if not text:
        return None
    return ref.city_code if is_city(text, ref) else resolve_district(text, ref)


def _district_columns(row: list[str | None], ref: Reference) -> dict[int, str]:
    return {c: code for c, v in enumerate(row) if (code := _district_code(v, ref))}


def _transposed(header, above, in_header, in_above, labels, layout: Layout) -> Layout:
    """Indicators as rows, districts as columns (指标 | 源汇区 | 郾城区 … | 全市), each district
    possibly a merged group over 目标 / 完成."""
    if len(in_header) >= 2:
        codes = in_header
        roles = {c: role_of(above[c]) if c < len(above) else None for c in codes}
    else:
        codes, roles, last = {}, {}, None
        for c in range(max(len(header), len(above))):
            top = above[c] if c < len(above) else None
            sub = header[c] if c < len(header) else None
            if top is not None:
                last = in_above.get(c)       # a new group: a district, or some other heading
            elif role_of(sub) is None:
                last = None                  # an unlabelled column ends the group (CSV: no merges)
            if last is not None:
                codes[c], roles[c] = last, role_of(sub)
    seen: set = set()
    for c, code in codes.items():
        role = roles.get(c)
        if role == IGNORED or (code, role) in seen:
            continue
        seen.add((code, role))
        unit = written_unit(header[c] if c < len(header) else None) or written_unit(above[c] if c < len(above) else None)
        layout.district_columns[c] = (code, role, unit)
    return layout
