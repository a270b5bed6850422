"""三个一批: per period, the 签约/开工/投产 batches, size bands, breakdowns and conversion."""

import polars as pl
import streamlit as st

from ui import charts, data, export, layout, tables
from ui import filters as uf
from ui import format as fmt
from ui.colors import chain_colors, cluster_colors
from warehouse import batches

PAGE, TITLE = "batches", "“三个一批”"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
layout.header(TITLE, status, "按期次统计（时间范围不适用，期数筛选适用）")
export.page_pptx_button(PAGE, f)
uf.cross_filter_bar(PAGE)

xf = uf.cross_filter(PAGE)
picked_period = xf["values"][0] if xf and xf["field"] == "periods" else None
by = st.radio("分组（页面下方）", ["产业链", "县区", "产业集群"], horizontal=True, key="batches-by")
dim = {"产业链": "chain", "县区": "district", "产业集群": "cluster"}[by]
report = data.call(batches.batch_report, f, picked_period, dim)
summary, current = report["summary"], report["period"]
if summary.height == 0:
    st.info("当前筛选条件下没有“三个一批”项目（台账中未填写期数和批次）。")
    st.stop()

st.subheader(f"{fmt.period(current)}")
this = summary.filter(pl.col("period") == current)


def _change(now, before, unit_format) -> str | None:
    """'+5个 较上期' (the sign leads: st.metric colours by it); None for the first period."""
    if before is None:
        return None
    diff = now - before
    return ("+" if diff > 0 else "") + unit_format(diff) + " 较上期" if diff else "与上期持平"


def _metric(col, label: str, value: str, change: str | None) -> None:
    still = change == "与上期持平"
    col.metric(label, value, change, border=True, delta_arrow="off" if still else "auto",
               delta_color="off" if still else "normal")


for col, row in zip(st.columns(3), this.iter_rows(named=True)):
    _metric(col, row["batch"], fmt.count(row["projects"]),
            _change(row["projects"], row["prev_projects"], fmt.count))
for col, row in zip(st.columns(3), this.iter_rows(named=True)):
    _metric(col, f"{row['batch']}总投资", fmt.yi(row["investment_wan"]),
            _change(row["investment_wan"], row["prev_investment_wan"], fmt.yi))

st.subheader("期与期对比")
st.caption("点击柱条查看该期")
measure = st.radio("指标", ["项目数", "总投资"], horizontal=True, key="batches-measure")
event = export.show(charts.period_bars(summary, "projects" if measure == "项目数" else "investment_wan", current),
                    f"“三个一批”各期{measure}", f, key=uf.chart_key(PAGE, "periods"), select=True)
picked = uf.selected_value(event)
if picked is not None and int(picked) != current:
    uf.set_cross_filter(PAGE, "periods", (int(picked),), f"期数 = {fmt.period(picked)}")

left, right = st.columns(2)
with left:
    st.subheader("规模分布（累计口径）")
    bands = report["bands"]
    if bands.height:
        wide = bands.pivot(on="band", index="batch", values="projects", aggregate_function="sum")
        st.dataframe(wide.rename({"batch": "批次"}), hide_index=True, width="stretch")
    else:
        st.info("本期没有项目。")
with right:
    st.subheader("批次转化")
    conversion = report["conversion"]
    tables.show(conversion.with_columns(pl.col("period").map_elements(fmt.period, return_dtype=pl.Utf8)),
                ["period", "conversion", "projects", "converted", "rate", "reached_now", "reached_rate"])
    st.caption("转化率 = 本期批次中在后续期进入下一批次的项目 ÷ 本期批次项目；"
               "现达到比例 = 目前已开工（或已投产）的项目 ÷ 本期批次项目。")

st.subheader(f"{fmt.period(current)}：按{by}")
breakdown = report["breakdown"]
opts = uf.options()
palette = chain_colors(opts.chains) if dim == "chain" else cluster_colors(opts.clusters) if dim == "cluster" else None
for col, batch in zip(st.columns(3), batches.BATCHES):
    with col:
        st.markdown(f"**{batch}**")
        part = breakdown.filter(pl.col("batch") == batch)
        if part.height:
            export.show(charts.breakdown_bars(part, dim, palette), f"{fmt.period(current)}{batch}：按{by}", f,
                        key=f"batches-{dim}-{batch}")
        else:
            st.caption("本期无此批次项目")
