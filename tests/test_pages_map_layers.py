"""The map's deck: shipped boundaries with totals, no basemap unless a tile server is set,
approximate locations drawn apart, tooltips carrying plain text (Streamlit escapes it)."""

import json
from decimal import Decimal

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
    spots = mapdata.approximate_spots(small_con, Filters())
    return json.loads(maps.deck(BOUNDARY, totals, points, spots, "stage", STAGE_COLORS, bounds(BOUNDARY),
                                tile_url).to_json())


def test_no_basemap_and_no_tiles_by_default(small_con):
    spec = _deck(small_con)
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")     # pydeck's "no provider" sentinel
    assert [layer["id"] for layer in spec["layers"]] == ["districts", "projects", "approximate", "spot-counts",
                                                         "district-names"]


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
    exact = maps.point_records(mapdata.map_points(small_con, Filters()), "stage", STAGE_COLORS)
    spots = maps.spot_records(mapdata.approximate_spots(small_con, Filters()))
    assert len(exact) == 6 and len(spots) == 1
    # a spot one project has is that project: its name, a click opens its detail
    assert spots[0]["title"] == XSS_NAME and spots[0]["project_id"] == "P09" and spots[0]["label"] == ""
    assert spots[0]["line3"].startswith("位置为近似")
    p07 = next(p for p in exact if p["project_id"] == "P07")
    assert p07["line2"] == "总投资 110.00亿元" and p07["color"][:3] == [240, 140, 0]
    there = mapdata.projects_at(small_con, Filters(), spots[0]["lng"], spots[0]["lat"])
    assert there["project_name"].to_list() == [XSS_NAME]


SPOTS = pl.DataFrame({"lng": [113.610565, 114.0], "lat": [33.436278, 33.5], "projects": [225, 1],
                      "investment_wan": [Decimal("3000000.50"), Decimal("12000")], "districts": ["舞阳县", "源汇区"],
                      "project_id": [None, "X1"], "project_name": [None, "某项目"]})


def test_many_projects_at_one_spot_are_one_labelled_ring():
    many, one = maps.spot_records(SPOTS)
    assert (many["title"], many["label"], many["line1"], many["line2"]) == \
        ("近似位置 225个", "225", "舞阳县", "总投资 300.00亿元")
    assert many["project_id"] is None and "点击查看" in many["line3"]
    assert (one["title"], one["label"], one["project_id"]) == ("某项目", "", "X1")
    fig = maps.static_figure(BOUNDARY, pl.DataFrame({"map_code": [], "district": [], "kind": [], "projects": [],
                                                     "investment_wan": []}, schema_overrides={
        "map_code": pl.Utf8, "district": pl.Utf8, "kind": pl.Utf8, "projects": pl.Int64,
        "investment_wan": pl.Decimal(38, 2)}), pl.DataFrame(), SPOTS, "stage", STAGE_COLORS, bounds(BOUNDARY))
    ring = next(t for t in fig.data if (t.name or "").startswith("近似位置"))
    assert list(ring.text) == ["225", ""]


def test_district_names_on_the_interactive_map(small_con):
    labels = {layer["id"]: layer for layer in _deck(small_con)["layers"]}["district-names"]
    texts = {d["name"]: d["text"] for d in labels["data"]}
    assert texts["召陵区"] == "召陵区\n2个 · 2.30亿元" and set(texts) == {"源汇区", "郾城区", "召陵区", "舞阳县", "临颍县"}
    assert labels["characterSet"] == "auto" and labels["fontFamily"].startswith("Noto Sans CJK SC")


def test_empty_points():
    assert maps.point_records(pl.DataFrame(), "stage", {}) == []
    assert maps.spot_records(pl.DataFrame(schema={"projects": pl.Int64})) == []


def test_data_version_moves_when_another_process_writes(tmp_path):
    """The cache key: a load (here a plain write) changes it, so pages show new data without restart."""
    from ui.data import data_version
    from warehouse.db import connect, next_id
    from warehouse_fixture import build_empty_warehouse

    path = build_empty_warehouse(tmp_path / "w.duckdb")
    before = data_version(path)
    con = connect(path)
    con.execute("INSERT INTO loads (load_id, file_name, content_hash, status, loaded_at) "
                "VALUES (?, 'x.xlsx', 'h', 'loaded', now())", [next_id(con, "load_id_seq")])
    con.close()
    assert data_version(path) != before
    missing = data_version(tmp_path / "missing.duckdb")
    assert missing == data_version(tmp_path / "missing.duckdb") and missing != before


def test_clicking_a_spot_lists_its_projects_and_a_forged_click_lists_none(small_con):
    from pages import on_connection, page_items
    from report.view import Table, View, walk

    spot = maps.spot_records(mapdata.approximate_spots(small_con, Filters()))[0]
    picked = {"selection": {"objects": {maps.APPROX_LAYER: [{**spot, "project_id": None}]}}}
    items = walk(page_items("map", View(ask=on_connection(small_con), selections={"deck": picked})))
    listed = next(i for i in items if isinstance(i, Table) and i.key == "spot")
    assert listed.frame["project_name"].to_list() == [XSS_NAME] and listed.title.endswith("（1个）")
    forged = {"selection": {"objects": {maps.APPROX_LAYER: [{"lng": "1; DROP TABLE projects", "lat": None}]}}}
    items = walk(page_items("map", View(ask=on_connection(small_con), selections={"deck": forged})))
    assert not any(isinstance(i, Table) and i.key == "spot" for i in items)
