"""招商引资驾驶舱: page config and routing only; each page lives in pages/."""

import streamlit as st

from ui.data import page_run

st.set_page_config(page_title="招商引资驾驶舱", layout="wide",
                   initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/overview.py", title="总览", url_path="overview", default=True),
    st.Page("pages/chains.py", title="产业链", url_path="chains"),
    st.Page("pages/batches.py", title="三个一批", url_path="batches"),
    st.Page("pages/targets.py", title="目标进度", url_path="targets"),
    st.Page("pages/map.py", title="项目地图", url_path="map"),
    st.Page("pages/ledger.py", title="项目台账", url_path="ledger"),
    st.Page("pages/alerts.py", title="预警督办", url_path="alerts"),
    st.Page("pages/data_admin.py", title="数据管理", url_path="data"),
]

with page_run():   # one warehouse connection per run, closed when the page is done
    st.navigation(PAGES).run()
