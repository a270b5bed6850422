"""产业链: cluster → chain, key-chain share, chain × district, gaps (补链), unknown chains."""

from __future__ import annotations

import polars as pl

from report import figures, takeaways
from report.colors import cluster_colors
from report.format import count, pct, window, yi
from report.view import Card, Chart, Choice, Click, Expander, Message, Metrics, Note, Row, Table, View
from warehouse import chains
from warehouse.options import filter_options

MEASURE = Choice("chains-measure", "面积表示", ["投资额", "项目数"])
FEWER = Choice("chains-gap-threshold", "项目数少于", kind="slider", bounds=(1, 10), default=3)
SUMMARY_COLUMNS = ["cluster", "chain", "is_key", "projects", "investment_wan", "share_projects", "share_investment"]


def caption(v: View) -> str:
    return f"时间范围：{window(v.filters.date_from, v.filters.date_to)}"


def _share(s: dict) -> Metrics:
    cards = [Card("项目总数", count(s["all_projects"])), Card("总投资", yi(s["all_investment_wan"])),
             Card("重点产业链项目", count(s["key_projects"]), f"占 {pct(s['share_projects'])}", "off"),
             Card("重点产业链投资", yi(s["key_investment_wan"]), f"占 {pct(s['share_investment'])}", "off")]
    text = (f"围绕重点产业链项目{count(s['key_projects'])}，总投资{yi(s['key_investment_wan'])}，"
            f"占{pct(s['share_investment'])}") if s["all_projects"] else takeaways.NO_DATA
    return Metrics("share", "重点产业链项目情况", cards, text)


def _matrix(v: View) -> Chart | Note:
    m = v.ask(chains.chain_district_matrix, v.fx)
    if m.height == 0:
        return Note("产业链 × 县区（项目数）", "当前筛选条件下没有项目。")
    pivot = m.pivot(on="district", index="chain", values="projects", aggregate_function="sum")
    return Chart("matrix", "产业链 × 县区（项目数）", figures.heatmap(pivot, "chain"), takeaways.chain_district(m),
                 scope=v.fx)


def _unknown(v: View) -> list:
    unknown = v.ask(chains.unknown_chains, v.fx)
    if unknown.height == 0:
        return [Note("未识别的产业链", "所有项目的产业链均已识别。", "success")]
    return [Table("unknown", "未识别的产业链", unknown, ["written_chain", "projects", "investment_wan", "districts"],
                  f"台账所填产业链不在产业链目录中的项目{count(int(unknown['projects'].sum()))}",
                  note="已计入“未识别产业链”，请核对台账，或由系统管理员在产业链目录中补充别名。")]


def view(v: View) -> list:
    share = v.ask(chains.key_chain_share, v.fx)
    summary = v.ask(chains.chain_summary, v.filters)
    colors = cluster_colors(v.ask(filter_options).clusters)
    measure = v.value(MEASURE)
    fewer = v.value(FEWER)
    gaps = v.ask(chains.chain_gaps, v.fx, fewer)
    active = summary.filter(pl.col("projects") > 0)
    top = active.sort(["investment_wan", "projects"], descending=True)
    gap_text = (f"项目少于{fewer}个的产业链{count(gaps.height, '条')}：" + "、".join(gaps["chain"].head(6).to_list())
                if gaps.height else f"所有产业链项目均不少于{fewer}个")
    return [
        _share(share),
        Row([
            [MEASURE,
             Chart("treemap", f"产业集群与产业链（{measure}）",
                   figures.treemap(summary, colors, "investment_wan" if measure == "投资额" else "projects"),
                   takeaways.clusters(summary), scope=v.filters)],
            Chart("bars", "各产业链项目数与投资额", figures.chain_bars(active, colors, v.highlight("chains")),
                  takeaways.chains(summary, share), hint="点击柱条，按该产业链筛选本页其余内容",
                  click=Click("chains", "产业链"), scope=v.filters),
        ], widths=[2, 3]),
        _matrix(v),
        Row([
            [FEWER, Table("gaps", "补链：项目偏少的产业链", gaps,
                          ["cluster", "chain", "is_key", "projects", "investment_wan"], gap_text)],
            _unknown(v),
        ]),
        Expander("各产业链明细表", [
            Table("summary", "各产业链项目明细（按投资额）", top, SUMMARY_COLUMNS, show_title=False)]),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("chains")
