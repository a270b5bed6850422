"""The building blocks of every deck: each function reads the warehouse (warehouse/ functions
only, no SQL here), builds the same figures as the pages (ui.charts) and returns slide items
with their takeaway. report.pages puts them together per page and for the weekly meeting.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go
import polars as pl

from report import takeaways
from ui import charts
from ui.colors import EVENT_COLORS, cluster_colors
from ui.format import count, pct, period, yi
from ui.tables import label
from warehouse import batches, chains, ledger, mapdata, overview, stalls
from warehouse.filters import Filters
from warehouse.options import filter_options

TABLE_ROWS = 15        # rows of a list on a slide; the Excel export has them all
TARGETS_MISSING = "目标任务数据未导入"


@dataclass
class Chart:
    fig: go.Figure
    title: str
    takeaway: str | None = None


@dataclass
class Table:
    frame: pl.DataFrame          # Chinese headers, display values
    title: str
    takeaway: str | None = None
    note: str | None = None
    colors: dict[str, str] | None = None     # cell text → font colour (the lights)


@dataclass
class Metrics:
    title: str
    cards: list[dict] = field(default_factory=list)
    takeaway: str | None = None


@dataclass
class Note:
    title: str
    text: str


Item = Chart | Table | Metrics | Note


# --- tables for people ------------------------------------------------------------------


def _money_column(column: str) -> bool:
    return column.endswith("_wan")


def _cell(column: str, value, row: dict):
    if value is None:
        return "—"
    if _money_column(column):
        return yi(value, unit=False)
    if column.startswith("share_") or column.endswith("rate"):
        return pct(value)
    if column == "period":
        return period(value)
    if column == "chain" and row.get("chain_known") is False:
        return f"未识别：{value}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The chosen columns as text, headed like the screen's tables (总投资（亿元）, 项目数（个）)."""
    columns = [c for c in columns if c in df.columns]
    rows = [{label(c): _cell(c, r[c], r) for c in columns} for r in df.iter_rows(named=True)]
    schema = {label(c): pl.Utf8 for c in columns}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def _more_note(shown: int, total: int, what: str = "项目", unit: str = "个") -> str | None:
    if total > shown:
        return f"共{count(total, unit)}{what}，此处列出前{shown}{unit}；完整清单请在页面导出 Excel。"
    return None


# --- 总览 -------------------------------------------------------------------------------


def cockpit(con, f: Filters) -> list[Item]:
    head = overview.headline(con, f)
    cards = []
    for row in head.iter_rows(named=True):
        color = EVENT_COLORS.get(row["event"])
        cards.append({"label": f"{row['event']}项目", "value": count(row["projects"]), "color": color,
                      "detail": _yoy(row["projects_yoy"])})
        cards.append({"label": f"{row['event']}投资额", "value": yi(row["investment_wan"]), "color": color,
                      "detail": _yoy(row["investment_yoy"])})
    # cards in reading order: three columns (签约, 开工, 投产), counts above investment
    cards = cards[0::2] + cards[1::2]
    return [Metrics("签约、开工、投产总体情况", cards, takeaways.headline(head))]


def _yoy(fraction) -> str:
    return "同比 —" if fraction is None else f"同比 {pct(fraction, signed=True)}"


def ranking(con, f: Filters, table: bool = False) -> list[Item]:
    df = overview.district_ranking(con, f)
    items: list[Item] = [Chart(charts.district_ranking(df), "县区签约投资排名", takeaways.district_ranking(df))]
    if table:
        items.append(Table(display(df, ["rank", "district", "signed", "signed_wan", "started", "started_wan",
                                        "producing", "producing_wan"]), "县区签约、开工、投产情况"))
    return items


def funnel(con, f: Filters) -> list[Item]:
    df = overview.funnel(con, f)
    return [Chart(charts.funnel(df), "项目转化漏斗（签约项目的后续进展）", takeaways.funnel(df))]


def trend(con, f: Filters) -> list[Item]:
    df = overview.monthly_trend(con, f)
    return [Chart(charts.monthly_trend(df), "月度签约、开工、投产项目数", takeaways.monthly_trend(df))]


def top_projects(con, f: Filters, limit: int = 10) -> list[Item]:
    df = overview.top_projects(con, f, limit).with_row_index("rank", offset=1)
    top = df.row(0, named=True) if df.height else None
    takeaway = (f"投资额最大的是{top['district']}的{top['project_name']}，{yi(top['total_investment_wan'])}"
                if top else takeaways.NO_DATA)
    return [Table(display(df, ["rank", "project_name", "district", "chain", "stage", "total_investment_wan",
                               "investor"]), f"投资额最大的{limit}个项目", takeaway)]


