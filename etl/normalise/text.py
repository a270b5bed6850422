"""Text helpers shared by the normalisers."""

from __future__ import annotations

import re
import unicodedata

from warehouse.reference import norm_key

__all__ = ["norm_key", "clean", "cn_number", "leading_number", "PLACEHOLDERS"]

# Cells that mean "nothing here" in hand-made ledgers.
PLACEHOLDERS = frozenset({"", "-", "--", "---", "—", "——", "/", "\\", "无", "暂无", "待定", "未定", "不详",
                          "n/a", "na", "none", "null", "空", "0/0", "…", "...", "待补充", "未知"})

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def clean(value: object) -> str | None:
    """Cell text with NFKC applied and outer whitespace removed; None for empty cells."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def cn_number(text: str) -> int | None:
    """'十二' → 12, '二十三' → 23, '3' → 3; None when it is not a number up to 999."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


_ORDINAL = re.compile(r"^第?([0-9一二三四五六七八九十百两〇零]+)")


def leading_number(text: str) -> int | None:
    m = _ORDINAL.match(text)
    return cn_number(m.group(1)) if m else None
