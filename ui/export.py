"""Export buttons for the pages: a chart as PNG/SVG, the page as a deck (导出PPT), lists to Excel.

Nothing is made until someone clicks: each button's `data` is a callable, which Streamlit runs on
its own thread at the click, and its result is cached by content (st.cache_data keyed on the
figure's JSON, or on the page, filters, scope and warehouse version), so pages stay fast. Images
come from the one shared browser (report.render), started in the background the first time a page
with export buttons is shown on a real server.

Who exports is known when the button is drawn (the session), and the callable carries it: each
export is a line in the audit trail (what, with which filters, by whom, from where), and a deck or
list reads the warehouse with the account's scope.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from datetime import date, datetime

import plotly.graph_objects as go
import polars as pl
import streamlit as st

import pages
from report import decks, excel, images, render
from report.describe import filters_text as describe
from report.view import CrossFilter
from ui import auth
from ui.data import data_version, status
from warehouse.db import reading
from warehouse.filters import Filters
from warehouse.settings import warehouse_path

PNG_HELP = "下载图片（1920×1080，含标题、筛选条件和数据日期），可直接粘贴到PPT"
SVG_HELP = "下载矢量图（SVG），放大不失真"
_MIMES = {"png": "image/png", "svg": "image/svg+xml"}
_warm_started = threading.Event()


def file_name(title: str, suffix: str) -> str:
    """A file name from a Chinese title: no characters Windows refuses, no quotes."""
    name = re.sub(r'[\\/:*?"<>|“”‘’\s]+', "", title).strip(".") or "导出"
    return f"{name[:80]}.{suffix}"


def _text(filters: Filters | str | None) -> str:
    if filters is None:
        return ""
    if isinstance(filters, str):
        return filters
    return describe(filters, scope_label=auth.scope_label(auth.current()))


def _audited(make: Callable[[], bytes], what: str, scope: str) -> Callable[[], bytes]:
    """The export, and its line in the audit trail (who and where are taken now, in the session)."""
    account, where = auth.current(), auth.address()

    def run() -> bytes:
        made = make()
        auth.record("export", f"导出{what}（{scope}）", account=account, where=where)
        return made
    return run


def _as_of(as_of: date | None) -> date | None:
    return as_of if as_of is not None else status().get("newest_as_of")


def _warm_up() -> None:
    """Start the browser in the background once, so the first click is quick (real server only:
    tests and `python page.py` never start a browser they do not need)."""
    if _warm_started.is_set() or not _real_server():
        return
    _warm_started.set()
    threading.Thread(target=_quiet_warm_up, name="chart-renderer-warm-up", daemon=True).start()


def _real_server() -> bool:
    """A `streamlit run` server, not AppTest (which installs a stand-in runtime)."""
    from streamlit.runtime import Runtime

    return Runtime.exists() and type(Runtime.instance()) is Runtime


def _quiet_warm_up() -> None:
    try:
        render.warm_up()
    except render.RenderError:
        pass  # the click will report it


@st.cache_data(show_spinner=False, max_entries=256)
def _image(fig_key: str, _fig: go.Figure, title: str, filters_text: str, as_of: date | None, fmt: str) -> bytes:
    return images.chart_images(_fig, title, filters_text, as_of, (fmt,))[fmt]


def chart_downloads(fig: go.Figure, title: str, filters: Filters | str | None = None,
                    as_of: date | None = None, key: str = "chart") -> None:
    """Two small buttons under a chart: PNG (slide-ready) and SVG, each with the title, the
    filters and the as-of date drawn into the picture."""
    _warm_up()
    text, when = _text(filters), _as_of(as_of)
    fig_key = hashlib.sha1(fig.to_json().encode("utf-8")).hexdigest()
    with st.container(horizontal=True, gap="small"):
        for fmt, label, help_text in (("png", "PNG图片", PNG_HELP), ("svg", "SVG", SVG_HELP)):
            st.download_button(
                label, data=_audited(lambda fmt=fmt: _image(fig_key, fig, title, text, when, fmt),
                                     f"图片{fmt.upper()}“{title}”", text),
                file_name=file_name(title, fmt), mime=_MIMES[fmt], key=f"{key}-{fmt}", help=help_text,
                on_click="ignore", type="tertiary", icon=":material/download:")


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _page_deck(page: str, key: str, path: str, version: tuple, scope, scope_label: str | None, _filters: Filters,
               _cross: CrossFilter | None, _values: dict) -> bytes:
    with reading(path, scope) as con:
        deck = pages.page_deck(con, page, _filters, _cross, _values, scope_label)
    return deck.to_bytes()      # charts render after the warehouse is closed again


def page_pptx_button(page: str, filters: Filters, cross: CrossFilter | None, values: dict, account) -> None:
    """导出PPT: the page as a 16:9 deck made from the same description as the screen — its filters,
    its cross-filter, its widgets' values and the account's scope (title slide, one slide per chart
    with its takeaway, tables as native tables)."""
    _warm_up()
    label = auth.scope_label(account)
    path = warehouse_path()
    version = data_version(path)
    title = pages.page(page).deck
    key = repr((filters, cross, sorted(values.items(), key=lambda kv: kv[0])))
    _deck_button("导出PPT", lambda: _page_deck(page, key, str(path), version, account.scope, label, filters, cross,
                                             values), f"PPT“{title}”", describe(filters, scope_label=label),
                 f"招商引资_{title}", values.get("tg-as-of") or _as_of(None), f"{page}-pptx", ":material/slideshow:",
                 "本页图表和表格生成PPT（16:9）：每张图一页，附一句要点；表格可在PPT中编辑")


def _deck_button(text: str, make: Callable[[], bytes], what: str, scope: str, name: str, stamp, key: str,
                 icon: str, tip: str) -> None:
    """A PPT download: made at the click and audited; the file is named with the data's date."""
    st.download_button(text, data=_audited(make, what, scope),
                       file_name=file_name(f"{name}_{stamp:%Y%m%d}" if stamp else name, "pptx"),
                       mime=decks.PPTX_MIME, key=key, on_click="ignore", icon=icon, help=tip)


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def _weekly_deck(key: str, path: str, version: tuple, scope, scope_label: str | None, _filters: Filters) -> bytes:
    with reading(path, scope) as con:
        deck = pages.weekly_deck(con, _filters, _filters.date_to, scope_label)
    return deck.to_bytes()