# --- 产业链 -----------------------------------------------------------------------------


def chain_share(con, f: Filters) -> list[Item]:
    s = chains.key_chain_share(con, f)
    cards = [
        {"label": "项目总数", "value": count(s["all_projects"])},
        {"label": "总投资", "value": yi(s["all_investment_wan"])},
        {"label": "重点产业链项目", "value": count(s["key_projects"]), "detail": f"占 {pct(s['share_projects'])}"},
        {"label": "重点产业链投资", "value": yi(s["key_investment_wan"]), "detail": f"占 {pct(s['share_investment'])}"},
    ]
    text = (f"围绕重点产业链项目{count(s['key_projects'])}，总投资{yi(s['key_investment_wan'])}，"
            f"占{pct(s['share_investment'])}") if s["all_projects"] else takeaways.NO_DATA
    return [Metrics("重点产业链项目情况", cards, text)]


def chain_charts(con, f: Filters, treemap: bool = True, matrix: bool = True, table: bool = True) -> list[Item]:
    summary = chains.chain_summary(con, f)
    share = chains.key_chain_share(con, f)
    colors = cluster_colors(filter_options(con).clusters)
    active = summary.filter(pl.col("projects") > 0)
    items: list[Item] = [Chart(charts.chain_bars(active, colors), "各产业链项目数与投资额",
                               takeaways.chains(summary, share))]
    if treemap:
        items.append(Chart(charts.treemap(summary, colors, "investment_wan"), "产业集群与产业链投资结构",
                           takeaways.clusters(summary)))
    if matrix:
        m = chains.chain_district_matrix(con, f)
        if m.height:
            pivot = m.pivot(on="district", index="chain", values="projects", aggregate_function="sum")
            items.append(Chart(charts.heatmap(pivot, "chain"), "产业链 × 县区（项目数）",
                               takeaways.chain_district(m)))
    if table:
        top = active.sort(["investment_wan", "projects"], descending=True)
        items.append(Table(display(top.head(TABLE_ROWS), ["cluster", "chain", "is_key", "projects", "investment_wan",
                                                          "share_projects", "share_investment"]),
                           "各产业链项目明细（按投资额）", None, _more_note(min(TABLE_ROWS, top.height), top.height, "产业链", "条")))
    return items


def chain_gaps(con, f: Filters, fewer_than: int = 3) -> list[Item]:
    gaps = chains.chain_gaps(con, f, fewer_than)
    text = (f"项目少于{fewer_than}个的产业链{count(gaps.height, '条')}：" + "、".join(gaps["chain"].head(6).to_list())
            if gaps.height else f"所有产业链项目均不少于{fewer_than}个")
    return [Table(display(gaps.head(TABLE_ROWS), ["cluster", "chain", "is_key", "projects", "investment_wan"]),
                  "补链：项目偏少的产业链", text)]


# --- 目标任务 ---------------------------------------------------------------------------


def _targets_module():
    """warehouse.targets, or None in a build without it (the deck then says the data is missing)."""
    try:
        return importlib.import_module("warehouse.targets")
    except ImportError:
        return None


def _target_date(t, con, as_of: date | None) -> tuple[int, date] | None:
    """The year and report date to show: the newest report date on or before `as_of` (the
    newest at all when there is none before it)."""
    status = t.status(con)
    if status["empty"]:
        return None
    years = status["years"]
    year = as_of.year if as_of is not None and as_of.year in years else years[0]
    dates = t.report_dates(con, year)
    if not dates:
        return None
    earlier = [d for d in dates if as_of is None or d <= as_of]
    return year, (earlier[0] if earlier else dates[-1])


