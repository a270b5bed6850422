"""预警督办: stalled projects per district and responsible unit, exportable to Excel."""

import polars as pl
import streamlit as st

from ui import charts, data, export, layout, tables
from ui import filters as uf
from ui import format as fmt
from warehouse import stalls

PAGE, TITLE = "alerts", "预警督办"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
n, m = stalls.stall_months()
layout.header(TITLE, status, f"签约超过 {n} 个月未开工、开工超过 {m} 个月未投产（以最新台账日期计；时间范围不适用）")
uf.cross_filter_bar(PAGE)
fx = uf.with_cross_filter(f, PAGE)
export.page_pptx_button(PAGE, fx)

LIST_LIMIT = 2_000
counts = data.call(stalls.stalled_counts, fx)
c1, c2, c3 = st.columns(3)
c1.metric("预警项目", fmt.count(counts["total"]), border=True)
c2.metric(f"签约超{n}个月未开工", fmt.count(counts[stalls.SIGNED_NOT_STARTED]), border=True)
c3.metric(f"开工超{m}个月未投产", fmt.count(counts[stalls.STARTED_NOT_PRODUCING]), border=True)

by_district = data.call(stalls.stalled_summary, f, "district")
by_unit = data.call(stalls.stalled_summary, fx, "responsible_unit")
left, right = st.columns(2)
with left:
    st.subheader("按县区")
    st.caption("点击柱条，按该县区筛选下方清单")
    xf = uf.cross_filter(PAGE)
    highlight = tuple(xf["values"]) if xf and xf["field"] == "districts" else ()
    if by_district.height:
        event = export.show(charts.stalled_bars(by_district, "district", highlight),
                            f"预警项目：按县区（签约超{n}个月未开工、开工超{m}个月未投产）", f,
                            key=uf.chart_key(PAGE, "districts"), select=True)
        picked = uf.selected_value(event)
        if picked:
            uf.set_cross_filter(PAGE, "districts", (picked,), f"县区 = {picked}")
    else:
        st.success("没有预警项目。", icon=":material/check_circle:")
with right:
    st.subheader("按责任单位")
    tables.show(by_unit, ["responsible_unit", "signed_not_started", "started_not_producing", "stalled",
                          "investment_wan"], height=360)


export.excel_button(
    "导出督办清单（Excel）",
    lambda: [("预警项目", data.call(stalls.stalled_projects, fx)),
             ("按县区", data.call(stalls.stalled_summary, fx, "district")),
             ("按责任单位", by_unit)],
    f"预警督办清单（签约超{n}个月未开工、开工超{m}个月未投产）", fx, key="alerts-export", name="预警督办清单")
stalled = data.call(stalls.stalled_projects, fx, None, None, LIST_LIMIT)
for kind, title in ((stalls.SIGNED_NOT_STARTED, f"签约超过 {n} 个月未开工"),
                    (stalls.STARTED_NOT_PRODUCING, f"开工超过 {m} 个月未投产")):
    part = stalled.filter(pl.col("kind") == kind)
    st.subheader(f"{title}（{fmt.count(counts[kind])}）")
    if counts[kind] > part.height:
        st.caption(f"按持续时间显示前 {fmt.count(part.height)}；导出包含全部。")
    if part.height:
        tables.show(part, ["project_name", "district", "responsible_unit", "leader", "stage", "sign_date",
                           "start_date", "months", "total_investment_wan", "investor"])
    else:
        st.caption("无")
