"""Page descriptions (report.view items) → a 16:9 deck: a title slide, then one slide per
chart, table, set of big numbers or note, in the page's reading order. The screen draws the same
items (ui.render), so a page and its deck show the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from report import tables
from report.format import count, day
from report.slides import Deck
from report.view import Chart, Map, Metrics, Note, Table, walk

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class Header:
    """What the title slide and every footer say."""

    title: str
    filters: str          # whose numbers and the filters: "范围：漯河市全市；时间：…"
    as_of: date | None

    @property
    def date_line(self) -> str:
        made = datetime.now()
        newest = f"数据截至{day(self.as_of)}（最新台账日期）" if self.as_of else "尚无台账数据"
        return f"{newest}　　生成于{made.year}年{made.month}月{made.day}日 {made:%H:%M}"

    @property
    def footer(self) -> str:
        parts = [self.title, self.filters, f"数据截至{day(self.as_of)}" if self.as_of else ""]
        return "｜".join(p for p in parts if p)


def more_note(shown: int, total: int | None) -> str | None:
    """'共120个项目，此处列出前15个；完整清单请在页面导出 Excel。' when the slide holds only the first ones."""
    if total is None or total <= shown:
        return None
    return f"共{count(total)}，此处列出前{count(shown)}；完整清单请在页面导出 Excel。"


def _table_slide(deck: Deck, item: Table) -> None:
    frame = item.frame if item.slide_rows is None else item.frame.head(item.slide_rows)
    total = item.total if item.total is not None else item.frame.height
    note = "；".join(n for n in (item.note, more_note(frame.height, total)) if n) or None
    deck.add_table_slide(tables.text_frame(frame, item.columns), item.title, item.takeaway, note,
                         colors=dict(item.colors or {}))


def build(items: Sequence, header: Header) -> Deck:
    deck = Deck(footer=header.footer)
    deck.add_title_slide(header.title, header.filters, header.date_line)
    for item in walk(items):
        if isinstance(item, Chart):
            deck.add_chart_slide(item.fig, item.title, item.takeaway)
        elif isinstance(item, Map):
            if item.fig is not None:
                deck.add_chart_slide(item.fig, item.title, item.takeaway)
        elif isinstance(item, Table):
            _table_slide(deck, item)
        elif isinstance(item, Metrics):
            deck.add_metrics_slide(item.title, [_card(c) for c in item.cards], item.takeaway)
        elif isinstance(item, Note):
            deck.add_note_slide(item.title, item.text)
    return deck


def _card(card) -> dict:
    return {"label": card.label, "value": card.value, "detail": card.delta, "color": card.color}


def pick(items: Sequence, keys: Sequence[str]) -> list:
    """The items with these keys, in the order of `keys` (a page's Note when it has none of them:
    the meeting still learns there is nothing to show)."""
    flat = walk(items)
    by_key = {getattr(i, "key", None): i for i in flat}
    chosen = [by_key[k] for k in keys if k in by_key]
    if chosen:
        return chosen
    return [i for i in flat if isinstance(i, Note)][:1]
