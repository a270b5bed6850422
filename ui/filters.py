"""The sidebar's global filters, kept across pages and written into the URL, and the
cross-filter a chart click sets on one page.

The filters live in session state under one key (widgets come and go with the page that draws
them; this does not). A new session starts from the URL: `warehouse.filters.from_query` keeps
only values the warehouse knows, so a hostile or stale link gives the default view.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui.data import call
from report import format as fmt
from report.format import period as period_label
from warehouse.filters import ALL_TIME, FilterOptions, Filters, TimeChoice, from_query, to_query
from warehouse.options import filter_options

STATE = "_global_filters"
CROSS = "_cross_filters"
NONCE = "_chart_nonce"
RESET = "reset"
_FIELDS = ("districts", "clusters", "chains", "periods", "stages")


def options() -> FilterOptions:
    return call(filter_options)


def _url_params() -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in qp.keys()}


def _state_from(filters: Filters, time: TimeChoice) -> dict:
    return {
        "districts": list(filters.districts), "clusters": list(filters.clusters),
        "chains": list(filters.chains), "periods": list(filters.periods),
        "stages": list(filters.stages), "time_mode": time.mode, "year": time.year,
        "date_from": time.date_from, "date_to": time.date_to,
    }


def _default_state(opts: FilterOptions) -> dict:
    return _state_from(*from_query({}, opts))


def _sync(field: str, key: str) -> None:
    st.session_state[STATE][field] = st.session_state[key]


def _sync_time(key: str) -> None:
    choice = st.session_state[key]
    state = st.session_state[STATE]
    if choice == ALL_TIME:
        state["time_mode"] = "all"
    elif choice == "range":
        state["time_mode"] = "range"
    else:
        state["time_mode"], state["year"] = "year", int(choice)


def _reset() -> None:
    st.session_state[STATE] = RESET
    st.session_state.pop(CROSS, None)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def _multiselect(label: str, field: str, choices, state: dict, format_func=str) -> None:
    key = f"flt_{field}"
    allowed = set(choices)
    state[field] = [v for v in state[field] if v in allowed]
    st.session_state[key] = list(state[field])
    st.multiselect(label, list(choices), key=key, format_func=format_func, placeholder="全部",
                   on_change=_sync, args=(field, key), select_all=False)


def _time_widgets(opts: FilterOptions, state: dict) -> None:
    choices = [str(y) for y in opts.years] + [ALL_TIME, "range"]
    labels = {ALL_TIME: "全部时间", "range": "自定义区间"}
    if state["time_mode"] == "year" and str(state["year"]) in choices:
        current = str(state["year"])
    elif state["time_mode"] == "range":
        current = "range"
    else:
        current = ALL_TIME
        state["time_mode"] = "all"
    st.session_state["flt_time"] = current
    st.selectbox("时间", choices, key="flt_time", placeholder="请选择", format_func=lambda c: labels.get(c, f"{c}年"),
                 on_change=_sync_time, args=("flt_time",),
                 help="签约、开工、投产数按各自日期计；项目清单含任一日期在范围内的项目和尚无日期的在谈项目。")
    if state["time_mode"] == "range":
        low, high = date(2000, 1, 1), date(2100, 12, 31)
        for field, label in (("date_from", "开始日期"), ("date_to", "结束日期")):
            key = f"flt_{field}"
            st.session_state[key] = state[field]
            st.date_input(label, key=key, min_value=low, max_value=high, format="YYYY-MM-DD",
                          on_change=_sync, args=(field, key))


def sidebar_filters() -> Filters:
    """Draw the global filters in the sidebar; return the Filters they make. Also keeps the URL
    in step, so a copied link reproduces the view."""
    opts = options()
    state = st.session_state.get(STATE)
    if state == RESET:
        state = _default_state(opts)
        st.session_state[STATE] = state
    elif not state:
        state = _state_from(*from_query(_url_params(), opts))
        st.session_state[STATE] = state
    with st.sidebar:
        st.markdown("### 筛选条件")
        _multiselect("县区", "districts", opts.districts, state)
        _multiselect("产业集群", "clusters", opts.clusters, state)
        _multiselect("产业链", "chains", opts.chains_of(state["clusters"]), state)
        _time_widgets(opts, state)
        _multiselect("三个一批期数", "periods", opts.periods, state, format_func=period_label)
        _multiselect("项目阶段", "stages", opts.stages, state)
        st.button("重置筛选", on_click=_reset, width="stretch")
        st.caption("筛选条件已写入网址：复制浏览器地址即可分享当前视图。")
    time = TimeChoice(state["time_mode"], state["year"], state["date_from"], state["date_to"])
    if time.mode == "range" and time.date_from and time.date_to and time.date_from > time.date_to:
        time = TimeChoice("range", None, time.date_to, time.date_from)
    d1, d2 = time.window()
    filters = Filters(tuple(state["districts"]), tuple(state["clusters"]), tuple(state["chains"]),
                      tuple(state["periods"]), tuple(state["stages"]), d1, d2)
    keep_url(filters, time, opts)
    return filters


def keep_url(filters: Filters, time: TimeChoice, opts: FilterOptions) -> None:
    wanted = to_query(filters, time, opts)
    if _url_params() != wanted:
        st.query_params.from_dict(wanted)


def keep_url_without_widgets() -> None:
    """For a page without the filters (数据管理): the URL still carries the current view."""
    state = st.session_state.get(STATE)
    if not state or state == RESET:
        return
    opts = options()
    time = TimeChoice(state["time_mode"], state["year"], state["date_from"], state["date_to"])
    d1, d2 = time.window()
    filters = Filters(tuple(state["districts"]), tuple(state["clusters"]), tuple(state["chains"]),
                      tuple(state["periods"]), tuple(state["stages"]), d1, d2)
    keep_url(filters, time, opts)


# --- cross-filter -----------------------------------------------------------------------


def cross_filter(page: str) -> dict | None:
    """The click-filter of a page: {"field": "districts", "values": (...), "label": "源汇区"}."""
    return (st.session_state.get(CROSS) or {}).get(page)


def set_cross_filter(page: str, field: str, values: tuple, label: str) -> None:
    if field not in _FIELDS:
        raise ValueError(field)
    current = cross_filter(page)
    wanted = {"field": field, "values": tuple(values), "label": label}
    if current != wanted:
        st.session_state.setdefault(CROSS, {})[page] = wanted
        st.rerun()


def clear_cross_filter(page: str) -> None:
    (st.session_state.get(CROSS) or {}).pop(page, None)
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1


def chart_key(page: str, name: str) -> str:
    """A chart's key; clearing the cross-filter changes it, which also clears the chart's selection."""
    return f"{page}-{name}-{st.session_state.get(NONCE, 0)}"


def cross_filter_bar(page: str) -> None:
    xf = cross_filter(page)
    if not xf:
        return
    left, middle, right = st.columns([4, 1, 1], vertical_alignment="center")
    left.info(f"联动筛选：{fmt.text(xf['label'])}（点击图表设置，本页其余图表随之筛选）", icon=":material/link:")
    to_list = page != "ledger" and middle.button("查看项目清单", key=f"list-xf-{page}", width="stretch",
                                                 help="在项目台账中列出这些项目（筛选条件随之带过去）")
    right.button("清除联动筛选", key=f"clear-xf-{page}", on_click=clear_cross_filter, args=(page,),
                 type="primary", width="stretch")
    if to_list:
        show_in_ledger(page, xf)


def show_in_ledger(page: str, xf: dict) -> None:
    """The click becomes a sidebar filter (every page keeps it) and the project list opens."""
    state = st.session_state.get(STATE)
    if isinstance(state, dict):
        state[xf["field"]] = list(xf["values"])
    clear_cross_filter(page)
    st.switch_page("pages/ledger.py")


def selected_value(event, index: int = 0):
    """The customdata[index] of the first clicked point of a plotly/pydeck selection, or None."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    if not points:
        return None
    custom = points[0].get("customdata")
    if isinstance(custom, (list, tuple)) and len(custom) > index:
        return custom[index]
    if custom is not None and index == 0 and not isinstance(custom, (list, tuple, dict)):
        return custom
    return None
