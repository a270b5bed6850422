"""招商引资驾驶舱: page config, sign-in and routing only; the pages are listed in pages/__init__.py."""

import streamlit as st

from pages import PAGES
from ui import auth, layout
from ui.data import page_run

st.set_page_config(page_title="招商引资驾驶舱", layout="wide", initial_sidebar_state="expanded")

# Every page is routable (a link to a page one may not open gets a Chinese refusal, not Streamlit's
# "Page not found"); the menu (ui.layout.menu) lists only the pages of the signed-in role.
navigation = [st.Page(f"pages/{p.key}.py", title=p.menu, url_path=p.key) for p in PAGES]
# The landing page is served at "/"; its own path (/overview, as links and the README write it)
# opens it too: the default page reserves a path nobody types, the page keeps its own.
navigation += [st.Page(f"pages/{p.key}.py", title=p.menu, url_path="home", default=True) for p in PAGES if p.default]

with page_run():   # one warehouse connection per run, closed when the page is done
    page = st.navigation(navigation, position="hidden")
    layout.style()
    account = auth.require()          # the sign-in page, and nothing else, until one signs in
    layout.menu(account)
    page.run()
