"""Coordinates in two columns or one cell, swapped or not, in GCJ-02, BD-09 or WGS-84."""

from __future__ import annotations

import re
from typing import NamedTuple

from etl.normalise.text import PLACEHOLDERS, clean, norm_key
from warehouse.geo import to_gcj02

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_DMS = re.compile(r"(\d+(?:\.\d+)?)\s*°\s*(?:(\d+(?:\.\d+)?)\s*['′])?\s*(?:(\d+(?:\.\d+)?)\s*[\"″])?")


class Point(NamedTuple):
    lng: float | None
    lat: float | None
    error: str | None


def crs_hint(header: str | None) -> str | None:
    """The coordinate system a header names: '坐标（百度）' → 'bd09'."""
    if not header:
        return None
    h = norm_key(header)
    if "百度" in h or "bd09" in h or "bd-09" in h:
        return "bd09"
    if "wgs" in h or "gps" in h or "天地图" in h or "2000" in h:
        return "wgs84"
    if "高德" in h or "gcj" in h or "腾讯" in h:
        return "gcj02"
    return None


def _numbers(text: str) -> list[float]:
    dms = _DMS.findall(text)
    if dms and "°" in text:
        return [float(d) + float(m or 0) / 60 + float(s or 0) / 3600 for d, m, s in dms]
    return [float(x) for x in _NUMBER.findall(text)]


def _order(a: float, b: float) -> tuple[float, float]:
    """In China longitude (73–135) is always larger than latitude (3–54): swap when written the other way."""
    return (a, b) if a >= b else (b, a)


def parse_point(lng_raw: object, lat_raw: object, pair_raw: object, crs: str) -> Point:
    """From two cells (lng_raw, lat_raw) or one cell with both (pair_raw). Returns GCJ-02."""
    pair = clean(pair_raw)
    lng_t, lat_t = clean(lng_raw), clean(lat_raw)
    if pair and norm_key(pair) not in PLACEHOLDERS:
        nums = _numbers(pair)
        if len(nums) != 2:
            return Point(None, None, f"坐标无法识别：“{pair}”")
        a, b = nums
    elif lng_t and lat_t and norm_key(lng_t) not in PLACEHOLDERS and norm_key(lat_t) not in PLACEHOLDERS:
        na, nb = _numbers(lng_t), _numbers(lat_t)
        if len(na) != 1 or len(nb) != 1:
            return Point(None, None, f"坐标无法识别：“{lng_t}”，“{lat_t}”")
        a, b = na[0], nb[0]
    else:
        return Point(None, None, None)
    lng, lat = _order(a, b)
    if not (73 < lng < 136 and 3 < lat < 54):
        return Point(None, None, f"坐标不在中国境内：“{a}, {b}”")
    lng, lat = to_gcj02(lng, lat, crs)
    return Point(round(lng, 7), round(lat, 7), None)
