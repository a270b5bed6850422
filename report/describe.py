"""Filters and dates as the short Chinese lines printed on every picture, slide and list."""

from __future__ import annotations

from datetime import date

from report.format import day, period, window
from warehouse.filters import Filters

_LIST_MAX = 6   # name at most this many values, then "等N个"


def _names(values, label=str) -> str:
    values = [label(v) for v in values]
    if len(values) > _LIST_MAX:
        return "、".join(values[:_LIST_MAX]) + f"等{len(values)}个"
    return "、".join(values)


def scope_text(filters: Filters, city: str = "") -> str:
    """Whose numbers: "漯河市全市" or the chosen districts."""
    if filters.districts:
        return _names(filters.districts)
    return f"{city}全市" if city else "全市"


def city_name() -> str:
    from warehouse.reference import load_reference

    try:
        return load_reference().city_name
    except (OSError, ValueError):   # reference files missing or the city code unknown
        return ""


def filters_text(filters: Filters, city: str | None = None, scope_label: str | None = None) -> str:
    """Whose numbers and the active filters in one line, e.g. "范围：漯河市全市；时间：2025年1月1日 —
    2025年12月31日" or "县区：郾城区；产业链：肉制品；时间：全部时间". scope_label: a district
    account's districts, which are the whole of its numbers ("范围：郾城区")."""
    whole = scope_label or scope_text(filters, city_name() if city is None else city)
    parts = [] if filters.districts else [f"范围：{whole}"]
    for label, values, fmt in (("县区", filters.districts, str), ("产业集群", filters.clusters, str),
                               ("产业链", filters.chains, str), ("期数", filters.periods, period),
                               ("阶段", filters.stages, str)):
        if values:
            parts.append(f"{label}：{_names(values, fmt)}")
    parts.append(f"时间：{window(filters.date_from, filters.date_to)}")
    return "；".join(parts)


def as_of_text(as_of: date | None) -> str:
    return f"数据截至{day(as_of)}" if as_of else "尚无数据"
