"""三个一批: per period, the 签约/开工/投产 batches, size bands, breakdowns and conversion."""

from __future__ import annotations

import polars as pl

from report import figures, takeaways
from report.colors import chain_colors, cluster_colors
from report.format import count, period, yi
from report.view import Card, Chart, Choice, Click, Heading, Metrics, Note, Row, Table, View
from warehouse import batches
from warehouse.options import filter_options

BY = Choice("batches-by", "分组（页面下方）", ["产业链", "县区", "产业集群"])
MEASURE = Choice("batches-measure", "指标", ["项目数", "总投资"])
DIMENSIONS = {"产业链": "chain", "县区": "district", "产业集群": "cluster"}
CONVERSION_COLUMNS = ["period", "conversion", "projects", "converted", "rate", "reached_now", "reached_rate"]


def caption(v: View) -> str:
    return "按期次统计（时间范围不适用，期数筛选适用）"


def _change(now, before, unit_format) -> str | None:
    """'+5个 较上期' (the sign leads); None for the first period."""
    if before is None:
        return None
    diff = now - before
    return ("+" if diff > 0 else "") + unit_format(diff) + " 较上期" if diff else "与上期持平"


def _cards(this: pl.DataFrame, takeaway: str) -> Metrics:
    rows = list(this.iter_rows(named=True))
    cards = [Card(r["batch"], count(r["projects"]), _change(r["projects"], r["prev_projects"], count)) for r in rows]
    cards += [Card(f"{r['batch']}总投资", yi(r["investment_wan"]),
                   _change(r["investment_wan"], r["prev_investment_wan"], yi)) for r in rows]
    return Metrics("cards", f"{period(this['period'][0])}“三个一批”", cards, takeaway, show_title=True)


def _bands(bands: pl.DataFrame) -> Table | Note:
    if bands.height == 0:
        return Note("规模分布（累计口径）", "本期没有项目。")
    wide = bands.pivot(on="band", index="batch", values="projects", aggregate_function="sum")
    return Table("bands", "规模分布（累计口径，个）", wide, wide.columns)


def _breakdown(v: View, breakdown: pl.DataFrame, current: int, by: str, dim: str) -> Row:
    opts = v.ask(filter_options)
    palette = (chain_colors(opts.chains) if dim == "chain" else cluster_colors(opts.clusters)
               if dim == "cluster" else None)
    columns = []
    for batch in batches.BATCHES:
        part = breakdown.filter(pl.col("batch") == batch)
        title = f"{period(current)}{batch}：按{by}"
        columns.append(Chart(f"breakdown-{batch}", title, figures.breakdown_bars(part, dim, palette),
                             takeaways.batch_breakdown(part, by, dim), scope=v.filters)
                       if part.height else Note(title, "本期无此批次项目"))
    return Row(columns)


def view(v: View) -> list:
    by = v.value(BY)
    dim = DIMENSIONS[by]
    picked = v.cross.values[0] if v.cross and v.cross.field == "periods" else None
    report = v.ask(batches.batch_report, v.filters, picked, dim)
    summary, current = report["summary"], report["period"]
    if summary.height == 0:
        return [Note("“三个一批”", "当前筛选条件下没有“三个一批”项目（台账中未填写期数和批次）。")]
    this = summary.filter(pl.col("period") == current)
    measure = v.value(MEASURE)
    return [
        _cards(this, takeaways.batch_periods(summary, current)),
        Heading("期与期对比"),
        MEASURE,
        Chart("periods", f"“三个一批”各期{measure}",
              figures.period_bars(summary, "projects" if measure == "项目数" else "investment_wan", current),
              takeaways.batch_periods(summary, current), hint="点击柱条查看该期", click=Click("periods", "期数"),
              scope=v.filters, show_title=False),
        Row([_bands(report["bands"]),
             Table("conversion", "批次转化", report["conversion"], CONVERSION_COLUMNS,
                   note="转化率 = 本期批次中在后续期进入下一批次的项目 ÷ 本期批次项目；"
                        "现达到比例 = 目前已开工（或已投产）的项目 ÷ 本期批次项目。")]),
        BY,
        Heading(f"{period(current)}：按{by}"),
        _breakdown(v, report["breakdown"], current, by, dim),
    ]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("batches")