def targets(con, f: Filters, as_of: date | None, per_indicator: bool = False) -> list[Item]:
    """目标任务 with the three lights (warehouse.targets, the 目标进度 page's source): the district ×
    indicator matrix and the city's totals; per indicator the completion bars with the
    time-progress line. A note slide when no targets are loaded."""
    t = _targets_module()
    found = _target_date(t, con, as_of) if t is not None else None
    if found is None:
        return [Note("目标任务完成情况", f"{TARGETS_MISSING}：导入各县区目标任务分解表和指标完成情况表后，"
                                         "本页显示完成率与红黄绿预警。")]
    from ui import target_charts as tc

    year, at = found
    progress = t.indicator_progress(con, year, at)
    names = t.indicators_of(progress)     # the view once: the rest is derived from this frame
    indicators, units = names["indicator"].to_list(), dict(zip(names["indicator"], names["unit"]))
    rows = progress.filter(~pl.col("is_city") & pl.col("target").is_not_null())
    if f.districts:
        rows = rows.filter(pl.col("district").is_in(list(f.districts)))
    districts = rows.sort("district_order").unique("district", maintain_order=True)["district"].to_list()
    when = f"{tc.month_label(at)}，序时进度{pct(at.month / 12)}"
    if f.districts:
        worst = _worst(rows)
        sentence = takeaways.target_gap(worst["district"], worst["indicator"], worst["completion"],
                                        worst["time_progress"]) if worst else takeaways.NO_DATA
    else:
        sentence = t.leader_sentence_of(progress, year, at).split("。")[0]   # the first sentence: who is furthest behind
    items: list[Item] = []
    if districts and indicators:
        items.append(Chart(tc.matrix(rows, districts, indicators), f"各县区目标任务完成情况（{when}）", sentence))
    city = t.city_totals_of(progress, at)
    if city.height and not f.districts:
        frame = pl.DataFrame([{
            "指标": r["indicator"], "年度目标": tc.amount(r["target"], r["unit"]),
            "完成": tc.amount(r["actual"], r["unit"]), "完成率": pct(r["completion"]),
            "较序时进度": tc.points(r["gap_points"]), "预警": _light(r["light"]),
        } for r in city.iter_rows(named=True)])
        items.append(Table(frame, f"全市目标任务完成情况（{when}）", None,
                           "完成率 = 完成数 ÷ 年度目标；序时进度 = 截至月份 ÷ 12；落后10个百分点以上黄灯、30个以上红灯",
                           LIGHT_TEXT_COLORS))
    if per_indicator:
        for ind in indicators:
            part = rows.filter(pl.col("indicator") == ind)
            worst = _worst(part)
            if worst is not None:      # an indicator nobody has reported yet has no bars to show
                text = takeaways.target_gap(worst["district"], ind, worst["completion"], worst["time_progress"])
                items.append(Chart(tc.progress_bars(part, at.month / 12, units[ind]),
                                   f"{ind}（{units[ind]}）：各县区完成率", text))
    return items or [Note("目标任务完成情况", "所选县区没有目标任务数据。")]


LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", None: "无完成数"}
LIGHT_TEXT_COLORS = {"● 绿灯": "#2E9E44", "● 黄灯": "#C99A00", "● 红灯": "#D64545"}


def _light(value: str | None) -> str:
    return f"● {LIGHT_NAMES.get(value, value)}" if value else "—"


def _worst(rows: pl.DataFrame) -> dict | None:
    """The district furthest behind time progress (the exact values decide, as for the lights)."""
    known = rows.filter(pl.col("completion").is_not_null())
    if known.height == 0:
        return None
    return known.with_columns((pl.col("completion").cast(pl.Float64) - pl.col("time_progress").cast(pl.Float64))
                              .alias("_gap")).sort("_gap").row(0, named=True)


# --- 三个一批 ---------------------------------------------------------------------------


def batch_sections(con, f: Filters, breakdowns: bool = True, conversion: bool = True) -> list[Item]:
    report = batches.batch_report(con, f, None, "district")
    summary, current = report["summary"], report["period"]
    if summary.height == 0:
        return [Note("“三个一批”", "当前筛选条件下没有“三个一批”项目（台账中未填写期数和批次）。")]
    items: list[Item] = [Chart(charts.period_bars(summary, "projects", current), "“三个一批”各期项目数",
                               takeaways.batch_periods(summary, current))]
    this = summary.filter(pl.col("period") == current)
    items.append(Table(display(this, ["batch", "projects", "investment_wan", "prev_projects"]),
                       f"{period(current)}“三个一批”", takeaways.batch_periods(summary, current)))
    breakdown = report["breakdown"]
    if breakdowns:
        for batch in batches.BATCHES:
            part = breakdown.filter(pl.col("batch") == batch)
            if part.height:
                items.append(Chart(charts.breakdown_bars(part, "district"), f"{period(current)}{batch}：按县区",
                                   takeaways.batch_breakdown(part, "县区", "district")))
    else:
        items.append(Chart(_batch_district_bars(breakdown), f"{period(current)}“三个一批”：按县区（总投资）",
                           takeaways.batch_breakdown(breakdown, "县区", "district")))
    if conversion and report["conversion"].height:
        conv = report["conversion"].tail(8)
        items.append(Table(display(conv, ["period", "conversion", "projects", "converted", "rate", "reached_now",
                                          "reached_rate"]), "批次转化情况（近期各期）"))
    return items


