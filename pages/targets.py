"""目标进度: every district against its annual targets (时间过半、任务过半) — one sentence for the
leader, the district × indicator matrix with lights, each indicator's ranking against the
time-progress line, and each district's month-by-month trajectory."""

import polars as pl
import streamlit as st

from ui import data, export, layout
from ui import filters as uf
from ui import format as fmt
from ui import target_charts as tc
from warehouse import targets

TITLE = "目标进度"
START_TEXT = """
数据仓库中还没有目标任务数据。

**导入**（与项目台账相同的方式，系统按内容自动识别）：

1. 年度目标任务分解表（县区 × 指标，如“签约项目数”“实际利用外资”）；
2. 每月的指标完成情况表（各县区 1—N 月累计完成数）。

在“数据管理”页上传，或在服务器上运行 `python -m etl load 文件或文件夹`。
签约项目数、签约项目投资额的完成数由项目台账自动统计。

**先看演示**：运行 `make demo`（或 `python -m etl demo`），演示数据含 2024、2025 年的目标和月报。
"""

status = data.call(targets.status)
if status["empty"]:
    layout.header(TITLE)
    st.info("尚无数据：请先导入目标任务分解表和指标完成情况表", icon=":material/upload_file:")
    st.markdown(START_TEXT)
    st.stop()

f = uf.sidebar_filters()
layout.header(TITLE)
left, right, note = st.columns([1, 1, 3], vertical_alignment="bottom")
years = status["years"]
sidebar_year = f.date_from.year if f.date_from is not None and f.date_from.year in years else None
year = left.selectbox("年度", years, format_func=lambda y: f"{y}年", key="tg-year",
                      index=years.index(sidebar_year) if sidebar_year else 0)
# every date of the year in one query (the view is costly); the rest is derived from this frame
year_rows = data.call(targets.indicator_progress, year)
dates = targets.report_dates_of(year_rows)
if not dates:
    st.info(f"{year}年已有目标，但还没有完成情况（指标月报或项目台账）。", icon=":material/upload_file:")
    st.stop()
as_of = right.selectbox("截至", dates, format_func=tc.month_label, key="tg-as-of")
time_progress = as_of.month / 12
yellow, red = targets.thresholds()
note.caption(f"{tc.month_label(as_of)}，序时进度 {fmt.pct(time_progress)}（月数÷12）"
             + ("；本页只按县区筛选" if f.districts else ""))
export.page_pptx_button("targets", f, as_of=as_of)
# what a downloaded picture says about itself: whose numbers, which month
scope = f"县区：{'、'.join(f.districts)}" if f.districts else "范围：全市"
caption = f"{scope}；{tc.month_label(as_of)}，序时进度 {fmt.pct(time_progress)}"

st.info(targets.leader_sentence_of(year_rows, year, as_of), icon=":material/campaign:")

progress = year_rows.filter(pl.col("as_of") == as_of)
indicators = targets.indicators_of(progress)
names = indicators["indicator"].to_list()
units = dict(zip(names, indicators["unit"].to_list()))

# --- 全市 -----------------------------------------------------------------------------------
city = targets.city_totals_of(year_rows, as_of)
if city.height:
    st.subheader("全市完成情况")
    st.caption("大字为完成率，箭头为较序时进度（百分点）；悬停“?”看完成数和目标。")
    for col, r in zip(st.columns(len(city)), city.iter_rows(named=True)):
        col.metric(r["indicator"], fmt.pct(r["completion"]),
                   None if r["gap_points"] is None else tc.points(r["gap_points"]), border=True,
                   help=f"{tc.LIGHT_NAMES[r['light']]}：完成 {tc.amount(r['actual'], r['unit'])}，"
                        f"目标 {tc.amount(r['target'], r['unit'])}"
                        + ("（全市数按报表所填）" if r["from_city_row"] else "（各县区合计）"))

# --- matrix -----------------------------------------------------------------------------------
districts_df = progress.filter(~pl.col("is_city")).unique("district", maintain_order=True)
shown = [d for d in districts_df.sort("district_order")["district"].to_list()
         if not f.districts or d in f.districts]
st.subheader("县区 × 指标完成情况")
st.caption(f":green[●] 达到序时进度或落后不足{tc.number(yellow)}个百分点　:orange[●] 落后{tc.number(yellow)}–"
           f"{tc.number(red)}个百分点　:red[●] 落后超过{tc.number(red)}个百分点　○ 无完成数"
           "（阈值见系统设置 progress）　* 台账未更新到所选月份，按最近一期台账统计")
