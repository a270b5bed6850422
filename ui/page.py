"""A page run: what every report page does before and after its description (pages/<key>.py) —
the switch to app.py's navigation, the empty-warehouse start, the sidebar filters, the header,
the cross-filter bar, the 导出PPT button — so that no page can forget one of them."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

import pages
from report.view import CrossFilter, View, choices
from ui import auth, data, export, layout, render
from ui import filters as uf


class _State(Mapping):
    """Widget values (and table/map selections) as the page description reads them: session
    state, read-only, under the widget's key."""

    def __init__(self, resolve=lambda key: key):
        self._resolve = resolve

    def __getitem__(self, key):
        return st.session_state[self._resolve(key)]

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key, default=None):
        return st.session_state.get(self._resolve(key), default)


def _cross(page: str) -> CrossFilter | None:
    xf = uf.cross_filter(page)
    return CrossFilter(xf["field"], tuple(xf["values"]), xf["label"]) if xf else None


def allowed(key: str):
    """The signed-in account, when it may open page `key`; else the sign-in page or a refusal,
    and the run stops (a page run on its own, before app.py, passes here too)."""
    layout.through_app()
    layout.style()
    account = auth.require()
    info = pages.page(key)
    if account.role not in info.roles:
        st.title(info.title)
        st.warning("您的账号无权打开此页面。如需使用，请联系系统管理员。", icon=":material/block:")
        st.stop()
    return account


def tool(key: str):
    """The opening of a tool page (数据管理, 账号管理 …): sign-in, role, the page's heading."""
    account = allowed(key)
    layout.header(pages.page(key).title, data.status())
    uf.keep_url_without_widgets()          # the address still carries the view the sidebar set
    return account


def show(key: str) -> None:
    """Draw report page `key` (its description in pages/<key>.py)."""
    account = allowed(key)
    info, module = pages.page(key), pages.description(key)
    ask = data.asker(account.scope)
    status = data.status()
    empty = getattr(module, "empty", None)
    start = empty(View(ask=ask)) if empty else None
    if start is not None:
        layout.header(info.title)
        render.draw(start, key)
        st.stop()
    if empty is None:
        data.require_data(info.title)
    filters = uf.sidebar_filters()
    if info.fullscreen:
        layout.fullscreen()
        _redraw_on_new_data()
    v = View(ask=ask, filters=filters, cross=_cross(key), values=_State(),
             selections=_State(lambda k: uf.chart_key(key, k)), scope_label=auth.scope_label(account))
    caption = getattr(module, "caption", None)
    layout.header(info.title, status, caption(v) if caption else None)
    uf.cross_filter_bar(key)
    items = module.view(v)
    values = {c.key: v.value(c) for c in choices(items)}
    with st.container(horizontal=True, gap="small"):
        export.page_pptx_button(key, filters, v.cross, values, account)
        if info.default:
            export.weekly_pptx_button(filters, account)
    render.draw(items, key)


@st.fragment(run_every=30)
def _redraw_on_new_data() -> None:
    """A screen nobody touches: every 30 s, a whole redraw when the warehouse has new data."""
    from warehouse.settings import warehouse_path

    version = data.data_version(warehouse_path())
    seen = st.session_state.setdefault("_screen_version", version)
    if version != seen:
        st.session_state["_screen_version"] = version
        st.rerun(scope="app")