def _batch_district_bars(breakdown: pl.DataFrame) -> go.Figure:
    """One chart of the chosen period: per district, the three batches side by side (亿元)."""
    from ui.colors import BATCH_COLORS

    fig = go.Figure()
    for batch, color in BATCH_COLORS.items():
        part = breakdown.filter(pl.col("batch") == batch)
        fig.add_trace(go.Bar(x=[charts.esc(d) for d in part["district"].to_list()],
                             y=charts.yi_floats(part, "investment_wan"), name=batch, marker_color=color,
                             text=[yi(w) for w in part["investment_wan"].to_list()], textposition="outside"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="总投资（亿元）")
    return charts.styled(fig, height=420)


# --- 预警督办 ---------------------------------------------------------------------------


def stalled_sections(con, f: Filters, list_rows: int = TABLE_ROWS, by_unit: bool = False) -> list[Item]:
    counts = stalls.stalled_counts(con, f)
    by_district = stalls.stalled_summary(con, f, "district")
    n, m = stalls.stall_months()
    if not counts["total"]:
        return [Note("预警督办", f"没有签约超过{n}个月未开工、开工超过{m}个月未投产的项目。")]
    items: list[Item] = [Chart(charts.stalled_bars(by_district, "district"),
                               f"预警项目：按县区（签约超{n}个月未开工、开工超{m}个月未投产）",
                               takeaways.stalled(by_district, counts))]
    if by_unit:
        units = stalls.stalled_summary(con, f, "responsible_unit")
        items.append(Table(display(units.head(TABLE_ROWS), ["responsible_unit", "signed_not_started",
                                                            "started_not_producing", "stalled", "investment_wan"]),
                           "预警项目：按责任单位", takeaways.stalled(units, counts)))
    projects = stalls.stalled_projects(con, f, None, None, list_rows)
    for kind, title in ((stalls.SIGNED_NOT_STARTED, f"签约超过{n}个月未开工的项目"),
                        (stalls.STARTED_NOT_PRODUCING, f"开工超过{m}个月未投产的项目")):
        part = projects.filter(pl.col("kind") == kind)
        if part.height == 0:
            continue
        longest = part.row(0, named=True)
        text = f"共{count(counts[kind])}，持续最久的是{longest['district']}的{longest['project_name']}（{longest['months']}个月）"
        items.append(Table(display(part, ["project_name", "district", "responsible_unit", "leader", "sign_date",
                                          "start_date", "months", "total_investment_wan"]),
                           title, text, _more_note(part.height, counts[kind])))
    return items


# --- 地图、台账 -------------------------------------------------------------------------


def district_totals(con, f: Filters) -> list[Item]:
    totals = mapdata.district_totals(con, f).filter(pl.col("projects") > 0).sort("investment_wan", descending=True)
    counts = mapdata.location_counts(con, f)
    text = takeaways.district_totals(totals)
    fig = charts.breakdown_bars(totals, "district")
    located = (f"地图上的项目{count(counts['located'])}（其中近似位置{count(counts['approximate'])}），"
               f"无坐标{count(counts['missing'])}")
    return [Chart(fig, "各县区项目总投资", text),
            Table(display(totals, ["district", "kind", "projects", "investment_wan"]), "县区合计", located)]


def project_list(con, f: Filters, rows: int = TABLE_ROWS * 2) -> list[Item]:
    total = ledger.project_count(con, f)
    df = ledger.project_list(con, f, limit=rows)
    cards = [{"label": "符合条件的项目", "value": count(total["projects"])},
             {"label": "总投资", "value": yi(total["investment_wan"])}]
    text = f"符合条件的项目{count(total['projects'])}，总投资{yi(total['investment_wan'])}"
    return [Metrics("项目台账", cards, text),
            Table(display(df, ["project_name", "district", "chain", "stage", "total_investment_wan", "sign_date",
                               "start_date", "responsible_unit"]), "项目清单（按总投资）", None,
                  _more_note(df.height, total["projects"]))]
