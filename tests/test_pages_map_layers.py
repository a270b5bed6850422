"""The map's deck: shipped boundaries with totals, no basemap unless a tile server is set,
approximate locations drawn apart, tooltips carrying plain text (Streamlit escapes it)."""

import json

import polars as pl

from report import maps
from report.colors import STAGE_COLORS
from warehouse import mapdata
from warehouse.filters import Filters
from warehouse.geo import bounds, load_boundaries
from warehouse.settings import BOUNDARY_DIR
from warehouse_fixture import XSS_NAME

BOUNDARY = load_boundaries(str(BOUNDARY_DIR / "411100_full.json"))


def _deck(small_con, tile_url=""):
    points = mapdata.map_points(small_con, Filters())
    totals = mapdata.district_totals(small_con, Filters())
    return json.loads(maps.deck(BOUNDARY, totals, points, "stage", STAGE_COLORS, bounds(BOUNDARY),
                                tile_url).to_json())


def test_no_basemap_and_no_tiles_by_default(small_con):
    spec = _deck(small_con)
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")     # pydeck's "no provider" sentinel
    assert [layer["id"] for layer in spec["layers"]] == ["districts", "projects", "approximate"]


def test_tile_server_becomes_bitmap_tiles(small_con):
    spec = _deck(small_con, "http://10.0.0.1/tiles/{z}/{x}/{y}.png")
    tiles = [layer for layer in spec["layers"] if layer["@@type"] == "BitmapLayer"]
    assert tiles and all(t["image"].startswith("http://10.0.0.1/tiles/11/") for t in tiles)
    assert spec["layers"][len(tiles)]["id"] == "districts"    # tiles underneath


def test_district_polygons_carry_their_totals(small_con):
    geo = maps.districts_geojson(BOUNDARY, mapdata.district_totals(small_con, Filters()))
    props = {f["properties"]["name"]: f["properties"] for f in geo["features"]}
    assert props["召陵区"]["line1"] == "项目 2个" and props["召陵区"]["line2"] == "总投资 2.30亿元"
    assert props["召陵区"]["line3"] == "含 漯河经济技术开发区 1个"
    assert props["源汇区"]["line1"] == "项目 4个"


def test_points_split_exact_and_approximate(small_con):
    exact, approx = maps.point_records(mapdata.map_points(small_con, Filters()), "stage", STAGE_COLORS)
    assert len(exact) == 6 and len(approx) == 1
    assert approx[0]["title"] == XSS_NAME and approx[0]["line3"].startswith("位置为近似")
    p07 = next(p for p in exact if p["project_id"] == "P07")
    assert p07["line2"] == "总投资 110.00亿元" and p07["color"][:3] == [240, 140, 0]


def test_empty_points():
    assert maps.point_records(pl.DataFrame(), "stage", {}) == ([], [])


def test_data_version_moves_when_another_process_writes(tmp_path):
    """The cache key: a load (here a plain write) changes it, so pages show new data without restart."""
    from ui.data import data_version
    from warehouse.db import connect
    from warehouse_fixture import build_empty_warehouse

    path = build_empty_warehouse(tmp_path / "w.duckdb")
    before = data_version(path)
    con = connect(path)
    con.execute("INSERT INTO loads (load_id, file_name, content_hash, status, loaded_at) "
                "VALUES (nextval('load_id_seq'), 'x.xlsx', 'h', 'loaded', now())")
    con.close()
    assert data_version(path) != before
    assert data_version(tmp_path / "missing.duckdb") == (None, None)
