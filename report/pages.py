"""What each deck holds: one deck per dashboard page (its 导出PPT button) and the weekly meeting
deck (`python -m report slides`). A deck is a list of report.sections items; `build` turns
items into slides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from report import sections as s
from report.describe import city_name, filters_text
from report.slides import Deck
from ui.format import day
from warehouse.filters import Filters
from warehouse.freshness import newest_as_of

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

Spec = Callable[[object, Filters, "date | None"], list[s.Item]]

PAGE_DECKS: dict[str, tuple[str, Spec]] = {
    "overview": ("总览", lambda con, f, as_of: [
        *s.cockpit(con, f), *s.funnel(con, f), *s.ranking(con, f), *s.trend(con, f), *s.top_projects(con, f)]),
    "chains": ("产业链分析", lambda con, f, as_of: [
        *s.chain_share(con, f), *s.chain_charts(con, f), *s.chain_gaps(con, f)]),
    "batches": ("“三个一批”", lambda con, f, as_of: s.batch_sections(con, f)),
    "map": ("项目地图", lambda con, f, as_of: s.district_totals(con, f)),
    "targets": ("目标进度", lambda con, f, as_of: s.targets(con, f, as_of, per_indicator=True)),
    "ledger": ("项目台账", lambda con, f, as_of: s.project_list(con, f)),
    "alerts": ("预警督办", lambda con, f, as_of: s.stalled_sections(con, f, by_unit=True)),
}


def weekly_items(con, f: Filters, as_of: date | None) -> list[s.Item]:
    """The weekly meeting: cockpit, districts, conversion, trend, chains, targets, 三个一批, stalls."""
    return [
        *s.cockpit(con, f),
        *s.ranking(con, f, table=True),
        *s.funnel(con, f),
        *s.trend(con, f),
        *s.chain_share(con, f),
        *s.chain_charts(con, f, treemap=False, matrix=False, table=True),
        *s.targets(con, f, as_of),
        *s.batch_sections(con, f, breakdowns=False, conversion=False),
        *s.stalled_sections(con, f, list_rows=10),
    ]


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


def header_for(con, title: str, f: Filters) -> Header:
    return Header(title=title, filters=filters_text(f), as_of=newest_as_of(con))


def build(items: list[s.Item], header: Header) -> Deck:
    deck = Deck(footer=header.footer)
    deck.add_title_slide(header.title, header.filters, header.date_line)
    for item in items:
        if isinstance(item, s.Chart):
            deck.add_chart_slide(item.fig, item.title, item.takeaway)
        elif isinstance(item, s.Table):
            deck.add_table_slide(item.frame, item.title, item.takeaway, item.note, colors=item.colors)
        elif isinstance(item, s.Metrics):
            deck.add_metrics_slide(item.title, item.cards, item.takeaway)
        elif isinstance(item, s.Note):
            deck.add_note_slide(item.title, item.text)
    return deck


def page_deck(con, page: str, f: Filters, as_of: date | None = None) -> Deck:
    """The deck of one dashboard page with its filters (the page's cross-filter included);
    as_of: the date the page reports at (目标进度's chosen month), else the newest ledger date."""
    if page not in PAGE_DECKS:
        raise ValueError(f"no deck for page {page!r}")
    name, spec = PAGE_DECKS[page]
    header = header_for(con, f"{city_name()}招商引资 · {name}", f)
    return build(spec(con, f, as_of or header.as_of), header)


def weekly_deck(con, f: Filters, as_of: date | None = None) -> Deck:
    city = city_name()
    header = header_for(con, f"{city}招商引资工作周例会", f)
    return build(weekly_items(con, f, as_of or header.as_of), header)


def deck_file_name(title: str, as_of: date | None) -> str:
    return f"{title}_{as_of:%Y%m%d}.pptx" if as_of else f"{title}.pptx"
