"""招商引资驾驶舱: page config and routing only; the pages are listed in pages/__init__.py."""

import streamlit as st

from pages import PAGES
from ui.data import page_run

st.set_page_config(page_title="招商引资驾驶舱", layout="wide", initial_sidebar_state="expanded")

navigation = [st.Page(f"pages/{p.key}.py", title=p.menu, url_path=p.key, default=p.default) for p in PAGES]

with page_run():   # one warehouse connection per run, closed when the page is done
    st.navigation(navigation).run()
