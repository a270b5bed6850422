"""A page run: what every report page does before and after its description (pages/<key>.py) —
the switch to app.py's navigation, the empty-warehouse start, the sidebar filters, the header,
the cross-filter bar, the 导出PPT button — so that no page can forget one of them."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

import pages
from report.view import CrossFilter, View, choices
from ui import data, export, layout, render
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


def show(key: str) -> None:
    """Draw report page `key` (its description in pages/<key>.py)."""
    layout.through_app()
    info, module = pages.page(key), pages.description(key)
    status = data.status()
    empty = getattr(module, "empty", None)
    start = empty(View(ask=data.call)) if empty else None
    if start is not None:
        layout.header(info.title)
        render.draw(start, key)
        st.stop()
    if empty is None:
        data.require_data(info.title)
    filters = uf.sidebar_filters()
    v = View(ask=data.call, filters=filters, cross=_cross(key), values=_State(),
             selections=_State(lambda k: uf.chart_key(key, k)))
    caption = getattr(module, "caption", None)
    layout.header(info.title, status, caption(v) if caption else None)
    uf.cross_filter_bar(key)
    items = module.view(v)
    values = {c.key: v.value(c) for c in choices(items)}
    export.page_pptx_button(key, filters, v.cross, values)
    render.draw(items, key)
