"""考评排名: each district scored by the year's published rules (data/scoring/<year>.toml) — total,
rank and change from the last period, each indicator's points and lost points with the reason and
the projects behind them, and the province's “三个一批” score (period n−2 ranked, n−1 commented)."""

from __future__ import annotations

import polars as pl

from report import figures
from report.format import count, pct, score, yi
from report.view import Card, Chart, Choice, Download, Expander, Heading, Message, Metrics, Note, Row, Table, View
from warehouse import scoring
from warehouse.scoring_rules import METHODS

RANKING_COLUMNS = ["rank_text", "district", "total_text", "change_text", "rank_change_text", "lost_text", "note"]
POINT_COLUMNS = ["indicator", "method_text", "weight_text", "value_text", "points_text", "lost_text", "reason"]
BEHIND_COLUMNS = ["indicator", "project_name", "stage", "stall_kind", "event_date", "total_investment_wan", "months"]
COMMENT_COLUMNS = ["district", "batch_text"]
DASH = "—"


def _rank_change(n) -> str:
    if n is None:
        return DASH
    return "持平" if n == 0 else (f"↑{n}" if n > 0 else f"↓{-n}")


def _value(value, unit: str) -> str:
    if value is None:
        return DASH
    if unit == "%":
        return pct(value)
    if unit == "亿元":
        return yi(value)
    if unit == "分":
        return score(value)
    return count(value, unit)


def _ranking(scores: pl.DataFrame, partial: bool) -> pl.DataFrame:
    rows = []
    for r in scores.iter_rows(named=True):
        note = "有无目标的指标，总分按其余指标折算" if r["rescaled"] else ""
        if partial:
            note = "含功效系数法指标，总分和排名由市级计算" if r["total"] is None else note
        rows.append({"rank_text": DASH if r["rank"] is None else str(r["rank"]), "district": r["district"],
                     "total_text": score(r["total"]), "change_text": score(r["change"], signed=True),
                     "rank_change_text": _rank_change(r["rank_change"]), "lost_text": score(r["lost"]),
                     "note": note or DASH, "total": r["total"],
                     "label": f"{score(r['total'])}  第{r['rank']}名" if r["rank"] else score(r["total"])})
    schema = {c: pl.String for c in (*RANKING_COLUMNS, "label")} | {"total": scores.schema["total"]}
    return pl.DataFrame(rows, schema=schema)


def _points(points: pl.DataFrame) -> pl.DataFrame:
    rows = [{"district": r["district"], "indicator": r["indicator"], "method_text": METHODS[r["method"]],
             "weight_text": DASH if r["method"] == "deduction" else score(r["weight"]),
             "value_text": _value(r["value"], r["unit"]), "points_text": score(r["points"]),
             "lost_text": score(r["lost"]), "reason": r["reason"] or DASH}
            for r in points.sort("district_code", "order").iter_rows(named=True)]
    return pl.DataFrame(rows, schema={c: pl.String for c in ("district", *POINT_COLUMNS)})


def _board_items(v: View, board: dict, prefix: str, title: str) -> list:
    """The ranking (chart and table) and, for a chosen district, its indicators."""
    scores = board["scores"]
    if v.filters.districts:
        scores = scores.filter(pl.col("district").is_in(list(v.filters.districts)))
    ranking = _ranking(scores, board["partial"])
    when = board["period_text"] + (f"，较{board['previous_text']}" if board.get("previous_text") else "")
    items: list = []
    top = ranking.filter(pl.col("rank_text") == "1")
    takeaway = (f"{board['period_text']}第一名：{'、'.join(top['district'])}（{top['total_text'][0]}）"
                if top.height else None)
    if ranking["total"].is_not_null().any():
        items.append(Chart(f"{prefix}-bars", f"{title}：各县区总分（{board['period_text']}）",
                           figures.score_bars(ranking.filter(pl.col("total").is_not_null())), takeaway,
                           scope=v.filters, show_title=False))
    items.append(Table(f"{prefix}-ranking", f"{title}：排名（{when}）", ranking, RANKING_COLUMNS, takeaway,
                       slide_rows=None, show_title=False))
    if board.get("relative"):
        items.append(Message(board["relative"] + "；本页只显示本县区的数值和得分。", "info"))
    names = scores["district"].to_list()
    if not names:
        return items
    pick = Choice(f"{prefix}-district", "县区", names, names[0], kind="select")
    name = v.value(pick)
    part = board["points"].filter(pl.col("district") == name)
    lost = part.filter(pl.col("lost") > 0).sort("lost", descending=True)
    text = (f"{name}失分最多的是“{lost['indicator'][0]}”（{score(lost['lost'][0])}）" if lost.height
            else f"{name}各项均得满分")
    items += [Heading(f"{title}：各县区分项得分"), pick,
              Table(f"{prefix}-points", f"{name}：分项得分（{board['period_text']}）", _points(part), POINT_COLUMNS,
                    text, slide_rows=None, show_title=False)]
    return items


def _behind(v: View, board: dict) -> list:
    names = board["scores"].select("district", "district_code").rows()
    if not names:
        return []
    name = v.value(Choice("sc-district", "县区", [n for n, _ in names], names[0][0], kind="select"))
    code = dict(names).get(name, names[0][1])
    projects = v.ask(scoring.behind_projects, board["year"], board["period"], code)
    if projects.height == 0:
        return [Note(f"{name}：分项得分背后的项目", "本期没有计入台账指标的项目。")]
    return [Table("sc-behind", f"{name}：分项得分背后的项目（计入的项目、扣分的停滞项目，每项最多50个）", projects,
                  BEHIND_COLUMNS, f"共{count(projects.height)}", show_title=True)]


