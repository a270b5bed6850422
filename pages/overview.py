"""总览: the cockpit a leader reads in ten seconds."""

from __future__ import annotations

import polars as pl

from report import figures, takeaways
from report import target_figures as tf
from report.colors import EVENT_COLORS
from report.format import count, day, pct, window, yi, yoy
from report.view import Card, Chart, Click, Expander, Heading, Message, Metrics, Row, Table, View
from warehouse import freshness, overview, stalls, targets

RANKING_COLUMNS = ["rank", "district", "signed", "signed_wan", "started", "started_wan", "producing",
                   "producing_wan"]
RATE_HELP = ("签约在时间范围内的项目中：履约率、开工率 = 达到该阶段 ÷ 签约数；投产率 = 投产 ÷ 开工；"
             "达效率 = 达效 ÷ 投产。终止项目计入分母。")
EVENT_HELP = {"签约": "签约日期在时间范围内的项目", "开工": "开工日期在时间范围内的项目（不论何时签约）",
              "投产": "投产日期在时间范围内的项目（不论何时签约）"}


def caption(v: View) -> str:
    d1, d2 = v.ask(overview.window_of, v.filters)
    return f"时间范围：{window(d1, d2)}" + ("，同比为上年同期" if v.filters.has_window else "")


def cockpit(head: pl.DataFrame) -> Metrics:
    rows = list(head.iter_rows(named=True))
    cards = [Card(f"{r['event']}项目", count(r["projects"]), yoy(r["projects_yoy"]), color=EVENT_COLORS[r["event"]],
                  help=EVENT_HELP[r["event"]]) for r in rows]
    cards += [Card(f"{r['event']}投资额", yi(r["investment_wan"]), yoy(r["investment_yoy"]),
                   color=EVENT_COLORS[r["event"]], help=EVENT_HELP[r["event"]]) for r in rows]
    return Metrics("cockpit", "签约、开工、投产总体情况", cards, takeaways.headline(head))


def _rates(funnel: pl.DataFrame) -> Metrics:
    rates = funnel.filter(pl.col("rate_name").is_not_null())
    cards = [Card(f"期内签约项目{r['rate_name']}", pct(r["rate"]), help=RATE_HELP) for r in rates.iter_rows(named=True)]
    return Metrics("rates", "期内签约项目的转化率", cards, takeaways.funnel(funnel))


def _targets_card(v: View) -> Card | None:
    """目标预警 at the newest report date: the red and yellow lights, the one furthest behind."""
    status = v.ask(targets.status)
    if status["empty"]:
        return None
    rows = v.ask(targets.indicator_progress, status["years"][0])
    dates = targets.report_dates_of(rows)
    if not dates:
        return None
    s = targets.behind_summary_of(rows, dates[0])
    worst = s["worst"]
    detail = (f"最落后：{worst[0]}{worst[1]}（{tf.points(worst[2])}）" if worst else "各县区均达到或接近序时进度")
    return Card(f"目标预警（{tf.month_label(dates[0])}）", f"红灯{len(s['red'])}项", f"黄灯{len(s['yellow'])}项",
                "orange" if s["yellow"] else "green", help=detail, link="targets",
                link_label=f"最落后：{worst[0]}{worst[1]}" if worst else "查看目标进度")


def attention(v: View, fresh: pl.DataFrame) -> Metrics:
    """The first screen's 'what is red': targets behind, projects to 督办, districts late to report."""
    n, m = stalls.stall_months()
    counts = v.ask(stalls.stalled_summaries, v.fx)["counts"]     # as 预警督办 asks: one query for both
    late = fresh.filter(pl.col("late"))["district"].to_list()
    cards = [c for c in (_targets_card(v),) if c]
    kinds = (f"签约超{n}个月未开工{count(counts[stalls.SIGNED_NOT_STARTED])}，"
             f"开工超{m}个月未投产{count(counts[stalls.STARTED_NOT_PRODUCING])}")
    cards.append(Card("预警督办项目", count(counts["total"]), "需督办" if counts["total"] else "无",
                      "red" if counts["total"] else "green", help=kinds, link="alerts",
                      link_label=f"签约未开工{counts[stalls.SIGNED_NOT_STARTED]:,} · 开工未投产{counts[stalls.STARTED_NOT_PRODUCING]:,}"))
    names = "、".join(late[:4]) + ("等" if len(late) > 4 else "") if late else "各县区台账均已按时报送"
    cards.append(Card("逾期未报县区", count(len(late)), "请催报" if late else "按时", "orange" if late else "green",
                      help=names, link="data", link_label=names))
    text = "；".join(f"{c.label}{c.value}" for c in cards)
    return Metrics("attention", "需要关注", cards, text)


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
    fresh = v.ask(freshness.district_freshness)
    head = v.ask(overview.headline, fx)
    funnel = v.ask(overview.funnel, fx)
    ranking = v.ask(overview.district_ranking, v.filters)
    trend = v.ask(overview.monthly_trend, fx)
    top = v.ask(overview.top_projects, fx, 10).with_row_index("rank", offset=1)
    return [
        attention(v, fresh),
        cockpit(head),
        Row([
            Chart("funnel", "期内签约项目目前进展到哪一步", figures.funnel(funnel), takeaways.funnel(funnel),
                  hint="上方卡片按各自日期统计期内签约、开工、投产的项目；本图只看期内签约的项目，其中有多少已履约、开工、投产",
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
            _freshness(fresh),
        ], widths=[3, 2]),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("overview")
