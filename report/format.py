"""Numbers as a person reads them: 亿元 with two decimals, 万元, 个, % with two decimals.

Money arrives as DECIMAL 万元 from the warehouse and is rounded only here, for display.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

WAN_PER_YI = Decimal(10_000)
_CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def yi_value(wan) -> Decimal | None:
    """万元 → 亿元, rounded to two decimals."""
    d = _decimal(wan)
    return None if d is None else (d / WAN_PER_YI).quantize(_CENT, rounding=ROUND_HALF_UP)


def yi(wan, unit: bool = True) -> str:
    """12000.5 万元 → '1.20亿元'; unknown → '—'."""
    v = yi_value(wan)
    if v is None:
        return "—"
    return f"{v:,.2f}" + ("亿元" if unit else "")


def wan(value, unit: bool = True) -> str:
    d = _decimal(value)
    if d is None:
        return "—"
    return f"{d.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}" + ("万元" if unit else "")


def count(n, unit: str = "个") -> str:
    return "—" if n is None else f"{int(n):,}{unit}"


def pct(fraction, signed: bool = False) -> str:
    """0.755 → '75.50%'; None → '—'."""
    if fraction is None:
        return "—"
    d = (Decimal(str(fraction)) * 100).quantize(_CENT, rounding=ROUND_HALF_UP)
    return (f"{d:+.2f}%" if signed else f"{d:.2f}%")


def yoy(fraction) -> str | None:
    """A 同比 delta for st.metric ('+12.50% 同比'; the sign leads, st.metric colours by it), or
    None when there is nothing to compare."""
    return None if fraction is None else pct(fraction, signed=True) + " 同比"


def score(value, signed: bool = False) -> str:
    """考评 points: 71.3910 → '71.39分' (+4.18分 signed); None → '—'."""
    d = _decimal(value)
    if d is None:
        return "—"
    d = d.quantize(_CENT, rounding=ROUND_HALF_UP)
    return (f"{d:+.2f}" if signed else f"{d:.2f}") + "分"


def day(d: date | None) -> str:
    return "—" if d is None else f"{d.year}年{d.month}月{d.day}日"


def period(p) -> str:
    return "—" if p is None else f"第{int(p)}期"


def window(d1: date | None, d2: date | None) -> str:
    if d1 is None and d2 is None:
        return "全部时间"
    return f"{day(d1) if d1 else '最早'} — {day(d2) if d2 else '最新'}"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def text(value) -> str:
    """Ledger text (names, file names, messages quoting cells) for Streamlit elements that render
    markdown (st.markdown, st.info/warning, st.metric values): every markdown character escaped,
    so '**粗体** [链接](http://x)' shows exactly as written."""
    return "" if value is None else _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
