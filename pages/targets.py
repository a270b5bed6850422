"""目标进度: every district against its annual targets (时间过半、任务过半) — one sentence for the
leader, the district × indicator matrix with lights, each indicator's ranking against the
time-progress line, and each district's month-by-month trajectory."""

from __future__ import annotations

from datetime import date

import polars as pl

from report import takeaways, vocab
from report import target_figures as tf
from report.format import day, pct
from report.view import (Card, Chart, Choice, Download, Expander, Heading, Message, Metrics, Note, Row, Table, Tabs,
                         View)
from warehouse import targets

START_TEXT = """
数据仓库中还没有目标任务数据。

**导入**（与项目台账相同：在“数据管理”页上传，系统按内容自动识别）：

1. 年度目标任务分解表（县区 × 指标，如“签约项目数”“实际利用外资”）；
2. 每月的指标完成情况表（各县区 1—N 月累计完成数）。

签约项目数、签约项目投资额的完成数由项目台账自动统计。演示数据（见使用说明）含 2024、2025 年的目标和月报。
"""
EXPORT_COLUMNS = ["district", "indicator", "unit", "target", "actual", "completion", "time_progress", "gap_points",
                  "light", "rank", "actual_source", "ledger_as_of"]
RANKING_COLUMNS = ["rank_text", "district", "target_text", "actual_text", "completion_text", "gap_text", "light",
                   "yoy_text", "note"]
LIGHT_DELTA = {vocab.GREEN: "green", vocab.YELLOW: "orange", vocab.RED: "red", None: "gray"}  # the card's colour
LIGHT_TEXT_COLORS = {vocab.light_text(k): vocab.LIGHT_COLORS[k] for k in (vocab.GREEN, vocab.YELLOW, vocab.RED)}


def empty(v: View) -> list | None:
    """The start page when there are no targets yet."""
    if not v.ask(targets.status)["empty"]:
        return None
    return [Note("目标任务完成情况", "尚无数据：目标任务数据未导入。导入各县区目标任务分解表和指标完成情况表后，"
                                 "本页显示完成率与红黄绿预警。"), Message(START_TEXT, "markdown")]


def _best_date(dates: list[date], wanted) -> date:
    """The newest report date on or before `wanted` (the newest of all without one)."""
    if wanted is None or not isinstance(wanted, date):
        return dates[0]
    earlier = [d for d in dates if d <= wanted]
    return earlier[0] if earlier else dates[-1]


def _year_choice(v: View, years: list[int]) -> Choice:
    wanted = v.values.get("tg-as-of")
    sidebar = v.filters.date_from.year if v.filters.date_from is not None else None
    default = next((y for y in (getattr(wanted, "year", None), sidebar) if y in years), years[0])
    return Choice("tg-year", "年度", years, default, kind="select", labels={y: f"{y}年" for y in years})


def _ranking(part: pl.DataFrame, unit: str) -> pl.DataFrame:
    rows = []
    for r in part.sort("rank", nulls_last=True).iter_rows(named=True):
        rows.append({
            "rank_text": "—" if r["rank"] is None else str(r["rank"]), "district": r["district"],
            "target_text": tf.amount(r["target"], unit), "actual_text": tf.amount(r["actual"], unit),
            "completion_text": pct(r["completion"]), "gap_text": tf.points(r["gap_points"]), "light": r["light"],
            "yoy_text": pct(r["yoy"], signed=True), "note": _note(r, unit)})
    schema = {c: pl.String for c in RANKING_COLUMNS}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def _note(r: dict, unit: str) -> str:
    if r["disagreement"]:
        return f"不一致：台账{tf.amount(r['actual_ledger'], unit)}，县区报送{tf.amount(r['actual_reported'], unit)}"
    if tf.stale_ledger(r):
        return f"台账截至{day(r['ledger_as_of'])}"
    if r["actual_source"] == "报送" and r["source"] == "ledger":
        return "县区报送（台账未更新到本月）" if r["actual_ledger"] is not None else "县区报送"
    return ""


def _city(city: pl.DataFrame, when: str) -> Metrics:
    cards = []
    for r in city.iter_rows(named=True):
        source = "（全市数按报表所填）" if r["from_city_row"] else "（各县区合计）"
        cards.append(Card(r["indicator"], pct(r["completion"]),
                          None if r["gap_points"] is None else tf.points(r["gap_points"]),
                          delta_color=LIGHT_DELTA[r["light"]],
                          help=f"{vocab.LIGHT_NAMES[r['light']]}：完成 {tf.amount(r['actual'], r['unit'])}，"
                               f"目标 {tf.amount(r['target'], r['unit'])}{source}",
                          color=vocab.LIGHT_COLORS[r["light"]]))
    return Metrics("city", f"全市完成情况（{when}）", cards, takeaways.city_targets(city), show_title=True)


