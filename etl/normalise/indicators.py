"""Target-indicator cells: which indicator a header names, what a column holds (目标, 完成, 同比 …),
and a value converted exactly to the indicator's canonical unit.

Pure functions; the indicator list comes from data/reference/indicators.csv (warehouse.indicators).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from typing import NamedTuple

from etl.normalise.amounts import UNIT_TO_WAN, parse_amount, unit_in
from etl.normalise.text import PLACEHOLDERS, clean, norm_key
from warehouse.indicators import Indicator, unit_kind

# What a column holds. Checked in this order: '同比（%）' is a change, '目标完成率' a rate (not
# loaded: it is recomputed), '上年同期完成' a prior-year value, '本月完成' a single month (not the
# cumulative figure the ranking needs).
TARGET, ACTUAL, PRIOR, YOY = "target", "actual", "prior", "yoy"
IGNORED = "ignored"
ROLE_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (IGNORED, re.compile(r"序时|排名|排序|名次|位次|备注|差额|差距|缺口|超欠|说明|得分|分值|权重")),
    (YOY, re.compile(r"同比|增幅|增速|增长|增减")),
    (IGNORED, re.compile(r"完成率|完成进度|完成比例|进度|占比|比例|百分比|%")),
    (PRIOR, re.compile(r"上年|去年|上一年")),
    (IGNORED, re.compile(r"本月|当月|单月")),
    (TARGET, re.compile(r"目标|任务|计划")),
    (ACTUAL, re.compile(r"完成|实际|累计|实绩|[0-9]+月|数值|完成值")),
)
SCALE = 12                                   # decimals kept in the warehouse (DECIMAL(38, 12))
MAX_VALUE = Decimal(10) ** (38 - SCALE)
_BRACKETS = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_NUMBERING = re.compile(r"^([0-9]+[、.．]|[一二三四五六七八九十]+[、.．]|[(（][0-9一二三四五六七八九十]+[)）])")
_COUNT_UNIT = re.compile(r"[(（]\s*(个|项|家)\s*[)）]|单位[:：]\s*(个|项|家)")
_COUNT_SUFFIX = re.compile(r"(个|项|家)$")
_PERCENT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*%?$")


def _strip(text: str) -> str:
    key = norm_key(_BRACKETS.sub("", text))
    return _NUMBERING.sub("", key).strip("*※:：")


def written_unit(text: str | None) -> str | None:
    """The unit a header, title or cell names: 亿元, 万美元 … or 个 for counts."""
    if not text:
        return None
    money = unit_in(text)
    if money:
        return money
    m = _COUNT_UNIT.search(clean(text) or "")
    return (m.group(1) or m.group(2)) if m else None


class Match(NamedTuple):
    indicator: Indicator
    synonym: str                 # the normalised name found in the text


def match_indicator(text: str | None, index: dict[str, Indicator], *, exact: bool = False) -> Match | None:
    """The indicator a header cell (or, with exact=True, a cell of an indicator column) names.

    Exact names first; then, for headers, the longest name contained in the text — preferring an
    indicator whose unit the text's own unit can be converted to ('签约项目（亿元）' is not a count).
    """
    t = clean(text)
    if not t:
        return None
    key = _strip(t)
    for k in (key, norm_key(t)):
        if k in index:
            return Match(index[k], k)
    if exact:
        return None
    unit = unit_kind(written_unit(t))
    found = [(name, ind) for name, ind in index.items() if len(name) >= 2 and name in key]
    if not found:
        return None
    found.sort(key=lambda f: (unit is None or f[1].unit_kind == unit, len(f[0])), reverse=True)
    return Match(found[0][1], found[0][0])


def role_of(text: str | None, synonym: str | None = None) -> str | None:
    """target / actual / prior / yoy / ignored, or None when the text says nothing about it.
    The indicator's own name is removed first (实际利用外资 is not an 'actual' label)."""
    t = clean(text)
    if not t:
        return None
    key = norm_key(t)
    if synonym:
        key = key.replace(synonym, " ")
    key = re.sub(r"(亿美元|万美元|美元|亿元|万元|千元|元|个|项|家)", "", key)
    for role, pattern in ROLE_PATTERNS:
        if pattern.search(key):
            return role
    return None


def unit_error(indicator: Indicator, unit: str | None) -> str | None:
    """Why a written unit cannot be converted to the indicator's unit (yuan vs dollars vs counts)."""
    kind = unit_kind(unit)
    if unit is None or kind == indicator.unit_kind:
        return None
    return f"{indicator.name}应以{indicator.unit}计，表中单位为{unit}，无法换算"


class Value(NamedTuple):
    value: Decimal | None        # in the indicator's canonical unit
    note: str | None             # 待定 / 脱敏 / 约数
    error: str | None            # Chinese reason


def to_canonical(raw: object, indicator: Indicator, column_unit: str | None) -> Value:
    """A cell in the indicator's canonical unit, exactly: '3.5亿元' in a 万元 column, '1,116.12',
    '１２', '8个'. Empty and placeholder cells give no value and no error."""
    text = clean(raw)
    if text is None or norm_key(text) in PLACEHOLDERS:
        return Value(None, None, None)
    cell_unit = written_unit(text)
    problem = unit_error(indicator, cell_unit)
    if problem:
        return Value(None, None, f"“{text}”：{problem}")
    if indicator.unit_kind == "count":
        amount = parse_amount(_COUNT_SUFFIX.sub("", text), "万")
        if amount.error:
            return Value(None, None, amount.error.replace("金额", "数值"))
        if amount.value is not None and amount.value != amount.value.to_integral_value():
            return Value(None, None, f"{indicator.name}应为整数：“{text}”")
        if amount.value is not None and amount.value >= MAX_VALUE:
            return Value(None, None, f"数值过大：“{text}”")
        value = None if amount.value is None else amount.value.to_integral_value()
        return Value(value, amount.note, None)
    unit = column_unit if unit_kind(column_unit) == indicator.unit_kind else indicator.unit
    amount = parse_amount(text, unit)
    if amount.error:
        return Value(None, amount.note, amount.error.replace("金额", "数值"))
    if amount.value is None:
        return Value(None, amount.note, None)
    with localcontext() as ctx:
        ctx.prec = 80
        value = amount.value / UNIT_TO_WAN[indicator.unit]
        exact = value == value.quantize(Decimal(1).scaleb(-SCALE))
    if not exact:
        return Value(None, None, f"“{text}”换算为{indicator.unit}后超过{SCALE}位小数")
    if value >= MAX_VALUE:
        return Value(None, None, f"数值过大：“{text}”")
    return Value(value, amount.note, None)


def percent(raw: object) -> tuple[Decimal | None, str | None]:
    """A 同比 cell as a fraction: '80.21%' or '80.21' (under a 同比（%） header) → 0.8021."""
    text = clean(raw)
    if text is None or norm_key(text) in PLACEHOLDERS:
        return None, None
    m = _PERCENT.match(text.replace(",", ""))
    if not m:
        return None, f"同比无法识别：“{text}”"
    return Decimal(m.group(1)) / 100, None
