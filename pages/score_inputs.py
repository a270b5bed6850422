"""考评录入 (系统管理员、市级用户): the 考评 inputs no data holds — 服务保障, 谋划储备, an entered 加减分 —
for a year's rules (data/scoring/<year>.toml). Every entry is kept (the newest one counts) and is a
line in the audit trail (操作日志, 考评录入)."""

import polars as pl
import streamlit as st

from report import format as fmt
from ui import auth, data, render
from ui.page import tool
from warehouse import scoring
from warehouse.db import writing
from warehouse.scoring_rules import RuleError, rule_years
from warehouse.settings import warehouse_path

account = tool("score_inputs")
data.require_data("考评录入")
COLUMNS = ["period_text", "district", "indicator", "value", "note", "entered_by", "entered_at", "current"]

years = rule_years()
if not years:
    st.info("还没有考评规则文件（data/scoring/<年度>.toml），没有需要录入的指标。")
    st.stop()
year = st.selectbox("年度", years, format_func=lambda y: f"{y}年", key="si-year", placeholder="请选择")
try:
    manual = scoring.manual_indicators(year)
except RuleError as exc:
    st.error(fmt.text(str(exc)))
    st.stop()
if not manual:
    st.info(f"{year}年考评规则没有需要人工录入的指标。")
    st.stop()
names = {m["key"]: m for m in manual}
key = st.selectbox("指标", list(names), key="si-indicator",
                   format_func=lambda k: f"{names[k]['score']} · {names[k]['name']}", placeholder="请选择")
wanted = names[key]
districts = data.call(scoring.districts)
low, high = wanted["low"], wanted["high"]
with st.form("si-form", clear_on_submit=True):
    a, b, c = st.columns(3)
    period = a.selectbox("考评期", wanted["periods"], key="si-period", format_func=wanted["period_texts"].get,
                          placeholder="请选择")
    code = b.selectbox("县区", list(districts), format_func=districts.get, key="si-district",
                        placeholder="请选择")
    value = c.text_input(f"分值（{low}至{high}分）", max_chars=20, key="si-value")
    note = st.text_input("说明（依据、扣分原因等）", max_chars=200, key="si-note")
    submitted = st.form_submit_button("保存", type="primary")
if submitted:
    data.release()
    try:
        with writing(warehouse_path()) as con:
            detail = scoring.save_input(con, year, period, code, key, value, note.strip(), account.login,
                                        role=account.role, address=auth.address())
    except RuleError as exc:
        st.error(fmt.text(str(exc)))
    else:
        st.success(fmt.text(detail) + "。已记入操作日志。")

st.caption("每次录入都保留（只增不改），同一考评期、县区和指标以最新一次为准；未录入的指标在“考评排名”页计0分并注明“未录入”。")
rows = data.call(scoring.input_listing, year)
if rows.height:
    labels = {k: m["name"] for k, m in names.items()}
    texts = {label: text for m in manual for label, text in m["period_texts"].items()}
    rows = rows.with_columns(pl.col("period").replace_strict(texts, default=pl.col("period")).alias("period_text"),
                             pl.col("indicator").replace_strict(labels, default=pl.col("indicator")),
                             pl.col("value").map_elements(fmt.score, return_dtype=pl.String))
    render.show_frame(rows, COLUMNS, height=420)
else:
    st.caption("本年度还没有录入。")
