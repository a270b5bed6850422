"""项目台账: search, every filter, a sortable list, a project's history, export to Excel."""

import streamlit as st

from ui import charts, data, export, layout, tables
from ui import filters as uf
from ui import format as fmt
from warehouse import ledger
from warehouse.export import header

PAGE, TITLE = "ledger", "项目台账"

layout.through_app()

status = data.require_data(TITLE)
f = uf.sidebar_filters()
layout.header(TITLE, status, f"时间范围：{fmt.window(f.date_from, f.date_to)}")
export.page_pptx_button(PAGE, f)

left, mid, right = st.columns([3, 2, 1], vertical_alignment="bottom")
search = left.text_input("搜索项目名称或投资方", key="ledger-search", max_chars=100, placeholder="输入关键字")
sort_labels = {"total_investment_wan": "总投资", "sign_date": "签约时间", "start_date": "开工时间",
               "production_date": "投产时间", "project_name": "项目名称", "district": "县区",
               "as_of": "台账日期"}
sort_by = mid.selectbox("排序", list(sort_labels), format_func=sort_labels.get, key="ledger-sort")
descending = right.toggle("降序", value=True, key="ledger-desc")

total = data.call(ledger.project_count, f, search)
rows = data.call(ledger.project_list, f, search, sort_by, descending)
a, b = st.columns(2)
a.metric("符合条件的项目", fmt.count(total["projects"]), border=True)
b.metric("总投资", fmt.yi(total["investment_wan"]), border=True)
if total["projects"] > rows.height:
    st.caption(f"表格显示前 {fmt.count(rows.height)}（按所选排序）；导出包含全部 {fmt.count(total['projects'])}。")


export.excel_button(
    "导出 Excel",
    lambda: [("项目台账", data.call(ledger.project_list, f, search, sort_by, descending, ledger.EXCEL_MAX_ROWS))],
    "项目台账" + (f"（搜索：{search.strip()}）" if search.strip() else ""), f, key="ledger-export", name="项目台账")

columns = ["project_name", "district", "cluster", "chain", "stage", "total_investment_wan", "investor",
           "sign_date", "start_date", "production_date", "period", "batch", "responsible_unit", "as_of",
           "project_id"]
picked = tables.show(rows, columns, height=460, on_select="rerun", selection_mode="single-row",
                     key="ledger-table")
st.caption("点击表头排序；选中一行查看项目详情与历次台账进度。")

chosen = [i for i in (picked.selection.rows if picked else []) if i < rows.height]
if chosen:
    project_id = rows["project_id"][chosen[0]]
    detail = data.call(ledger.project_detail, project_id)
    history = data.call(ledger.project_history, project_id)
    st.divider()
    st.subheader("项目详情")
    st.text(detail["project_name"])
    a, b, c, d = st.columns(4)
    a.metric("总投资", fmt.yi(detail["total_investment_wan"]))
    b.metric("当前阶段", detail["stage"])
    layout.fact(c, "县区", detail["district"])
    d.metric("首次入库", fmt.day(detail["first_seen"]))
    st.markdown("**历次台账中的进度**")
    export.show(charts.stage_history(history), f"项目进度：{detail['project_name']}", None, key="ledger-history-chart")
    tables.show(history, ["as_of", "stage", "total_investment_wan", "period", "batch", "source_file",
                          "source_sheet", "source_row"])
    with st.expander("全部字段"):
        st.dataframe([{"字段": header(k), "内容": "" if v is None else str(v)}
                      for k, v in detail.items()], hide_index=True, width="stretch")
