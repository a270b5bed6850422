"""六职招商: what each district's six posts did this month and this year — trips out (批次, days,
companies visited, leads), companies received, and how far the projects they are responsible
for (包抓) got in the project ledger; the 红黑榜 (most trips / no trip this month), the monthly
trend and one leader's trips and projects."""

from __future__ import annotations

from datetime import date

import polars as pl

from report import figures
from report.format import count, yi
from report.view import Card, Chart, Choice, Download, Heading, Message, Metrics, Note, Row, Table, View
from warehouse import six
from warehouse.filters import STAGES

START_TEXT = """
数据仓库中还没有“六职”招商数据。

各县区每月（或每季度）报送“六职”领导干部（县区委书记、县区长、副书记、常务副县区长、分管招商引资副县区长、
开发区主任）的外出招商、接待客商和包抓项目情况，在“数据管理”页上传，系统按内容自动识别；格式不同的，
可在“数据管理”页下载“六职”招商空白模板。演示数据含 2025 年各县区的“六职”招商表。
"""
ACTIVITY_COLUMNS = ["district", "trips_month", "trips", "days", "companies_visited", "leads", "receptions"]
PROGRESS_COLUMNS = ["district", "six_projects", "six_signed", "six_registered", "six_started", "six_producing",
                    "signed_wan"]
DISTRICT_COLUMNS = [*ACTIVITY_COLUMNS, *PROGRESS_COLUMNS[1:]]          # the Excel sheet: both
LEADER_COLUMNS = ["district", "six_leader", "post", "trips_month", "trips", "companies_visited", "six_projects",
                  "six_signed", "six_started"]
LEADER_EXPORT = ["district", "six_leader", "post", "trips_month", "trips", "days", "companies_visited", "leads",
                 "receptions", "six_projects", "six_signed", "six_registered", "six_started", "six_producing"]
TRIP_COLUMNS = ["trip_start", "days", "destination", "companies_visited", "companies", "leads"]
PROJECT_COLUMNS = ["district", "six_leader", "post", "project_name", "is_planned", "in_ledger", "reached_text",
                   "total_investment_wan", "chain"]
DEFINITIONS = ("外出招商按出发日期计入当月；本年为1月1日至所选月份月底。“六职”项目为本年包抓表所列项目，"
               "按项目编号（无编号时按县区和项目名称）与项目台账对应，签约、履约、开工、投产按台账最新进展计"
               "（达到该阶段或更后阶段）。")


def _month_choice(months: list[date]) -> Choice:
    return Choice("six-month", "月份", months, months[0], kind="select",
                  labels={m: f"{m.year}年{m.month}月" for m in months})