matrix_rows = progress.filter(~pl.col("is_city") & pl.col("target").is_not_null())
if shown and names:
    export.show(tc.matrix(matrix_rows, shown, names), "各县区目标任务完成情况", caption, key="targets-matrix",
                as_of=as_of)
else:
    st.caption("所选县区没有目标数据。")

# --- per indicator -----------------------------------------------------------------------------


def ranking_table(part: pl.DataFrame, unit: str) -> pl.DataFrame:
    rows = []
    for r in part.sort("rank", nulls_last=True).iter_rows(named=True):
        note = ""
        if r["disagreement"]:
            note = f"不一致：台账{tc.amount(r['actual_ledger'], unit)}，县区报送{tc.amount(r['actual_reported'], unit)}"
        elif tc.stale_ledger(r):
            note = f"台账截至{fmt.day(r['ledger_as_of'])}"
        elif r["actual_source"] == "报送" and r["source"] == "ledger":
            note = "县区报送（台账未更新到本月）" if r["actual_ledger"] is not None else "县区报送"
        rows.append({
            "排名": "—" if r["rank"] is None else str(r["rank"]), "县区": r["district"],
            "目标": tc.amount(r["target"], unit), "完成": tc.amount(r["actual"], unit),
            "完成率": fmt.pct(r["completion"]), "较序时进度": tc.points(r["gap_points"]),
            "预警": f"{tc.LIGHT_ICONS[r['light']]} {tc.LIGHT_NAMES[r['light']]}",
            "同比": fmt.pct(r["yoy"], signed=True), "说明": note,
        })
    return pl.DataFrame(rows, schema={c: pl.String for c in
                                      ("排名", "县区", "目标", "完成", "完成率", "较序时进度", "预警", "同比", "说明")})


st.subheader("分指标排名与进度")
tabs = st.tabs(names) if names else []
for tab, ind in zip(tabs, names):
    with tab:
        unit = units[ind]
        part = progress.filter((pl.col("indicator") == ind) & ~pl.col("is_city") & pl.col("target").is_not_null())
        if f.districts:
            part = part.filter(pl.col("district").is_in(list(f.districts)))
        a, b = st.columns([2, 3])
        with a:
            if part.height:
                export.show(tc.progress_bars(part, time_progress, unit), f"{ind}（{unit}）：各县区完成率", caption,
                            key=f"targets-bars-{ind}", as_of=as_of)
        with b:
            st.dataframe(ranking_table(part, unit), hide_index=True, width="stretch")
            disagree = part.filter(pl.col("disagreement"))
            if disagree.height:
                st.warning("台账与县区报送不一致：" + "；".join(
                    f"{r['district']}台账{tc.amount(r['actual_ledger'], unit)}、报送{tc.amount(r['actual_reported'], unit)}"
                    for r in disagree.iter_rows(named=True)), icon=":material/warning:")
        st.markdown(f"**{ind}：各县区逐月完成率与序时进度线**")
        path = targets.trajectory_of(year_rows, ind).filter((pl.col("as_of") <= as_of)
                                                            & pl.col("completion").is_not_null())
        if f.districts:
            path = path.filter(pl.col("district").is_in([*f.districts, "全市"]))
        focus_options = ["（全部）", *[d for d in shown if d in path["district"].to_list()]]
        focus = st.selectbox("突出显示", focus_options, key=f"tg-focus-{ind}")
        export.show(tc.trajectory(path, None if focus == "（全部）" else focus), f"{ind}：各县区逐月完成率与序时进度",
                    caption, key=f"targets-path-{ind}", as_of=as_of)

with st.expander("口径说明"):
    st.markdown(
        f"""
- **完成率** = 完成数 ÷ 年度目标；**序时进度** = 截至月份 ÷ 12（{tc.month_label(as_of)}为 {fmt.pct(time_progress)}）；
  **较序时进度** = （完成率 − 序时进度）× 100，单位为百分点。
- **预警**：落后序时进度不足 {tc.number(yellow)} 个百分点（或超前）为绿灯，落后 {tc.number(yellow)}–{tc.number(red)}
  个百分点为黄灯，落后超过 {tc.number(red)} 个百分点为红灯。
- **签约项目数、签约项目投资额**由项目台账统计：签约日期在当年 1 月 1 日至截至日期之间的项目，
  以截至日期前最新一期台账为准；县区同时报送的，两者都显示，同月台账与报送不同时标出“不一致”。
  台账未更新到本月而县区有报送的，以报送数为准。
- 其他指标为县区报送的 1—N 月累计数；**同比**与上年同月比较。
- 排名只在有目标且有完成数的县区之间进行；全市数取报表中的全市行，没有时为各县区合计。
"""
    )
