"""What a page shows, as data: the one description that the screen (ui.render) and the page's
deck (report.decks) both draw, so that they cannot show different things.

A page description (pages/<page>.py) is a function `view(v: View) -> list[Item]`. It asks the
warehouse through `v.ask(fn, *args)` (on a screen: cached, on the page run's connection; in a
deck: on the deck's connection), reads its widgets' values with `v.value(choice)`, and returns
items in reading order:

  Metrics   a row of big numbers                       → a metrics slide
  Chart     a plotly figure with a title and takeaway  → a chart slide (its picture)
  Table     a frame with the columns to show            → table slides (native, editable)
  Note      a short statement when there is nothing    → a note slide
  Map       the project map                            → the map's static picture
  Row, Tabs, Expander   layout on the screen           → their items, in order
  Choice, Message, Download, Detail                   → screen only

Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import plotly.graph_objects as go
import polars as pl

from warehouse.filters import Filters


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    delta: str | None = None          # '+12.50% 同比' (the sign leads: a screen colours by it)
    delta_color: str = "normal"       # normal / off (a share, not a change)
    help: str | None = None
    color: str | None = None          # the slide's accent for this card
    link: str | None = None           # the page behind the number (a page key), a link on the screen
    link_label: str = "查看详情"


@dataclass
class Metrics:
    key: str
    title: str
    cards: list[Card]
    takeaway: str | None = None
    show_title: bool = False          # the screen shows the cards without a heading


@dataclass(frozen=True)
class Click:
    """A chart whose click narrows the page (a cross-filter): the clicked point's customdata[0]."""

    field: str                        # districts / chains / periods
    label: str                        # '县区', '产业链', '期数'


@dataclass
class Chart:
    key: str
    title: str
    fig: go.Figure
    takeaway: str | None = None
    hint: str | None = None           # a line under the heading on the screen ("点击柱条……")
    click: Click | None = None
    scope: Filters | str | None = None   # what the picture says about whose numbers
    as_of: date | None = None
    show_title: bool = True


@dataclass
class Table:
    key: str
    title: str
    frame: pl.DataFrame               # warehouse columns (report.vocab names them)
    columns: Sequence[str]
    takeaway: str | None = None
    note: str | None = None           # under the table, on the screen and the slide
    slide_rows: int | None = 15       # rows on slides; None: every row
    total: int | None = None          # rows there are (when the frame holds the first ones)
    select: bool = False              # a row can be picked on the screen (v.selected(key))
    height: int | None = None
    colors: Mapping[str, str] | None = None   # cell text → colour (the lights)
    show_title: bool = True


@dataclass
class Note:
    title: str
    text: str
    level: str = "info"               # info / success / warning (the screen's box)


@dataclass
class Message:
    """Screen only: a line of text. level: caption / info / success / warning / markdown."""

    text: str
    level: str = "caption"
    icon: str | None = None


@dataclass
class Heading:
    """Screen only: a subheading above the items that follow."""

    text: str


@dataclass
class Choice:
    """A widget of the page. kind: radio / select / slider / toggle / text."""

    key: str
    label: str
    options: Sequence[Any] = ()
    default: Any = None
    kind: str = "radio"
    labels: Mapping[Any, str] | None = None   # option → what the widget shows
    help: str | None = None
    bounds: tuple[int, int] | None = None     # slider

    def valid(self, value) -> bool:
        if self.kind in ("radio", "select"):
            return value in list(self.options)
        if self.kind == "slider":
            return isinstance(value, int) and self.bounds[0] <= value <= self.bounds[1]
        if self.kind == "toggle":
            return isinstance(value, bool)
        return isinstance(value, str)

    @property
    def fallback(self):
        if self.default is not None:
            return self.default
        if self.kind in ("radio", "select"):
            return list(self.options)[0] if self.options else None
        return {"toggle": False, "text": "", "slider": (self.bounds or (0, 0))[0]}.get(self.kind)


@dataclass
class Download:
    """Screen only: an Excel list made at the click (sheets: [(sheet name, frame)])."""

    key: str
    label: str
    sheets: Callable[[], list[tuple[str, pl.DataFrame]]]
    title: str
    name: str
    scope: Filters | str | None = None


@dataclass
class Detail:
    """Screen only: a project's facts as label → value, shown literally (never as markdown)."""

    title: str                        # a line of ledger text (the project's name)
    facts: list[tuple[str, Any]]
    heading: str | None = None        # a large line above it ("15.00亿元 · 开工")
    section: str | None = None        # a subheading above everything ("选中的项目")


@dataclass
class Map:
    key: str
    title: str
    deck: Any                         # a pydeck Deck
    legend: str = ""                  # escaped HTML
    fig: go.Figure | None = None      # the same map as a static figure (picture, slide)
    takeaway: str | None = None
    scope: Filters | str | None = None
    districts: Mapping[str, tuple] = field(default_factory=dict)   # polygon code → the districts it holds


@dataclass
class Row:
    """Columns side by side on the screen; each entry is an item or a list of items (a column).
    A Row that holds a Table is drawn one entry under the other (ui.render): a table needs the
    page's width, beside a chart its columns were cut at 1366 and even at 1920."""

    items: list
    widths: Sequence[float] | None = None


@dataclass
class Tabs:
    tabs: list[tuple[str, list]]


@dataclass
class Expander:
    label: str
    items: list


Item = Metrics | Chart | Table | Note | Message | Heading | Choice | Download | Detail | Map | Row | Tabs | Expander


@dataclass(frozen=True)
class CrossFilter:
    """What a chart click narrowed the page to."""

    field: str
    values: tuple
    label: str


@dataclass
class View:
    """What a page description is given."""

    ask: Callable[..., Any]                       # ask(fn, *args) = fn(con, *args)
    filters: Filters = field(default_factory=Filters)
    cross: CrossFilter | None = None
    values: Mapping[str, Any] = field(default_factory=dict)   # widget key → value
    selections: Mapping[str, Any] = field(default_factory=dict)   # table/map key → what was picked
    scope_label: str | None = None                # a district account's districts ("郾城区"); None: the city

    @property
    def fx(self) -> Filters:
        """The filters with the page's cross-filter applied."""
        if self.cross is None:
            return self.filters
        return self.filters.narrowed(**{self.cross.field: tuple(self.cross.values)})

    def value(self, choice: Choice):
        """The widget's current value, or its default when it has none or an invalid one."""
        value = self.values.get(choice.key)
        return value if value is not None and choice.valid(value) else choice.fallback

    def highlight(self, field_name: str) -> tuple:
        return tuple(self.cross.values) if self.cross and self.cross.field == field_name else ()

    def selected(self, key: str):
        return self.selections.get(key)


def walk(items: Sequence) -> list:
    """Every item in reading order, layout flattened (Row, Tabs, Expander)."""
    out: list = []
    for item in items:
        if isinstance(item, (list, tuple)):       # a column of a Row
            out += walk(item)
        elif isinstance(item, Row):
            out += walk(item.items)
        elif isinstance(item, Tabs):
            for _, part in item.tabs:
                out += walk(part)
        elif isinstance(item, Expander):
            out += walk(item.items)
        else:
            out.append(item)
    return out


def choices(items: Sequence) -> list[Choice]:
    return [i for i in walk(items) if isinstance(i, Choice)]
