"""操作日志 (系统管理员): the audit trail — sign-ins, loads, submissions and reviews, exports and
account changes — filtered by account, kind of action and date, and exported to Excel."""

from datetime import date, timedelta

import streamlit as st

from report import vocab
from ui import data, export, render
from ui.page import tool
from warehouse import audit

admin = tool("audit")
COLUMNS = ["audit_id", "happened_at", "login", "role", "action", "ok", "detail", "address"]

a, b, c = st.columns([1, 2, 1])
login = a.text_input("账号", max_chars=64, key="audit-login", placeholder="全部账号").strip() or None
actions = b.multiselect("操作", list(vocab.AUDIT_ACTIONS), format_func=vocab.AUDIT_ACTIONS.get, key="audit-actions",
                        placeholder="全部操作", select_all=False)
today = date.today()
span = c.date_input("日期", (today - timedelta(days=30), today), key="audit-dates", format="YYYY-MM-DD")
since, until = (span if isinstance(span, (tuple, list)) and len(span) == 2 else (None, None))
rows = data.call_unscoped(audit.entries, login, tuple(actions), since, until)
st.caption(f"共 {len(rows):,} 条（最多显示 5,000 条，按时间倒序）。日志只增不改，任何人都不能删除或修改。")
export.excel_button("导出操作日志（Excel）", lambda: [("操作日志", rows.select(COLUMNS))], "操作日志",
                    f"账号：{login or '全部'}；日期：{since or '最早'} 至 {until or '最新'}", key="audit-export",
                    name=f"操作日志_{today:%Y%m%d}")
render.show_frame(rows, COLUMNS, height=620)
