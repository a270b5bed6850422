"""总览: the cockpit a leader reads in ten seconds."""

from __future__ import annotations

import polars as pl

from report import figures, takeaways
from report.colors import EVENT_COLORS
from report.format import count, day, pct, window, yi, yoy
from report.view import Card, Chart, Click, Expander, Heading, Message, Metrics, Row, Table, View
from warehouse import freshness, overview

RANKING_COLUMNS = ["rank", "district", "signed", "signed_wan", "started", "started_wan", "producing",
                   "producing_wan"]
RATE_HELP = ("签约在时间范围内的项目中：履约率、开工率 = 达到该阶段 ÷ 签约数；投产率 = 投产 ÷ 开工；"
             "达效率 = 达效 ÷ 投产。终止项目计入分母。")


def caption(v: View) -> str:
    d1, d2 = v.ask(overview.window_of, v.filters)
    return f"时间范围：{window(d1, d2)}" + ("，同比为上年同期" if v.filters.has_window else "")


def _cockpit(head: pl.DataFrame) -> Metrics:
    rows = list(head.iter_rows(named=True))
    cards = [Card(f"{r['event']}项目", count(r["projects"]), yoy(r["projects_yoy"]), color=EVENT_COLORS[r["event"]])
             for r in rows]
    cards += [Card(f"{r['event']}投资额", yi(r["investment_wan"]), yoy(r["investment_yoy"]),
                   color=EVENT_COLORS[r["event"]]) for r in rows]
    return Metrics("cockpit", "签约、开工、投产总体情况", cards, takeaways.headline(head))


def _rates(funnel: pl.DataFrame) -> Metrics:
    rates = funnel.filter(pl.col("rate_name").is_not_null())
    cards = [Card(r["rate_name"], pct(r["rate"]), help=RATE_HELP) for r in rates.iter_rows(named=True)]
    return Metrics("rates", "签约项目的转化率", cards, takeaways.funnel(funnel))


def _freshness(fresh: pl.DataFrame) -> list:
    late = fresh.filter(pl.col("late"))
    if late.height:
        names = "、".join(f"{r['district']}（{'未报送' if r['latest_as_of'] is None else '最新 ' + day(r['latest_as_of'])}）"
                          for r in late.iter_rows(named=True))
        message = Message(f"逾期未报：{names}", "warning", ":material/schedule:")
    else:
        message = Message("各县区台账均已按时报送", "success", ":material/check_circle:")
    return [Heading("数据新鲜度"), message,
            Table("freshness", "数据新鲜度（各县区最新台账）", fresh,
                  ["district", "latest_as_of", "days_behind", "projects", "freshness"],
                  takeaways.freshness(late["district"].to_list()), show_title=False)]


def view(v: View) -> list:
    fx = v.fx
    head = v.ask(overview.headline, fx)
    funnel = v.ask(overview.funnel, fx)
    ranking = v.ask(overview.district_ranking, v.filters)
    trend = v.ask(overview.monthly_trend, fx)
    top = v.ask(overview.top_projects, fx, 10).with_row_index("rank", offset=1)
    return [
        _cockpit(head),
        Row([
            Chart("funnel", "项目转化漏斗（签约项目的后续进展）", figures.funnel(funnel), takeaways.funnel(funnel),
                  scope=fx),
            Chart("ranking", "县区签约投资排名", figures.district_ranking(ranking, v.highlight("districts")),
                  takeaways.district_ranking(ranking), hint="点击柱条，按该县区筛选本页其余内容",
                  click=Click("districts", "县区"), scope=v.filters),
        ]),
        _rates(funnel),
        Expander("县区签约、开工、投产明细", [
            Table("ranking-table", "县区签约、开工、投产情况", ranking, RANKING_COLUMNS, slide_rows=None,
                  show_title=False)]),
        Chart("trend", "月度签约、开工、投产项目数", figures.monthly_trend(trend), takeaways.monthly_trend(trend),
              scope=fx),
        Row([
            [Table("top", "投资额最大的十个项目", top,
                   ["rank", "project_name", "total_investment_wan", "district", "chain", "stage", "investor"],
                   takeaways.top_project(top))],
            _freshness(v.ask(freshness.district_freshness)),
        ], widths=[3, 2]),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("overview")
