"""Dates as ledgers write them: Excel dates and serials, '2024.3.5', '2024年3月5日', '2024年3月',
'2024/03', '3月5日' (the year comes from the ledger), '2024年二季度'."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from etl.normalise.text import PLACEHOLDERS, clean, cn_number, norm_key

EXCEL_EPOCH = date(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_YMD = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
_YM = re.compile(r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*月?份?$")
_MD = re.compile(r"^(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*[日号]?$")
_M = re.compile(r"^(\d{1,2})\s*月份?$")
_Y = re.compile(r"^(\d{4})\s*年?$")
_QUARTER = re.compile(r"^(\d{4})\s*年?\s*(?:第)?([一二三四1-4])\s*季度?$|^(\d{4})\s*[Qq]([1-4])$")
_HALF = re.compile(r"^(\d{4})\s*年?\s*([上下])半年$")
_FUZZY_SUFFIX = re.compile(r"(上旬|中旬|下旬|初|底|末|前|左右|中)$")


class ParsedDate(NamedTuple):
    value: date | None
    error: str | None


def _make(y: int, m: int, d: int, text: str) -> ParsedDate:
    try:
        return ParsedDate(date(y, m, d), None)
    except ValueError:
        return ParsedDate(None, f"日期无法识别：“{text}”")


def parse_date(raw: object, ledger_year: int | None = None) -> ParsedDate:
    """A date, or None for an empty/placeholder cell, or an error for text that is not a date.

    Month-only dates give the first of the month, quarters the first day of the quarter.
    """
    text = clean(raw)
    if text is None or norm_key(text) in PLACEHOLDERS:
        return ParsedDate(None, None)
    t = text.replace("　", " ").strip()
    if m := _ISO.match(t):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _COMPACT.match(t):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL.match(t):
        number = float(t)
        if 20000 <= number <= 80000:
            return ParsedDate(EXCEL_EPOCH + timedelta(days=int(number)), None)
        return ParsedDate(None, f"日期无法识别：“{text}”")
    if m := _COMPACT_MONTH.match(t):
        return _make(int(m[1]), int(m[2]), 1, text)
    t = _FUZZY_SUFFIX.sub("", t).strip()
    if m := _YMD.match(t):
        return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _YM.match(t):
        return _make(int(m[1]), int(m[2]), 1, text)
    if m := _QUARTER.match(t):
        year = int(m[1] or m[3])
        q = m[2] or m[4]
        quarter = int(q) if q.isdigit() else cn_number(q)
        return _make(year, 3 * (quarter - 1) + 1, 1, text)
    if m := _HALF.match(t):
        return _make(int(m[1]), 1 if m[2] == "上" else 7, 1, text)
    if m := _Y.match(t):
        return _make(int(m[1]), 1, 1, text)
    if ledger_year is not None:
        if m := _MD.match(t):
            return _make(ledger_year, int(m[1]), int(m[2]), text)
        if m := _M.match(t):
            return _make(ledger_year, int(m[1]), 1, text)
    return ParsedDate(None, f"日期无法识别：“{text}”")


# --- the as-of date of a whole ledger ----------------------------------------------------

_ASOF_FULL = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*[日号]?")
_ASOF_MONTH = re.compile(r"(\d{4})\s*[年.\-/_]\s*(\d{1,2})(?!\d)\s*月?")
_ASOF_COMPACT = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(\d{2})?(?!\d)")
_ASOF_RANGE = re.compile(r"(\d{4})\s*年\s*\d{1,2}\s*月?\s*[-—~至到]\s*(\d{1,2})\s*月")
_ASOF_KEYWORDS = re.compile(r"(填报时间|填报日期|统计时间|截至|截止|日期|时间)")


def month_end(y: int, m: int) -> date:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return nxt - timedelta(days=1)


def find_as_of(text: str | None) -> date | None:
    """The date a ledger speaks of, from its title or 填报时间 line, or from a file name.

    A full date wins; a year and month mean the end of that month ('2024年6月' → 2024-06-30).
    """
    if not text:
        return None
    t = clean(text) or ""
    candidates: list[tuple[int, date]] = []
    for m in _ASOF_RANGE.finditer(t):  # '2024年1-6月' is cumulative to June
        y, mo = int(m[1]), int(m[2])
        if 2000 <= y <= 2100 and 1 <= mo <= 12:
            candidates.append((1, month_end(y, mo)))
    t = _ASOF_RANGE.sub(" ", t)
    for m in _ASOF_FULL.finditer(t):
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        keyword = _ASOF_KEYWORDS.search(t[max(0, m.start() - 8): m.start()])
        candidates.append((0 if keyword else 1, d))
    if not candidates:
        for m in _ASOF_MONTH.finditer(t):
            y, mo = int(m[1]), int(m[2])
            if 2000 <= y <= 2100 and 1 <= mo <= 12:
                candidates.append((2, month_end(y, mo)))
    if not candidates:
        for m in _ASOF_COMPACT.finditer(t):
            y, mo = int(m[1]), int(m[2])
            if m[3]:
                try:
                    candidates.append((3, date(y, mo, int(m[3]))))
                    continue
                except ValueError:
                    pass
            candidates.append((3, month_end(y, mo)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    return candidates[0][1]
