"""The project map: district boundaries (shipped GeoJSON) and project points, no tile server.

Tooltip values are plain text: Streamlit html-escapes every value it puts into an html
tooltip, so a project name with markup shows as text. An optional tile server (settings
map.tile_url, an intranet XYZ template) is drawn as bitmap tiles under the boundaries.
"""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal

import plotly.graph_objects as go
import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from report.colors import APPROXIMATE_COLOR, UNKNOWN_COLOR, rgb
from report.format import count, yi

TOOLTIP = {
    "html": "<b style='font-size:16px'>{title}</b><br/>{line1}<br/>{line2}<br/><i>{line3}</i>",
    "style": {"backgroundColor": "white", "color": "#222", "fontSize": "14px",
              "fontFamily": "Noto Sans CJK SC, sans-serif", "border": "1px solid #999"},
}
POINT_LAYER, APPROX_LAYER, DISTRICT_LAYER = "projects", "approximate", "districts"


class CompactDeck(pdk.Deck):
    """pydeck writes indented, ASCII-escaped JSON (Chinese costs 6 bytes a character); the
    same spec written compactly is several times smaller for 20,000 points."""

    def to_json(self):
        return json.dumps(self, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


def point_records(points: pl.DataFrame, color_by: str, colors: dict[str, str]) -> tuple[list, list]:
    """(exact, approximate) point dicts for the two scatter layers."""
    if points.height == 0:
        return [], []
    key = "stage" if color_by == "stage" else "chain"
    palette = {k: rgb(v, 210) for k, v in colors.items()}
    yi_col = pl.col("total_investment_wan").cast(pl.Float64) / 10_000
    df = points.select(
        "project_id", "approximate",
        pl.col("lng").round(6), pl.col("lat").round(6),
        (150 + 250 * yi_col.fill_null(0).clip(lower_bound=0).sqrt()).round(0).alias("radius"),
        pl.col(key).replace_strict(palette, default=rgb(UNKNOWN_COLOR, 210),
                                   return_dtype=pl.List(pl.Int64)).alias("color"),
        pl.col("project_name").alias("title"),
        pl.concat_str([pl.col("district"), pl.col("stage"), pl.col("chain")], separator=" · ").alias("line1"),
        pl.when(yi_col.is_null()).then(pl.lit("总投资 —"))
          .otherwise(pl.lit("总投资 ") + yi_col.round(2).cast(pl.Decimal(38, 2)).cast(pl.Utf8)
                     + pl.lit("亿元")).alias("line2"),
        pl.when(pl.col("approximate")).then(pl.lit("位置为近似（按园区或县区中心）")).otherwise(pl.lit(""))
          .alias("line3"),
    )
    exact = df.filter(~pl.col("approximate")).drop("approximate").to_dicts()
    approx = df.filter(pl.col("approximate")).drop("approximate").to_dicts()
    return exact, approx


def districts_geojson(boundary: dict, totals: pl.DataFrame) -> dict:
    """The boundary polygons with each one's totals (its functional zones included)."""
    geo = copy.deepcopy(boundary)
    by_code: dict[str, list[dict]] = {}
    for row in totals.iter_rows(named=True):
        if row["map_code"]:
            by_code.setdefault(str(row["map_code"]), []).append(row)
    biggest = max([sum(float(r["investment_wan"]) for r in rows) for rows in by_code.values()] or [0.0])
    for feature in geo["features"]:
        props = feature["properties"]
        rows = by_code.get(str(props.get("adcode")), [])
        n = sum(r["projects"] for r in rows)
        wan = sum((r["investment_wan"] for r in rows), Decimal(0))
        zones = [r for r in rows if r["kind"] == "功能区" and r["projects"]]
        share = float(wan) / biggest if biggest else 0.0
        props.update({
            "title": props.get("name", ""), "line1": f"项目 {count(n)}", "line2": f"总投资 {yi(wan)}",
            "line3": ("含 " + "、".join(f"{z['district']} {count(z['projects'])}" for z in zones)) if zones else "",
            "fill": [47, 111, 214, int(25 + 110 * share)],
        })
    return geo


def tile_layers(tile_url: str, bbox: tuple[float, float, float, float], zoom: int = 11) -> list[pdk.Layer]:
    """Bitmap tiles of an XYZ server covering the city at one zoom level (the JSON deck.gl in
    Streamlit cannot take the TileLayer's image callback, so the tiles are listed here)."""
    west, south, east, north = bbox

    def tile_x(lng: float) -> int:
        return int((lng + 180.0) / 360.0 * 2 ** zoom)

    def tile_y(lat: float) -> int:
        r = math.radians(lat)
        return int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * 2 ** zoom)

    def lng_of(x: int) -> float:
        return x / 2 ** zoom * 360.0 - 180.0

    def lat_of(y: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** zoom))))

    layers = []
    for x in range(tile_x(west), tile_x(east) + 1):
        for y in range(tile_y(north), tile_y(south) + 1):
            url = tile_url.replace("{z}", str(zoom)).replace("{x}", str(x)).replace("{y}", str(y))
            layers.append(pdk.Layer("BitmapLayer", id=f"tile-{zoom}-{x}-{y}", image=url,
                                    bounds=[lng_of(x), lat_of(y + 1), lng_of(x + 1), lat_of(y)]))
    return layers


def view_for(bbox: tuple[float, float, float, float], width: int = 1000, height: int = 560) -> pdk.ViewState:
    """A view that shows the whole box in a map of about width × height pixels."""
    west, south, east, north = bbox
    lat = (south + north) / 2
    # deck.gl draws the world 512 pixels wide at zoom 0
    zoom_w = math.log2(width * 360.0 / (512 * max(east - west, 1e-3)))
    zoom_h = math.log2(height * 360.0 * math.cos(math.radians(lat)) / (512 * max(north - south, 1e-3)))
    return pdk.ViewState(longitude=(west + east) / 2, latitude=lat,
                         zoom=round(min(zoom_w, zoom_h) - 0.1, 2), pitch=0)