def _joined(act: pl.DataFrame, prog: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Activity and project progress side by side, zeros where a side has nothing."""
    prog = prog.drop([c for c in ("district_code", "post") if c in prog.columns and c not in keys])
    out = act.join(prog, on=keys, how="full", coalesce=True)
    counts = [c for c in (*six.ACTIVITY, *six.PROGRESS) if c in out.columns and c != "signed_wan"]
    return (out.with_columns([pl.col(c).fill_null(0) for c in counts])
            .sort(["trips", "companies_visited", "signed"], descending=True)
            .rename({"projects": "six_projects", "signed": "six_signed", "registered": "six_registered",
                     "started": "six_started", "producing": "six_producing",
                     **({"leader": "six_leader"} if "leader" in out.columns else {})}))


def _sentence(t: dict, scope: str, month: date) -> str:
    return (f"{month.year}年1—{month.month}月，{scope}“六职”干部累计带队外出招商{t['trips']}批次，拜访企业{t['companies_visited']}家，"
            f"推动已入库“六职”招商项目完成签约{t['signed']}个、履约{t['registered']}个、开工{t['started']}个"
            + (f"；年初谋划拟招引项目{t['planned']}个，已签约{t['planned_signed']}个、履约{t['planned_registered']}个、"
               f"开工{t['planned_started']}个。" if t["planned"] else "。"))


def _progress_sentence(t: dict) -> str:
    return (f"“六职”包抓项目{t['projects']}个（台账中已有{t['linked']}个），已签约{t['signed']}个、履约{t['registered']}个、"
            f"开工{t['started']}个、投产{t['producing']}个")


def _cards(t: dict, month: date) -> list[Card]:
    return [Card("外出招商", f"{t['trips']}批次", delta=f"本月{t['trips_month']}批次", delta_color="off"),
            Card("拜访企业", f"{t['companies_visited']}家"), Card("外出天数", f"{t['days']}天"),
            Card("接待客商", f"{t['receptions']}家"),
            Card("“六职”项目签约", count(t["signed"]), delta=f"履约{t['registered']}个 · 开工{t['started']}个",
                 delta_color="off"),
            Card("“六职”项目签约投资", yi(t["signed_wan"]))]


def _boards(leaders: pl.DataFrame, districts: pl.DataFrame, month: date) -> list:
    red = leaders.filter(pl.col("trips") > 0).head(10)
    black = leaders.filter(pl.col("trips_month") == 0).sort("district", "six_leader")
    names = "、".join(f"{r['district']}{r['six_leader']}" for r in black.head(8).iter_rows(named=True))
    idle = districts.filter(pl.col("trips_month") == 0)["district"].to_list()
    idle_text = f"；{'、'.join(idle)}本月没有一位领导外出招商" if idle else ""
    return [Table("red", "红榜：本年外出招商最多的领导", red, ["district", "six_leader", "post", "trips", "companies_visited"],
                  f"最多的是{red['district'][0]}{red['six_leader'][0]}（{red['trips'][0]}批次）" if red.height else None,
                  height=380),
            Table("black", f"黑榜：{month.month}月没有外出招商的领导", black, ["district", "six_leader", "post", "trips"],
                  f"{black.height}位领导本月没有外出招商：{names}{'等' if black.height > 8 else ''}{idle_text}"
                  if black.height else "本月每位领导都有外出招商", height=380)]


def _stage_text(reached: int, in_ledger: bool) -> str:
    if not in_ledger:
        return "台账中暂无"
    return STAGES[reached - 1] if 1 <= reached <= len(STAGES) else "终止"


def _projects(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({"leader": "six_leader", "planned": "is_planned"}).with_columns(
        pl.struct("reached", "in_ledger").map_elements(lambda r: _stage_text(r["reached"], r["in_ledger"]),
                                                        return_dtype=pl.String).alias("reached_text"))


def _leader_detail(v: View, leaders: pl.DataFrame, year: int) -> list:
    if not leaders.height:
        return []
    keys = [f"{r['district']}|{r['six_leader']}" for r in leaders.sort("district", "six_leader").iter_rows(named=True)]
    posts = {f"{r['district']}|{r['six_leader']}": r["post"] for r in leaders.iter_rows(named=True)}
    pick = Choice("six-leader", "查看领导", keys, keys[0], kind="select",
                  labels={k: f"{k.split('|')[0]} · {k.split('|')[1]}（{posts[k]}）" for k in keys})
    district, leader = v.value(pick).split("|", 1)
    trips = v.ask(six.leader_trips, v.filters, year, district, leader).rename(
        {"start_date": "trip_start", "end_date": "trip_end"})
    projects = _projects(v.ask(six.projects, v.filters, year, district, leader))
    return [Heading("领导明细"), Row([pick]),
            Table("leader-trips", f"{district}{leader}：{year}年外出招商（{trips.height}批次）", trips, TRIP_COLUMNS,
                  None if trips.height else "本年没有外出招商记录"),
            Table("leader-projects", f"{district}{leader}：包抓项目（{projects.height}个）", projects, PROJECT_COLUMNS,
                  None if projects.height else "本年没有包抓项目")]


def view(v: View) -> list:
    state = v.ask(six.status)
    if state["empty"] or not state["months"]:
        return [Note("“六职”招商", "尚无数据：各县区“六职”招商表尚未导入。"), Message(START_TEXT, "markdown")]
    month_choice = _month_choice(state["months"])
    month = v.value(month_choice)
    scope = "、".join(v.filters.districts) if v.filters.districts else (v.scope_label or "全市各县区")
    by_district = v.ask(six.activity, v.filters, month)
    progress = v.ask(six.progress, v.filters, month.year)
    totals = six.totals_of(by_district, progress)
    districts = _joined(by_district, six.progress_of(progress, "district"), ["district_code", "district"])
    leaders = _joined(v.ask(six.activity, v.filters, month, "leader"), six.progress_of(progress, "leader"),
                      ["district_code", "district", "leader", "post"])
    trend = v.ask(six.trend, v.filters, month.year)
    sentence = _sentence(totals, scope, month)
    return [
        Row([month_choice]),
        Metrics("cards", "“六职”招商", _cards(totals, month), sentence),
        Message(sentence, "info"),
        Message(DEFINITIONS),
        Download("six-export", "导出“六职”招商情况（Excel）",
                 lambda: [("按县区", districts.select(DISTRICT_COLUMNS)), ("按领导", leaders.select(LEADER_EXPORT)),
                          ("包抓项目", _projects(v.ask(six.projects, v.filters, month.year)).select(PROJECT_COLUMNS))],
                 f"“六职”招商情况（{month.year}年1—{month.month}月）", f"六职招商_{month:%Y%m}", v.filters),
        Chart("districts", "各县区本年外出招商与拜访企业", figures.six_bars(districts), sentence, scope=v.filters),
        Table("by-district", "按县区：外出招商", districts, ACTIVITY_COLUMNS, sentence),
        Table("by-district-projects", "按县区：“六职”包抓项目进展", districts, PROGRESS_COLUMNS,
              _progress_sentence(totals)),
        Row(_boards(leaders, districts, month)),
        Chart("trend", f"{month.year}年每月外出招商", figures.six_trend(trend),
              f"外出招商最多的是{trend.sort('trips', descending=True)['month'][0].month}月" if trend.height else None,
              scope=v.filters),
        Table("by-leader", "按领导", leaders, LEADER_COLUMNS, None, height=420),
        *_leader_detail(v, leaders, month.year),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("six")