def _batches(v: View) -> list:
    board = v.ask(scoring.batch_board)
    ranked = board.get("period") or "倒数第三期"
    commented = board.get("comment_period") or "倒数第二期"
    items: list = [Heading(f"“三个一批”活动考评（{ranked}排名，{commented}点评；最新一期数据尚在完善）")]
    if board["error"]:
        return items + [Note("“三个一批”活动考评", board["error"])]
    items += _board_items(v, board, "sc-batch", board["rules"].name)
    comment = board["comment"]
    if comment.height:
        lines = (comment.group_by("district", maintain_order=True)
                 .agg((pl.col("batch") + pl.col("projects").map_elements(lambda n: count(n), return_dtype=pl.String)
                       + pl.lit("、") + pl.col("investment_wan").map_elements(yi, return_dtype=pl.String))
                      .str.join("；").alias("batch_text")))
        items.append(Table("sc-batch-comment", f"点评：{board['comment_period']}各县区“三个一批”（不排名）", lines,
                           COMMENT_COLUMNS, f"{board['comment_period']}数据尚在完善，只作点评、不排名", slide_rows=None))
    return items


def _definitions(rules) -> Expander:
    lines = [f"- **{i.name}**（{METHODS[i.method]}，" + (f"权重{score(i.weight)}）" if not i.adjusts else "不占权重）")
             for i in rules.indicators]
    return Expander("计分口径", [Message(f"""
**{rules.name}**（{rules.year}年考评规则文件）：

{chr(10).join(lines)}

- **完成率×权重**：得分 = min(完成数 ÷ 目标, 上限) × 权重（上限如120%），另可规定最高分。
- **功效系数法**：得分 = (本县区数值 − 最小值) ÷ (最大值 − 最小值) × 40 + 60，再乘以 权重 ÷ 100；
  各县区数值相同时都得满权重；没有数值的县区不参与比较，计0分。
- **分档计分**：按数值所在档位得分；**加减分**：按个数扣分（有上限）或录入的加减分，直接计入总分。
- **无目标**：该指标不计分，总分 = 已计分指标得分 × 全部权重 ÷ 已计分指标权重（加减分不折算）。
- **缺少数据**：六职未报送、人工指标未录入、县区未报送完成数的指标计0分，并注明原因。
- 停滞项目按最新台账计（与“预警督办”相同）；“六职”外出按外出首日所在月份计。
- 排名按总分从高到低，总分相同名次相同（如 1、2、2、4）；名次变化 ↑ 为上升。
""", "markdown")])


def view(v: View) -> list:
    board = v.ask(scoring.score_board, v.values.get("sc-year"), v.values.get("sc-period"))
    years = board.get("years") or []
    year_choice = Choice("sc-year", "年度", years, board.get("year"), kind="select",
                         labels={y: f"{y}年" for y in years})
    if board["error"]:
        return [*([Row([year_choice])] if years else []), Note("考评排名", board["error"]), *_batches(v)]
    periods = board["periods"]
    period_choice = Choice("sc-period", "考评期", periods, board["period"], kind="select",
                           labels=board["period_texts"])
    rules, scores = board["rules"], board["scores"]
    first = scores.filter(pl.col("rank") == 1)
    last = scores.filter(pl.col("rank") == scores["rank"].max()) if scores.height and first.height else first
    if board["partial"]:          # a district account: its own points only, no rank
        cards = [Card("考评期", board["period_text"]), Card("县区", "、".join(scores["district"]) or DASH),
                 Card("已失分", score(scores["lost"].sum()) if scores.height else DASH),
                 Card("总分与名次", "由市级计算", help="含功效系数法指标，需全市各县区数据")]
    else:
        cards = _city_cards(board, scores, first, last)
    export = lambda: [("排名", _ranking(scores, board["partial"]).select(RANKING_COLUMNS)),  # noqa: E731
                      ("分项得分", _points(board["points"].sort("district_code")).select("district", *POINT_COLUMNS))]
    return [
        Row([year_choice, period_choice, Message("总分、名次与上一考评期比较；点选县区查看分项得分和背后的项目")],
            widths=[1, 1, 3]),
        Message(f"**{rules.name}**（按{rules.year}年考评规则计分）", "markdown"),
        Metrics("sc-cards", rules.name, cards, f"{board['period_text']}考评"),
        Download("sc-export", "导出考评结果（Excel）", export, f"{rules.name}（{board['period_text']}）",
                 f"考评排名_{board['period']}", v.filters),
        *_board_items(v, board, "sc", rules.name),
        *_behind(v, board),
        _definitions(rules),
        *_batches(v),
    ]


def _city_cards(board: dict, scores: pl.DataFrame, first: pl.DataFrame, last: pl.DataFrame) -> list[Card]:
    return [Card("考评期", board["period_text"]),
             Card("第一名", "、".join(first["district"]) if first.height else DASH,
                  score(first["total"][0]) if first.height else None, delta_color="off"),
             Card("最后一名", "、".join(last["district"]) if last.height else DASH,
                  score(last["total"][0]) if last.height else None, delta_color="off"),
             Card("参评县区", count(scores.height))]


if __name__ == "__main__":      # run by Streamlit for this page
    from ui.page import show
    show("scores")
