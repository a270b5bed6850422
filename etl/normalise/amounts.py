"""Money: '35,000', '１２．５', '约2亿', '5亿元', '3000万', '待定', '**' — exact, as Decimal 万元."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from etl.normalise.text import PLACEHOLDERS, clean, norm_key

# Factor from a unit to 万元 (or, for foreign money, to 万美元).
UNIT_TO_WAN: dict[str, Decimal] = {
    "亿元": Decimal(10000), "亿": Decimal(10000), "万元": Decimal(1), "万": Decimal(1),
    "千元": Decimal("0.1"), "元": Decimal("0.0001"),
    "亿美元": Decimal(10000), "万美元": Decimal(1), "美元": Decimal("0.0001"),
}
_UNIT_RE = re.compile(r"(亿美元|万美元|美元|亿元|万元|千元|亿|万|元)")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_APPROX_PREFIX = ("大约", "约", "近", "超过", "超", "逾", "预计", "计划", "不低于", "不少于")
_APPROX_SUFFIX = ("左右", "以上", "余", "多")
NOTE_MASKED = "脱敏"
NOTE_UNKNOWN = "待定"
NOTE_APPROX = "约数"


class Amount(NamedTuple):
    value: Decimal | None   # in 万元 (or 万美元)
    note: str | None        # 脱敏 / 待定 / 约数
    error: str | None       # Chinese reason when the text cannot be read


def unit_in(text: str | None) -> str | None:
    """The money unit written in a header, title or cell ('总投资（亿元）' → '亿元')."""
    if not text:
        return None
    m = _UNIT_RE.search(clean(text) or "")
    return m.group(1) if m else None


def is_masked(text: str) -> bool:
    stripped = text.replace("*", "").replace("＊", "")
    return "*" in text and (not stripped.strip(".%万亿元美 ") or text.count("*") >= 2)


# The warehouse keeps money as DECIMAL(24, 6) 万元: at most 18 digits before the point. A larger
# amount is no investment figure (a code or a phone number in the wrong column) and is rejected.
WAN_LIMIT = Decimal(10) ** 18
WAN_STEP = Decimal("0.000001")


def parse_amount(raw: object, column_unit: str = "万元") -> Amount:
    text = clean(raw)
    if text is None:
        return Amount(None, None, None)
    compact = "".join(text.split()).replace(",", "").replace("，", "").replace("'", "")
    if norm_key(compact) in PLACEHOLDERS:
        return Amount(None, NOTE_UNKNOWN, None)
    if is_masked(compact):
        return Amount(None, NOTE_MASKED, None)
    note = None
    for p in _APPROX_PREFIX:
        if compact.startswith(p):
            compact, note = compact[len(p):], NOTE_APPROX
            break
    for s in _APPROX_SUFFIX:
        if compact.endswith(s):
            compact, note = compact[: -len(s)], NOTE_APPROX
            break
    unit = column_unit
    m = _UNIT_RE.search(compact)
    if m and m.end() == len(compact):
        unit = m.group(1)
        compact = compact[: m.start()]
    for s in _APPROX_SUFFIX:  # '2亿元左右' has the unit before the suffix
        if compact.endswith(s):
            compact, note = compact[: -len(s)], NOTE_APPROX
    if not _NUMBER_RE.match(compact):
        return Amount(None, None, f"金额无法识别：“{text}”")
    try:
        number = Decimal(compact)
    except InvalidOperation:
        return Amount(None, None, f"金额无法识别：“{text}”")
    if number < 0:
        return Amount(None, None, f"金额为负数：“{text}”")
    value = number * UNIT_TO_WAN.get(unit, Decimal(1))
    if value >= WAN_LIMIT or value.quantize(WAN_STEP) >= WAN_LIMIT:   # as stored: six decimals
        return Amount(None, None, f"金额超出范围：“{text}”（折合{value:.4E}万元）")
    return Amount(value, note, None)