def weekly_pptx_button(filters: Filters, account) -> None:
    """周例会PPT: the weekly meeting's deck (总体情况、县区、转化、趋势、产业链、目标任务、三个一批、预警项目) with
    the page's filters — what `python -m report slides` makes, one click away."""
    path = warehouse_path()
    label = auth.scope_label(account)
    _deck_button("导出周例会PPT", lambda: _weekly_deck(repr(filters), str(path), data_version(path), account.scope,
                                                     label, filters), "周例会PPT", describe(filters, scope_label=label),
                 "招商引资工作周例会", _as_of(None), "weekly-pptx", ":material/co_present:",
                 "周例会用的整套PPT：总体情况、县区排名、转化、趋势、产业链、目标任务、三个一批、预警项目")


def excel_button(label: str, sheets: Callable[[], list[tuple[str, pl.DataFrame]]], title: str,
                 filters: Filters | str | None = None, key: str = "excel", name: str | None = None) -> None:
    """An Excel list (report.excel): `sheets` is called at the click, not on every rerun."""
    text, when = _text(filters), _as_of(None)

    def make() -> bytes:
        subtitle = "；".join(p for p in (text, f"数据截至{when:%Y-%m-%d}" if when else "",
                                         f"导出于{datetime.now():%Y-%m-%d %H:%M}") if p)
        return excel.xlsx_bytes(sheets(), title=title, subtitle=subtitle)

    st.download_button(label, data=_audited(make, f"Excel“{title}”", text), file_name=file_name(name or title, "xlsx"),
                       mime=excel.XLSX_MIME,
                       key=key, on_click="ignore", icon=":material/download:")
