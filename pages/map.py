"""项目地图: district boundaries with their totals, project points by stage or chain."""

import streamlit as st

from ui import data, export, layout, maps, tables
from ui import filters as uf
from ui import format as fmt
from ui.colors import STAGE_COLORS, chain_colors
from warehouse import ledger, mapdata
from warehouse.geo import bounds, load_boundaries
from warehouse.reference import load_reference
from warehouse.settings import BOUNDARY_DIR, settings

PAGE, TITLE = "map", "项目地图"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
layout.header(TITLE, status, f"时间范围：{fmt.window(f.date_from, f.date_to)}")
uf.cross_filter_bar(PAGE)
fx = uf.with_cross_filter(f, PAGE)
export.page_pptx_button(PAGE, fx)

boundary = load_boundaries(str(BOUNDARY_DIR / load_reference().boundary_file))
color_by = st.radio("点的颜色", ["按阶段", "按产业链"], horizontal=True, key="map-color")
by = "stage" if color_by == "按阶段" else "chain"
points = data.call(mapdata.map_points, fx)
counts = data.call(mapdata.location_counts, fx)
totals = data.call(mapdata.district_totals, f)
colors = STAGE_COLORS if by == "stage" else chain_colors(uf.options().chains)

c1, c2, c3 = st.columns(3)
c1.metric("地图上的项目", fmt.count(counts["located"]), border=True)
c2.metric("其中近似位置", fmt.count(counts["approximate"]), border=True)
c3.metric("无坐标（未上图）", fmt.count(counts["missing"]), border=True)
if counts["located"] > points.height:
    st.caption(f"项目较多，地图只显示投资额最大的 {fmt.count(points.height)}。")

present = list(dict.fromkeys(points[by].to_list())) if points.height else []
st.markdown(maps.legend_html(colors, [k for k in colors if k in present]), unsafe_allow_html=True)
deck = maps.deck(boundary, totals, points, by, colors, bounds(boundary),
                 str(settings().get("map", "tile_url") or ""))
event = st.pydeck_chart(deck, height=620, on_select="rerun", selection_mode="single-object",
                        key=uf.chart_key(PAGE, "deck"))
st.caption("鼠标悬停查看项目或县区合计（功能区计入所在县区）；点击项目点查看详情，点击县区按该县区筛选下方清单。")

selected = (event or {}).get("selection", {}).get("objects", {}) if event else {}
project_id = None
for layer in (maps.POINT_LAYER, maps.APPROX_LAYER):
    if selected.get(layer):
        project_id = selected[layer][0].get("project_id")
if selected.get(maps.DISTRICT_LAYER):
    name = selected[maps.DISTRICT_LAYER][0].get("properties", {}).get("name")
    code = str(selected[maps.DISTRICT_LAYER][0].get("properties", {}).get("adcode", ""))
    members = tuple(totals.filter(totals["map_code"] == code)["district"].to_list()) or ((name,) if name else ())
    if members:
        uf.set_cross_filter(PAGE, "districts", members, f"县区 = {'、'.join(members)}")

if project_id:
    detail = data.call(ledger.project_detail, project_id)
    if detail:
        st.subheader("选中的项目")
        st.markdown(f"#### {fmt.yi(detail['total_investment_wan'])} · {detail['stage']}")
        st.text(detail["project_name"])
        a, b, c, d = st.columns(4)
        layout.fact(a, "县区", detail["district"])
        layout.fact(b, "产业链", detail["chain"] if detail["chain_known"] else f"未识别：{detail['chain']}")
        layout.fact(c, "签约时间", fmt.day(detail["sign_date"]))
        layout.fact(d, "投资方", detail["investor"])
        if detail["location_approximate"]:
            st.caption("该项目位置为近似位置（按园区或县区中心标注）。")

st.subheader("县区合计")
tables.show(totals, ["district", "kind", "projects", "investment_wan"])
