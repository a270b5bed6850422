"""Coordinates: conversions between China's map datums and point-in-boundary tests.

The shipped boundaries (DataV) are GCJ-02, the datum of 高德/天地图-GCJ tiles. Ledgers carry
points picked from 高德 (GCJ-02, the usual case), 百度 (BD-09) or a GPS (WGS-84); every point is
converted to GCJ-02 on load so that it lines up with the boundaries it is drawn on.
The formulas are the public, widely used ones (they are approximations with sub-metre error).
"""

from __future__ import annotations

import json
import math

import numpy as np
from functools import lru_cache
from pathlib import Path

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

CRS_NAMES = {
    "gcj02": "GCJ-02（高德）",
    "bd09": "BD-09（百度）",
    "wgs84": "WGS-84（GPS）",
}


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * math.pi) + 320 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng, lat):
    """Works on floats and on numpy arrays alike (the loader converts whole columns)."""
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    inside = (73.66 < lng) & (lng < 135.05) & (3.86 < lat) & (lat < 53.55)
    return np.where(inside, lng + dlng, lng)[()], np.where(inside, lat + dlat, lat)[()]


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """Inverse by iteration; used by tests and by anyone exporting to WGS-84 tools."""
    wlng, wlat = lng, lat
    for _ in range(10):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        wlng, wlat = wlng - (glng - lng), wlat - (glat - lat)
    return wlng, wlat


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.atan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.atan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_gcj02(lng: float, lat: float, crs: str) -> tuple[float, float]:
    if crs == "bd09":
        return bd09_to_gcj02(lng, lat)
    if crs == "wgs84":
        return wgs84_to_gcj02(lng, lat)
    return lng, lat


# --- boundaries -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def load_boundaries(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _ring_contains(ring: list, x: float, y: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def geometry_contains(geometry: dict, lng: float, lat: float) -> bool:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    for polygon in polygons:
        if _ring_contains(polygon[0], lng, lat) and not any(_ring_contains(h, lng, lat) for h in polygon[1:]):
            return True
    return False


def district_at(boundaries: dict, lng: float, lat: float) -> str | None:
    """The adcode (as text) of the boundary feature that contains the point, if any."""
    for feature in boundaries["features"]:
        if geometry_contains(feature["geometry"], lng, lat):
            return str(feature["properties"]["adcode"])
    return None


def bounds(boundaries: dict) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for feature in boundaries["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for polygon in polygons:
            for x, y in polygon[0]:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)
