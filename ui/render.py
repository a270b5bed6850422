"""Draw a page description (report.view items) on the screen: the same items its deck is made of.

Every text that came from a ledger reaches Streamlit escaped (ledger text is never markdown);
tables show "—" for nothing; charts get their PNG/SVG buttons; a chart or map that can be
clicked narrows the page (the cross-filter of ui.filters).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from report import tables, vocab
from report import format as fmt
from report.view import (Chart, Choice, Detail, Download, Expander, Heading, Map, Message, Metrics, Note, Row,
                         Table, Tabs)
from ui import export, layout
from ui import filters as uf

PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False}
_BOXES = {"info": st.info, "success": st.success, "warning": st.warning}
_NOTE_ICONS = {"info": ":material/info:", "success": ":material/check_circle:", "warning": ":material/warning:"}


def draw(items: Sequence, page: str) -> None:
    for item in items:
        _draw(item, page)


def _draw(item, page: str) -> None:
    if isinstance(item, (list, tuple)):
        draw(item, page)
    elif isinstance(item, Row) and any(_holds_table(entry) for entry in item.items):
        draw(item.items, page)                  # a table gets the page's width (report.view.Row)
    elif isinstance(item, Row):
        for column, entry in zip(st.columns(list(item.widths) if item.widths else len(item.items)), item.items):
            with column:
                _draw(entry, page)
    elif isinstance(item, Tabs):
        for tab, (_, part) in zip(st.tabs([label for label, _ in item.tabs]), item.tabs):
            with tab:
                draw(part, page)
    elif isinstance(item, Expander):
        with st.expander(item.label):
            draw(item.items, page)
    else:
        DRAW[type(item)](item, page)


def _holds_table(entry) -> bool:
    if isinstance(entry, Table):
        return True
    return isinstance(entry, (list, tuple)) and any(_holds_table(e) for e in entry)


def metrics(item: Metrics, page: str) -> None:
    if item.show_title:
        st.subheader(fmt.text(item.title))
    per_row = 3 if len(item.cards) == 6 else max(len(item.cards), 1)
    for start in range(0, len(item.cards), per_row):
        for col, card in zip(st.columns(per_row), item.cards[start:start + per_row]):
            plain = card.delta_color != "normal"          # a fact or a coloured state, not a change
            col.metric(card.label, card.value, card.delta, border=True, help=card.help,
                       delta_color=card.delta_color, delta_arrow="off" if plain else "auto")
            if card.link and _may_open(card.link):
                col.page_link(f"pages/{card.link}.py", label=card.link_label, icon=":material/arrow_forward:")


def _may_open(key: str) -> bool:
    import pages
    from ui import auth

    account = auth.current()
    return account is not None and account.role in pages.page(key).roles


def chart(item: Chart, page: str) -> None:
    if item.show_title:
        st.subheader(fmt.text(item.title))
    if item.hint:
        st.caption(item.hint)
    key = uf.chart_key(page, item.key)
    if item.click:
        event = st.plotly_chart(item.fig, width="stretch", config=PLOTLY_CONFIG, key=key, on_select="rerun",
                                selection_mode="points")
    else:
        event = None
        st.plotly_chart(item.fig, width="stretch", config=PLOTLY_CONFIG, key=key)
    export.chart_downloads(item.fig, item.title, item.scope, item.as_of, key=f"{key}-export")
    picked = uf.selected_value(event) if item.click else None
    if picked is not None:
        uf.set_cross_filter(page, item.click.field, (picked,), f"{item.click.label} = {picked}")


def table(item: Table, page: str) -> None:
    if item.show_title:
        st.subheader(fmt.text(item.title))
    shown = show_frame(item.frame, item.columns, height=item.height,
                       key=uf.chart_key(page, item.key) if item.select else None, select=item.select,
                       colors=item.colors)
    if item.note:
        st.caption(fmt.text(item.note))
    return shown


def show_frame(df, columns, height=None, key: str | None = None, select: bool = False, colors=None):
    """A warehouse frame as a table for people (report.tables): Chinese headers, units, — for nothing;
    `colors` (cell text → colour, the lights) paints those cells, so a red light reads red."""
    frame, specs = tables.screen_frame(df, columns)
    if frame.height == 0:
        st.caption("无记录")
        return None
    extra = {"on_select": "rerun", "selection_mode": "single-row", "key": key} if select else {}
    if colors:
        painted = {text: f"color: {color}; font-weight: 600" for text, color in colors.items()}
        frame = frame.to_pandas().style.map(lambda value: painted.get(value, "") if isinstance(value, str) else "")
    return st.dataframe(frame, hide_index=True, width="stretch", height=height or "auto",
                        column_config=_column_config(specs), placeholder=tables.EMPTY, **extra)


PINNED = vocab.header("project_name")      # stays in view while a wide list scrolls sideways


def _column_config(specs) -> dict:
    config = {}
    wide = len(specs) > 8          # a list wider than the page scrolls sideways
    for spec in specs:
        if wide and spec.header == PINNED:
            config[spec.header] = st.column_config.TextColumn(spec.header, pinned=True)
        elif spec.kind in ("money", "usd"):
            config[spec.header] = st.column_config.NumberColumn(spec.header, format="%.2f")
        elif spec.kind == "share":
            config[spec.header] = st.column_config.NumberColumn(spec.header, format="%.2f%%")
        elif spec.kind in ("count", "int"):
            config[spec.header] = st.column_config.NumberColumn(spec.header, format="%d")
        elif spec.kind == "date":
            config[spec.header] = st.column_config.DateColumn(spec.header, format="YYYY-MM-DD")
        elif spec.kind == "time":
            config[spec.header] = st.column_config.DatetimeColumn(spec.header, format="YYYY-MM-DD HH:mm")
    return config


def note(item: Note, page: str) -> None:
    st.subheader(fmt.text(item.title))
    _BOXES[item.level](fmt.text(item.text), icon=_NOTE_ICONS[item.level])


def message(item: Message, page: str) -> None:
    if item.level == "markdown":            # written by the page itself, never ledger text
        st.markdown(item.text)
    elif item.level == "caption":
        st.caption(fmt.text(item.text))
    else:
        _BOXES[item.level](fmt.text(item.text), icon=item.icon)


def heading(item: Heading, page: str) -> None:
    st.subheader(fmt.text(item.text))


def choice(item: Choice, page: str) -> None:
    if item.key in st.session_state and not item.valid(st.session_state[item.key]):
        del st.session_state[item.key]          # a value the options no longer have (another year)
    label = (lambda o: item.labels.get(o, str(o))) if item.labels else str
    default = item.fallback
    if item.kind == "radio":
        st.radio(item.label, list(item.options), index=list(item.options).index(default), horizontal=True,
                 key=item.key, format_func=label, help=item.help)
    elif item.kind == "select":
        st.selectbox(item.label, list(item.options), index=list(item.options).index(default), key=item.key, placeholder="请选择",
                     format_func=label, help=item.help)
    elif item.kind == "slider":
        st.slider(item.label, item.bounds[0], item.bounds[1], default, key=item.key, help=item.help)
    elif item.kind == "toggle":
        st.toggle(item.label, value=default, key=item.key, help=item.help)
    else:
        st.text_input(item.label, key=item.key, max_chars=100, placeholder=item.help or "")


def download(item: Download, page: str) -> None:
    export.excel_button(item.label, item.sheets, item.title, item.scope, key=item.key, name=item.name)


def detail(item: Detail, page: str) -> None:
    if item.section:
        st.subheader(fmt.text(item.section))
    if item.heading:
        st.markdown(f"#### {fmt.text(item.heading)}")
    st.text(item.title)
    for col, (label, value) in zip(st.columns(len(item.facts)), item.facts):
        layout.fact(col, label, value)


def map_(item: Map, page: str) -> None:
    from report.maps import DISTRICT_LAYER

    st.markdown(item.legend, unsafe_allow_html=True)     # escaped by report.maps.legend_html
    key = uf.chart_key(page, item.key)
    event = st.pydeck_chart(item.deck, height=620, on_select="rerun", selection_mode="single-object", key=key)
    if item.fig is not None:
        export.chart_downloads(item.fig, item.title, item.scope, None, key=f"{key}-export")
    objects = ((event or {}).get("selection") or {}).get("objects") or {}
    if objects.get(DISTRICT_LAYER):
        props = objects[DISTRICT_LAYER][0].get("properties", {})
        members = tuple(item.districts.get(str(props.get("adcode", "")), ())) or \
            ((props["name"],) if props.get("name") else ())
        if members:
            uf.set_cross_filter(page, "districts", members, f"县区 = {'、'.join(members)}")


DRAW = {Metrics: metrics, Chart: chart, Table: table, Note: note, Message: message, Heading: heading,
        Choice: choice, Download: download, Detail: detail, Map: map_}
