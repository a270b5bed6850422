import pytest

from etl.normalise.coords import crs_hint, parse_point
from warehouse.geo import (bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, load_boundaries,
                           district_at, wgs84_to_gcj02)
from warehouse.settings import BOUNDARY_DIR

GCJ = (114.0231, 33.5812)


@pytest.mark.parametrize("lng, lat, pair", [
    ("114.0231", "33.5812", None),
    ("33.5812", "114.0231", None),          # swapped columns
    (None, None, "114.0231,33.5812"),
    (None, None, "33.5812，114.0231"),       # one cell, swapped, full-width comma
    (None, None, "114.0231 33.5812"),
    (None, None, "E114.0231, N33.5812"),
])
def test_point_forms(lng, lat, pair):
    p = parse_point(lng, lat, pair, "gcj02")
    assert p.error is None
    assert (p.lng, p.lat) == GCJ


def test_baidu_and_wgs_are_converted_to_gcj02():
    bd = gcj02_to_bd09(*GCJ)
    p = parse_point(None, None, f"{bd[0]},{bd[1]}", "bd09")
    assert abs(p.lng - GCJ[0]) < 1e-5 and abs(p.lat - GCJ[1]) < 1e-5
    w = gcj02_to_wgs84(*GCJ)
    p = parse_point(str(w[0]), str(w[1]), None, "wgs84")
    assert abs(p.lng - GCJ[0]) < 1e-5 and abs(p.lat - GCJ[1]) < 1e-5
    # the datum shift is a few hundred metres, enough to land in the wrong district near a border
    assert abs(bd[0] - GCJ[0]) > 0.005 and abs(w[0] - GCJ[0]) > 0.003


def test_conversions_round_trip():
    assert bd09_to_gcj02(*gcj02_to_bd09(*GCJ)) == pytest.approx(GCJ, abs=1e-5)
    assert wgs84_to_gcj02(*gcj02_to_wgs84(*GCJ)) == pytest.approx(GCJ, abs=1e-6)


def test_shipped_boundaries_contain_district_centroids():
    b = load_boundaries(str(BOUNDARY_DIR / "411100_full.json"))
    assert district_at(b, 113.937848, 33.665167) == "411103"   # 郾城区 centroid
    assert district_at(b, 113.955796, 33.83813) == "411122"    # 临颍县 (a MultiPolygon)
    assert district_at(b, 116.4, 39.9) is None                 # Beijing


@pytest.mark.parametrize("header, crs", [
    ("坐标（百度）", "bd09"), ("经度(BD-09)", "bd09"), ("经度（WGS84）", "wgs84"), ("经度(高德)", "gcj02"),
    ("经度", None),
])
def test_crs_hint(header, crs):
    assert crs_hint(header) == crs


@pytest.mark.parametrize("pair", ["abc", "114.02", "0,0"])
def test_bad_points(pair):
    p = parse_point(None, None, pair, "gcj02")
    assert p.lng is None and p.error and "坐标" in p.error
