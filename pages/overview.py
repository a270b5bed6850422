"""总览: the cockpit a leader reads in ten seconds."""

import polars as pl
import streamlit as st

from ui import charts, data, export, layout, tables
from ui import filters as uf
from ui import format as fmt
from warehouse import freshness, overview

PAGE, TITLE = "overview", "招商引资驾驶舱 · 总览"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
d1, d2 = data.call(overview.window_of, f)
layout.header(TITLE, status, f"时间范围：{fmt.window(d1, d2)}" + ("，同比为上年同期" if f.has_window else ""))
uf.cross_filter_bar(PAGE)
fx = uf.with_cross_filter(f, PAGE)
export.page_pptx_button(PAGE, fx)

head = data.call(overview.headline, fx)
for col, row in zip(st.columns(3), head.iter_rows(named=True)):
    col.metric(f"{row['event']}项目", fmt.count(row["projects"]), fmt.yoy(row["projects_yoy"]), border=True)
for col, row in zip(st.columns(3), head.iter_rows(named=True)):
    col.metric(f"{row['event']}投资额", fmt.yi(row["investment_wan"]), fmt.yoy(row["investment_yoy"]),
               border=True)

left, right = st.columns([1, 1])
with left:
    st.subheader("项目转化漏斗")
    funnel = data.call(overview.funnel, fx)
    export.show(charts.funnel(funnel), "项目转化漏斗", fx, key="overview-funnel")
with right:
    st.subheader("县区排名（签约投资额）")
    st.caption("点击柱条，按该县区筛选本页其余内容")
    ranking = data.call(overview.district_ranking, f)
    xf = uf.cross_filter(PAGE)
    highlight = tuple(xf["values"]) if xf and xf["field"] == "districts" else ()
    event = export.show(charts.district_ranking(ranking, highlight), "县区签约投资排名", f,
                        key=uf.chart_key(PAGE, "ranking"), select=True)
    picked = uf.selected_value(event)
    if picked:
        uf.set_cross_filter(PAGE, "districts", (picked,), f"县区 = {picked}")

rates = funnel.filter(pl.col("rate_name").is_not_null())
for col, row in zip(st.columns(4), rates.iter_rows(named=True)):
    col.metric(row["rate_name"], fmt.pct(row["rate"]), border=True,
               help="签约在时间范围内的项目中：履约率、开工率 = 达到该阶段 ÷ 签约数；"
                    "投产率 = 投产 ÷ 开工；达效率 = 达效 ÷ 投产。终止项目计入分母。")

st.subheader("月度趋势")
export.show(charts.monthly_trend(data.call(overview.monthly_trend, fx)), "月度签约、开工、投产项目数", fx,
            key="overview-trend")

left, right = st.columns([3, 2])
with left:
    st.subheader("投资额最大的十个项目")
    top = data.call(overview.top_projects, fx, 10)
    tables.show(top.with_row_index("rank", offset=1),
                ["rank", "project_name", "total_investment_wan", "district", "chain", "stage", "investor"])
with right:
    st.subheader("数据新鲜度")
    fresh = data.call(freshness.district_freshness)
    late = fresh.filter(pl.col("late"))
    if late.height:
        names = "、".join(
            f"{r['district']}（{'未报送' if r['latest_as_of'] is None else '最新 ' + fmt.day(r['latest_as_of'])}）"
            for r in late.iter_rows(named=True))
        st.warning(f"逾期未报：{fmt.text(names)}", icon=":material/schedule:")
    else:
        st.success("各县区台账均已按时报送", icon=":material/check_circle:")
    shown = fresh.with_columns(
        pl.when(pl.col("latest_as_of").is_null()).then(pl.lit("未报送"))
        .when(pl.col("late")).then(pl.lit("逾期")).otherwise(pl.lit("正常")).alias("status"))
    tables.show(shown, ["district", "latest_as_of", "days_behind", "projects", "status"])