def deck(boundary: dict, totals: pl.DataFrame, points: pl.DataFrame, color_by: str,
         colors: dict[str, str], bbox, tile_url: str = "") -> pdk.Deck:
    exact, approx = point_records(points, color_by, colors)
    layers: list[pdk.Layer] = []
    if tile_url:
        layers += tile_layers(tile_url, bbox)
    layers.append(pdk.Layer(
        "GeoJsonLayer", id=DISTRICT_LAYER, data=districts_geojson(boundary, totals), pickable=True,
        stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[60, 60, 60, 220],
        line_width_min_pixels=1.5, auto_highlight=True, highlight_color=[255, 200, 0, 60],
    ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", id=POINT_LAYER, data=exact, pickable=True, get_position=["lng", "lat"],
        get_radius="radius", radius_min_pixels=3, radius_max_pixels=24, get_fill_color="color",
        stroked=True, get_line_color=[255, 255, 255, 230], line_width_min_pixels=1,
    ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", id=APPROX_LAYER, data=approx, pickable=True, get_position=["lng", "lat"],
        get_radius="radius", radius_min_pixels=5, radius_max_pixels=24, stroked=True,
        # a ring: a faint fill keeps the whole disc hoverable and clickable
        filled=True, get_fill_color=rgb(APPROXIMATE_COLOR, 25),
        get_line_color=rgb(APPROXIMATE_COLOR, 255), line_width_min_pixels=2.5,
    ))
    return CompactDeck(layers=layers, initial_view_state=view_for(bbox), map_provider=None,
                       tooltip=TOOLTIP)


def legend_html(colors: dict[str, str], present: list[str]) -> str:
    """A small legend (labels are reference data, escaped anyway)."""
    import html
    items = [f"<span style='display:inline-block;margin-right:14px'><span style='display:inline-block;"
             f"width:12px;height:12px;border-radius:6px;background:{colors.get(k, UNKNOWN_COLOR)};"
             f"margin-right:4px'></span>{html.escape(str(k))}</span>" for k in present]
    items.append("<span style='display:inline-block'><span style='display:inline-block;width:12px;"
                 f"height:12px;border-radius:6px;border:2px solid {APPROXIMATE_COLOR};margin-right:4px'>"
                 "</span>近似位置（空心灰圈）</span>")
    return "<div style='font-size:15px;line-height:1.8'>" + "".join(items) + "</div>"



def static_figure(boundary: dict, totals: pl.DataFrame, points: pl.DataFrame, color_by: str,
                  colors: dict[str, str], bbox) -> go.Figure:
    """The same map as a picture (PNG/SVG, the deck): the district polygons shaded by investment
    with each one's name and totals written in it, and the project points by stage or chain —
    drawn as plain shapes on longitude/latitude axes, so it needs no tile or map server."""
    from report.figures import FONT, esc

    geo = districts_geojson(boundary, totals)
    fig = go.Figure()
    for feature in geo["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        xs, ys = [], []
        for polygon in polygons:
            for ring in polygon[:1]:            # the outer ring (holes are small: a map for a slide)
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
        r, g, b, a = props["fill"]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", line=dict(color="#3C3C3C", width=1.5),
                                 fillcolor=f"rgba({r},{g},{b},{a / 255:.2f})", hoverinfo="skip", showlegend=False))
    _points_traces(fig, points, color_by, colors)
    for feature in geo["features"]:
        props = feature["properties"]
        x, y = props.get("centroid") or props.get("center") or (None, None)
        if x is None:
            continue
        fig.add_annotation(x=x, y=y, showarrow=False, align="center", bgcolor="rgba(255,255,255,0.78)",
                           text=f"<b>{esc(props['title'])}</b><br>{esc(props['line1'])}　{esc(props['line2'])}",
                           font=dict(family=FONT, size=15, color="#1F2D3D"))
    west, south, east, north = bbox
    fig.update_xaxes(visible=False, range=[west - 0.02, east + 0.02])
    fig.update_yaxes(visible=False, range=[south - 0.02, north + 0.02], scaleanchor="x",
                     scaleratio=1 / max(math.cos(math.radians((south + north) / 2)), 0.1))
    fig.update_layout(height=640, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", paper_bgcolor="white",
                      font=dict(family=FONT, size=14), legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      dragmode=False)
    return fig


def _points_traces(fig: go.Figure, points: pl.DataFrame, color_by: str, colors: dict[str, str]) -> None:
    """One trace per stage (or chain) for the legend; approximate locations as grey rings."""
    if points.height == 0:
        return
    key = "stage" if color_by == "stage" else "chain"
    exact = points.filter(~pl.col("approximate"))
    for name in dict.fromkeys(exact[key].to_list()):
        part = exact.filter(pl.col(key) == name)
        fig.add_trace(go.Scatter(x=part["lng"].to_list(), y=part["lat"].to_list(), mode="markers", name=str(name),
                                 marker=dict(size=7, color=colors.get(name, UNKNOWN_COLOR),
                                             line=dict(color="white", width=0.6)), hoverinfo="skip"))
    approx = points.filter(pl.col("approximate"))
    if approx.height:
        fig.add_trace(go.Scatter(x=approx["lng"].to_list(), y=approx["lat"].to_list(), mode="markers",
                                 name="近似位置", hoverinfo="skip",
                                 marker=dict(size=11, color="rgba(0,0,0,0)",
                                             line=dict(color=APPROXIMATE_COLOR, width=1.5))))
