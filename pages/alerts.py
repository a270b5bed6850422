"""预警督办: stalled projects per district and responsible unit, exportable to Excel."""

from __future__ import annotations

import polars as pl

from report import figures, takeaways
from report.format import count
from report.view import Card, Chart, Click, Download, Heading, Message, Metrics, Note, Row, Table, View
from warehouse import freshness, stalls

LIST_LIMIT = 2_000
UNIT_COLUMNS = ["responsible_unit", "signed_not_started", "started_not_producing", "stalled", "investment_wan"]
# on the screen what a 督办 meeting reads, the dates in the Excel list (which carries every field)
LIST_COLUMNS = ["project_name", "district", "responsible_unit", "leader", "months", "total_investment_wan"]


def caption(v: View) -> str:
    n, m = stalls.stall_months()
    return f"签约超过 {n} 个月未开工、开工超过 {m} 个月未投产（以最新台账日期计；时间范围不适用）"


def _districts(v: View, by_district: pl.DataFrame, counts: dict, n: int, m: int):
    title = f"预警项目：按县区（签约超{n}个月未开工、开工超{m}个月未投产）"
    if by_district.height == 0:
        return Note(title, "没有预警项目。", "success")
    return Chart("districts", title, figures.stalled_bars(by_district, "district", v.highlight("districts")),
                 takeaways.stalled(by_district, counts), hint="点击柱条，按该县区筛选下方清单",
                 click=Click("districts", "县区"), scope=v.filters)


def _lists(stalled: pl.DataFrame, counts: dict, n: int, m: int) -> list:
    items: list = []
    for kind, title in ((stalls.SIGNED_NOT_STARTED, f"签约超过 {n} 个月未开工"),
                        (stalls.STARTED_NOT_PRODUCING, f"开工超过 {m} 个月未投产")):
        part = stalled.filter(pl.col("kind") == kind)
        heading = f"{title}（{count(counts[kind])}）"
        if part.height == 0:
            items.append(Note(heading, "无"))
            continue
        longest = part.row(0, named=True)
        text = f"共{count(counts[kind])}，持续最久的是{longest['district']}的{longest['project_name']}（{longest['months']}个月）"
        shared = ["shared_with"] if part["shared_with"].is_not_null().any() else []    # a mark, when there is one
        items.append(Table(f"list-{kind}", heading, part, LIST_COLUMNS + shared, text, total=counts[kind],
                           note=(f"按持续时间显示前 {count(part.height)}；导出包含全部。"
                                 if counts[kind] > part.height else None)))
    return items


def view(v: View) -> list:
    n, m = stalls.stall_months()
    fx = v.fx
    board = v.ask(stalls.stalled_summaries, fx)           # 总览 asks the same: one query for both
    counts, by_unit = board["counts"], board["responsible_unit"]
    by_district = v.ask(stalls.stalled_summaries, v.filters)["district"]     # the chart keeps every district
    stalled = v.ask(stalls.stalled_projects, fx, None, None, LIST_LIMIT)
    title = f"预警督办清单（签约超{n}个月未开工、开工超{m}个月未投产）"
    newest = v.ask(freshness.newest_as_of)
    stamp = f"_{newest:%Y%m%d}" if newest else ""
    return [
        Metrics("counts", "预警项目", [Card("预警项目", count(counts["total"])),
                                      Card(f"签约超{n}个月未开工", count(counts[stalls.SIGNED_NOT_STARTED])),
                                      Card(f"开工超{m}个月未投产", count(counts[stalls.STARTED_NOT_PRODUCING]))],
                takeaways.stalled(by_district, counts) if counts["total"] else "没有预警项目"),
        Row([_districts(v, by_district, counts, n, m),
             Table("units", "按责任单位", by_unit, UNIT_COLUMNS, takeaways.stalled(by_unit, counts), height=360)]),
        Download("alerts-export", "导出督办清单（Excel）",
                 lambda: [("预警项目", v.ask(stalls.stalled_projects, fx)),
                          ("按县区", board["district"]), ("按责任单位", by_unit)],
                 title, f"预警督办清单{stamp}", fx.without_window()),     # a stall is a state now: no time range
        *_lists(stalled, counts, n, m),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("alerts")