def _indicator(v: View, year_rows: pl.DataFrame, rows: pl.DataFrame, ind: str, unit: str, as_of: date,
               shown: list[str], caption: str) -> list:
    part = rows.filter(pl.col("indicator") == ind)
    items: list = []
    worst = takeaways.worst_of(part)
    bars = (Chart(f"bars-{ind}", f"{ind}（{unit}）：各县区完成率",
                  tf.progress_bars(part, part["time_progress"][0], unit),
                  takeaways.target_gap(worst["district"], ind, worst["completion"], worst["time_progress"]),
                  scope=caption, as_of=as_of, show_title=False)
            if worst is not None else Note(f"{ind}（{unit}）", "尚无县区完成数据。"))
    disagree = part.filter(pl.col("disagreement"))
    table = [Table(f"ranking-{ind}", f"{ind}（{unit}）：各县区排名", _ranking(part, unit), RANKING_COLUMNS,
                   slide_rows=None, colors=LIGHT_TEXT_COLORS, show_title=False)]
    if disagree.height:
        table.append(Message("台账与县区报送不一致：" + "；".join(
            f"{r['district']}台账{tf.amount(r['actual_ledger'], unit)}、报送{tf.amount(r['actual_reported'], unit)}"
            for r in disagree.iter_rows(named=True)), "warning", ":material/warning:"))
    # stacked, not side by side: the ranking's nine columns need the page's width at 1366
    items += [bars, *table]
    path = targets.trajectory_of(year_rows, ind).filter((pl.col("as_of") <= as_of) & pl.col("completion").is_not_null())
    if v.filters.districts:
        path = path.filter(pl.col("district").is_in([*v.filters.districts, "全市"]))
    focus_choice = Choice(f"tg-focus-{ind}", "突出显示", ["（全部）", *[d for d in shown if d in path["district"]]],
                          kind="select")
    focus = v.value(focus_choice)
    items += [Heading(f"{ind}：各县区逐月完成率与序时进度线"), focus_choice,
              Chart(f"path-{ind}", f"{ind}：各县区逐月完成率与序时进度", tf.trajectory(path, None if focus == "（全部）" else focus),
                    scope=caption, as_of=as_of, show_title=False)]
    return items


def _definitions(as_of: date, time_progress: float) -> Expander:
    yellow, red = targets.thresholds()
    return Expander("口径说明", [Message(f"""
- **完成率** = 完成数 ÷ 年度目标；**序时进度** = 截至月份 ÷ 12（{tf.month_label(as_of)}为 {pct(time_progress)}）；
  **较序时进度** = （完成率 − 序时进度）× 100，单位为百分点。
- **预警**：{vocab.light_rule(yellow, red)}。
- **签约项目数、签约项目投资额**由项目台账统计：签约日期在当年 1 月 1 日至截至日期之间的项目，
  以截至日期前最新一期台账为准；县区同时报送的，两者都显示，同月台账与报送不同时标出“不一致”。
  台账未更新到本月而县区有报送的，以报送数为准。
- 其他指标为县区报送的 1—N 月累计数；**同比**与上年同月比较。
- 排名只在有目标且有完成数的县区之间进行；全市数取报表中的全市行，没有时为各县区合计。
""", "markdown")])


def view(v: View) -> list:
    years = v.ask(targets.status)["years"]
    year_choice = _year_choice(v, years)
    year = v.value(year_choice)
    year_rows = v.ask(targets.indicator_progress, year)
    if v.scope_label:          # a district account: its 全市 rows are its own sums, not the city's
        year_rows = year_rows.filter(~pl.col("is_city"))
    dates = targets.report_dates_of(year_rows)
    if not dates:
        return [Row([year_choice]), Note("目标任务完成情况", f"{year}年已有目标，但还没有完成情况（指标月报或项目台账）。")]
    as_of_choice = Choice("tg-as-of", "截至", dates, _best_date(dates, v.values.get("tg-as-of")), kind="select",
                          labels={d: tf.month_label(d) for d in dates})
    as_of = v.value(as_of_choice)
    progress = year_rows.filter(pl.col("as_of") == as_of)
    time_progress = progress["time_progress"][0]
    when = f"{tf.month_label(as_of)}，序时进度 {pct(time_progress)}"
    scope = f"县区：{'、'.join(v.filters.districts)}" if v.filters.districts else f"范围：{v.scope_label or '全市'}"
    caption = f"{scope}；{when}"
    names = targets.indicators_of(progress)
    indicators, units = names["indicator"].to_list(), dict(zip(names["indicator"], names["unit"]))
    rows = targets.district_rows_of(progress)
    if v.filters.districts:
        rows = rows.filter(pl.col("district").is_in(list(v.filters.districts)))
    shown = rows.sort("district_order").unique("district", maintain_order=True)["district"].to_list()
    city = targets.city_totals_of(year_rows, as_of)
    yellow, red = targets.thresholds()
    scoped = year_rows.filter(pl.col("district").is_in(list(v.filters.districts))) if v.filters.districts else year_rows
    sentence = takeaways.targets_sentence(scoped, year, as_of)
    export = rows.sort("indicator_order", "district_order").select(EXPORT_COLUMNS)
    items: list = [
        Download("targets-export", "导出目标进度（Excel）", lambda: [("目标进度", export)],
                 f"目标任务完成情况（{when}）", f"目标进度_{as_of:%Y%m%d}", caption),
        Row([year_choice, as_of_choice,
             Message(f"{when}（月数÷12）" + ("；本页只按县区筛选" if v.filters.districts else ""))], widths=[1, 1, 3]),
        Message(sentence, "info", ":material/campaign:"),
    ]
    if city.height and not v.filters.districts:
        items.append(_city(city, when))
    items.append(Heading("县区 × 指标完成情况"))
    items.append(Message(f"{vocab.light_rule(yellow, red)}；○ 无完成数；* 台账未更新到所选月份，按最近一期台账统计"))
    if shown and indicators:
        items.append(Chart("matrix", f"各县区目标任务完成情况（{when}）", tf.matrix(rows, shown, indicators),
                           sentence.split("。")[0], scope=caption, as_of=as_of, show_title=False))
    else:
        items.append(Note("各县区目标任务完成情况", "所选县区没有目标数据。"))
    items.append(Heading("分指标排名与进度"))
    items.append(Tabs([(ind, _indicator(v, year_rows, rows, ind, units[ind], as_of, shown, caption))
                       for ind in indicators]))
    items.append(_definitions(as_of, time_progress))
    return items


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("targets")
