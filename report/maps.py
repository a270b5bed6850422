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
# pydeck reads a bare string as an accessor expression; quoted, it stays a plain value
LABEL_FONT = "'Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif'"
CHARACTERS = "'auto'"      # deck.gl's text atlas holds ASCII only unless told to collect the text's


class CompactDeck(pdk.Deck):
    """pydeck writes indented, ASCII-escaped JSON (Chinese costs 6 bytes a character); the
    same spec written compactly is several times smaller for 20,000 points."""

    def to_json(self):
        return json.dumps(self, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


def point_records(points: pl.DataFrame, color_by: str, colors: dict[str, str]) -> list[dict]:
    """The exactly located points for the scatter layer (approximate ones are spots)."""
    if points.height == 0:
        return []
    key = "stage" if color_by == "stage" else "chain"
    palette = {k: rgb(v, 210) for k, v in colors.items()}
    yi_col = pl.col("total_investment_wan").cast(pl.Float64) / 10_000
    return points.filter(~pl.col("approximate")).select(
        "project_id",
        pl.col("lng").round(6), pl.col("lat").round(6),
        (150 + 250 * yi_col.fill_null(0).clip(lower_bound=0).sqrt()).round(0).alias("radius"),
        pl.col(key).replace_strict(palette, default=rgb(UNKNOWN_COLOR, 210),
                                   return_dtype=pl.List(pl.Int64)).alias("color"),
        pl.col("project_name").alias("title"),
        pl.concat_str([pl.col("district"), pl.col("stage"), pl.col("chain")], separator=" · ").alias("line1"),
        pl.when(yi_col.is_null()).then(pl.lit("总投资 —"))
          .otherwise(pl.lit("总投资 ") + yi_col.round(2).cast(pl.Decimal(38, 2)).cast(pl.Utf8)
                     + pl.lit("亿元")).alias("line2"),
        pl.lit("").alias("line3"),
    ).to_dicts()


def spot_records(spots: pl.DataFrame) -> list[dict]:
    """One ring per approximate spot (warehouse.mapdata.approximate_spots), sized by how many
    projects share it and labelled with that count, so 225 projects at a county's centre read
    as "225个" rather than a grey blob."""
    records = []
    for r in spots.iter_rows(named=True):
        single = r["projects"] == 1
        records.append({
            "project_id": r["project_id"], "lng": float(r["lng"]), "lat": float(r["lat"]),
            "projects": r["projects"], "label": "" if single else str(r["projects"]),
            "radius": round(400 + 900 * math.sqrt(r["projects"])),
            "title": r["project_name"] if single else f"近似位置 {count(r['projects'])}",
            "line1": r["districts"] or "", "line2": f"总投资 {yi(r['investment_wan'])}",
            "line3": "位置为近似（按园区或县区中心）" + ("" if single else "，点击查看这些项目"),
        })
    return records


def district_labels(geo: dict) -> list[dict]:
    """Each district's name and totals at its centroid (districts_geojson's properties)."""
    labels = []
    for feature in geo["features"]:
        props = feature["properties"]
        at = props.get("centroid") or props.get("center")
        if at:
            labels.append({"position": [float(at[0]), float(at[1])], "name": str(props["title"]),
                           "totals": props["totals"], "text": f"{props['title']}\n{props['totals']}"})
    return labels


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
            "totals": f"{count(n)} · {yi(wan)}",            # the label written on the map
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


def deck(boundary: dict, totals: pl.DataFrame, points: pl.DataFrame, spots: pl.DataFrame, color_by: str,
         colors: dict[str, str], bbox, tile_url: str = "") -> pdk.Deck:
    geo = districts_geojson(boundary, totals)
    layers: list[pdk.Layer] = tile_layers(tile_url, bbox) if tile_url else []
    layers.append(pdk.Layer(
        "GeoJsonLayer", id=DISTRICT_LAYER, data=geo, pickable=True,
        stroked=True, filled=True, get_fill_color="properties.fill", get_line_color=[60, 60, 60, 220],
        line_width_min_pixels=1.5, auto_highlight=True, highlight_color=[255, 200, 0, 60],
    ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", id=POINT_LAYER, data=point_records(points, color_by, colors), pickable=True,
        get_position=["lng", "lat"], get_radius="radius", radius_min_pixels=3, radius_max_pixels=24,
        get_fill_color="color", stroked=True, get_line_color=[255, 255, 255, 230], line_width_min_pixels=1,
    ))
    spot = spot_records(spots)
    layers.append(pdk.Layer(
        "ScatterplotLayer", id=APPROX_LAYER, data=spot, pickable=True, get_position=["lng", "lat"],
        get_radius="radius", radius_min_pixels=8, radius_max_pixels=30, stroked=True,
        # a ring: a faint fill keeps the whole disc hoverable and clickable
        filled=True, get_fill_color=rgb(APPROXIMATE_COLOR, 60),
        get_line_color=rgb(APPROXIMATE_COLOR, 255), line_width_min_pixels=2.5,
    ))
    # text layers are not pickable, so a click goes through them to the point or district below
    layers.append(pdk.Layer(
        "TextLayer", id="spot-counts", data=[s for s in spot if s["label"]], get_position=["lng", "lat"],
        get_text="label", get_size=15, get_color=[40, 40, 40, 255], font_family=LABEL_FONT,
        font_weight=700, character_set=CHARACTERS,
    ))
    layers.append(pdk.Layer(
        "TextLayer", id="district-names", data=district_labels(geo), get_position="position",
        get_text="text", get_size=16, get_color=[31, 45, 61, 255], font_family=LABEL_FONT,
        character_set=CHARACTERS, background=True, get_background_color=[255, 255, 255, 200],
        background_padding=[6, 3], line_height=1.25, get_pixel_offset=[0, -34],
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
                 "</span>近似位置（灰圈，圈内数字为项目数）</span>")
    return "<div style='font-size:15px;line-height:1.8'>" + "".join(items) + "</div>"


def static_figure(boundary: dict, totals: pl.DataFrame, points: pl.DataFrame, spots: pl.DataFrame,
                  color_by: str, colors: dict[str, str], bbox) -> go.Figure:
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
    _spots_trace(fig, spots)
    for label in district_labels(geo):
        fig.add_annotation(x=label["position"][0], y=label["position"][1], showarrow=False, align="center",
                           bgcolor="rgba(255,255,255,0.78)", yshift=28,
                           text=f"<b>{esc(label['name'])}</b><br>{esc(label['totals'])}",
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
    """One trace per stage (or chain) for the legend, the exactly located points only."""
    if points.height == 0:
        return
    key = "stage" if color_by == "stage" else "chain"
    exact = points.filter(~pl.col("approximate"))
    present = set(exact[key].to_list())
    for name in [k for k in colors if k in present] + sorted(str(k) for k in present if k not in colors):
        part = exact.filter(pl.col(key) == name)
        fig.add_trace(go.Scatter(x=part["lng"].to_list(), y=part["lat"].to_list(), mode="markers", name=str(name),
                                 marker=dict(size=7, color=colors.get(name, UNKNOWN_COLOR),
                                             line=dict(color="white", width=0.6)), hoverinfo="skip"))


def _spots_trace(fig: go.Figure, spots: pl.DataFrame) -> None:
    """Approximate spots as grey rings sized by their project count, the count written inside."""
    if spots.height == 0:
        return
    n = spots["projects"].to_list()
    fig.add_trace(go.Scatter(
        x=spots["lng"].cast(pl.Float64).to_list(), y=spots["lat"].cast(pl.Float64).to_list(),
        mode="markers+text", name="近似位置（圈内为项目数）", hoverinfo="skip",
        text=[str(k) if k > 1 else "" for k in n], textposition="middle center",
        textfont=dict(size=14, color="#333333"),
        marker=dict(size=[min(14 + 4 * math.sqrt(k), 46) for k in n], color="rgba(127,127,127,0.18)",
                    line=dict(color=APPROXIMATE_COLOR, width=2))))
