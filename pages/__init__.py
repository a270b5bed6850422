"""The pages, as data: the router (app.py), the decks, the benchmark and the tests all iterate
`PAGES`. A report page (deck set) is a description — pages/<key>.py with `view(v) -> items`
(report.view), no Streamlit in it — that the screen and its deck both draw. A tool page (数据管理)
is a Streamlit script.

Adding a page with one chart and its slide: a query in warehouse/, the description
pages/<key>.py (its last two lines hand it to ui.page when Streamlit runs it), and its line here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date

from report import decks
from report.describe import city_name, filters_text
from report.view import CrossFilter, View
from warehouse.filters import Filters
from warehouse.freshness import newest_as_of

EVERYONE = ("admin", "city", "leader", "district")


@dataclass(frozen=True)
class PageInfo:
    key: str                 # pages/<key>.py and the URL path /<key>
    menu: str                # its name in the navigation
    title: str               # its heading
    deck: str | None = None  # the name of its deck (导出PPT); None: a tool page without one
    default: bool = False    # the landing page
    roles: tuple[str, ...] = EVERYONE
    fullscreen: bool = False # no sidebar, large type, redrawn when new data is loaded (大屏)

    @property
    def is_report(self) -> bool:
        return self.deck is not None


PAGES: tuple[PageInfo, ...] = (
    PageInfo("overview", "总览", "招商引资驾驶舱 · 总览", "总览", default=True),
    PageInfo("screen", "大屏展示", "招商引资驾驶舱 · 大屏", "驾驶舱大屏", fullscreen=True),
    PageInfo("chains", "产业链", "产业链分析", "产业链分析"),
    PageInfo("batches", "三个一批", "“三个一批”", "“三个一批”"),
    PageInfo("targets", "目标进度", "目标进度", "目标进度"),
    PageInfo("map", "项目地图", "项目地图", "项目地图"),
    PageInfo("ledger", "项目台账", "项目台账", "项目台账"),
    PageInfo("alerts", "预警督办", "预警督办", "预警督办"),
    PageInfo("six", "六职招商", "“六职”招商", "“六职”招商"),
    PageInfo("scores", "考评排名", "考评排名", "考评排名"),
    PageInfo("data", "数据管理", "数据管理", roles=("admin", "city", "district")),
    PageInfo("score_inputs", "考评录入", "考评录入", roles=("admin", "city")),
    PageInfo("accounts", "账号管理", "账号管理", roles=("admin",)),
    PageInfo("audit", "操作日志", "操作日志", roles=("admin",)),
)
BY_KEY = {p.key: p for p in PAGES}

# The weekly meeting (周例会): which items of which page, in the order of the meeting.
WEEKLY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("cockpit", "ranking", "ranking-table", "funnel", "rates", "trend")),
    ("chains", ("share", "bars", "summary")),
    ("targets", ("matrix", "city")),
    ("batches", ("cards", "periods", "breakdown-签约一批", "breakdown-开工一批", "breakdown-投产一批")),
    ("alerts", ("districts", "list-签约未开工", "list-开工未投产")),
)


def page(key: str) -> PageInfo:
    return BY_KEY[key]


def report_pages() -> list[PageInfo]:
    return [p for p in PAGES if p.is_report]


def description(key: str):
    """The module describing a report page (imported, never run as a Streamlit script here)."""
    if not BY_KEY.get(key) or not BY_KEY[key].is_report:
        raise ValueError(f"no report page {key!r}")
    return importlib.import_module(f"pages.{key}")


def on_connection(con):
    """An `ask` that runs warehouse functions on one open connection (decks, the benchmark)."""
    return lambda fn, *args, **kwargs: fn(con, *args, **kwargs)


def page_items(key: str, v: View) -> list:
    """What the page shows: its start (`empty(v)`, when it has nothing yet) or its `view(v)`."""
    module = description(key)
    start = module.empty(v) if hasattr(module, "empty") else None
    return start if start is not None else module.view(v)


def page_deck(con, key: str, filters: Filters, cross: CrossFilter | None = None,
              values: dict | None = None, scope_label: str | None = None) -> decks.Deck:
    """The deck of one page, as the page shows it (its filters, cross-filter and widget values;
    `con` is scoped as the page's connection is)."""
    info = page(key)
    v = View(ask=on_connection(con), filters=filters, cross=cross, values=values or {}, scope_label=scope_label)
    items = page_items(key, v)
    header = decks.Header(f"{city_name()}招商引资 · {info.deck}", filters_text(v.fx, scope_label=scope_label),
                          newest_as_of(con))
    return decks.build(items, header)


def weekly_deck(con, filters: Filters, as_of: date | None = None, scope_label: str | None = None) -> decks.Deck:
    """The weekly meeting deck: the WEEKLY items of each page, with the same filters."""
    items = []
    for key, wanted in WEEKLY:
        values = {"tg-as-of": as_of} if key == "targets" and as_of else {}
        v = View(ask=on_connection(con), filters=filters, values=values, scope_label=scope_label)
        items += decks.pick(page_items(key, v), wanted)
    header = decks.Header(f"{city_name()}招商引资工作周例会", filters_text(filters, scope_label=scope_label),
                          newest_as_of(con))
    return decks.build(items, header)
