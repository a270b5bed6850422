"""产业链: cluster → chain, key-chain share, chain × district, gaps (补链), unknown chains."""

import polars as pl
import streamlit as st

from ui import charts, data, export, layout, tables
from ui import filters as uf
from ui import format as fmt
from ui.colors import cluster_colors
from warehouse import chains

PAGE, TITLE = "chains", "产业链分析"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
layout.header(TITLE, status, f"时间范围：{fmt.window(f.date_from, f.date_to)}")
uf.cross_filter_bar(PAGE)
fx = uf.with_cross_filter(f, PAGE)
export.page_pptx_button(PAGE, fx)
colors = cluster_colors(uf.options().clusters)

share = data.call(chains.key_chain_share, fx)
c1, c2, c3, c4 = st.columns(4)
c1.metric("项目总数", fmt.count(share["all_projects"]), border=True)
c2.metric("总投资", fmt.yi(share["all_investment_wan"]), border=True)
c3.metric("重点产业链项目", fmt.count(share["key_projects"]),
          f"占 {fmt.pct(share['share_projects'])}", delta_color="off", delta_arrow="off", border=True)
c4.metric("重点产业链投资", fmt.yi(share["key_investment_wan"]),
          f"占 {fmt.pct(share['share_investment'])}", delta_color="off", delta_arrow="off", border=True)

summary = data.call(chains.chain_summary, f)
left, right = st.columns([2, 3])
with left:
    st.subheader("产业集群 → 产业链")
    measure = st.radio("面积表示", ["投资额", "项目数"], horizontal=True, key="chains-measure")
    export.show(charts.treemap(summary, colors, "investment_wan" if measure == "投资额" else "projects"),
                f"产业集群与产业链（{measure}）", f, key="chains-treemap")
with right:
    st.subheader("各产业链项目数与投资额")
    st.caption("点击柱条，按该产业链筛选本页其余内容")
    xf = uf.cross_filter(PAGE)
    highlight = tuple(xf["values"]) if xf and xf["field"] == "chains" else ()
    event = export.show(charts.chain_bars(summary.filter(pl.col("projects") > 0), colors, highlight),
                        "各产业链项目数与投资额", f, key=uf.chart_key(PAGE, "bars"), select=True)
    picked = uf.selected_value(event)
    if picked:
        uf.set_cross_filter(PAGE, "chains", (picked,), f"产业链 = {picked}")

st.subheader("产业链 × 县区（项目数）")
matrix = data.call(chains.chain_district_matrix, fx)
if matrix.height:
    pivot = matrix.pivot(on="district", index="chain", values="projects", aggregate_function="sum")
    export.show(charts.heatmap(pivot, "chain"), "产业链 × 县区（项目数）", fx, key="chains-matrix")
else:
    st.info("当前筛选条件下没有项目。")

left, right = st.columns(2)
with left:
    st.subheader("补链：项目偏少的产业链")
    fewer = st.slider("项目数少于", 1, 10, 3, key="chains-gap-threshold")
    gaps = data.call(chains.chain_gaps, fx, fewer)
    tables.show(gaps, ["cluster", "chain", "is_key", "projects", "investment_wan"])
with right:
    st.subheader("未识别的产业链")
    unknown = data.call(chains.unknown_chains, fx)
    if unknown.height:
        st.caption("台账所填产业链不在产业链目录中：已计入“未识别产业链”，请核对台账或在 data/reference/chains.csv 中补充别名。")
        tables.show(unknown, ["written_chain", "projects", "investment_wan", "districts"])
    else:
        st.success("所有项目的产业链均已识别。", icon=":material/check_circle:")

with st.expander("各产业链明细表"):
    tables.show(summary, ["cluster", "chain", "is_key", "projects", "investment_wan",
                          "share_projects", "share_investment"])
