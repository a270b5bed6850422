"""One line a leader reads under a chart: computed from the same frames the chart draws.

Each function takes a warehouse frame and returns a Chinese sentence, or a plain "no data" line;
numbers go through ui.format so they read as on screen (亿元 with two decimals, 个, %).
"""

from __future__ import annotations

import polars as pl

from report.format import count, pct, period, yi

NO_DATA = "当前筛选条件下没有数据"


def headline(df: pl.DataFrame) -> str:
    """签约/开工/投产 in the window: "签约590个、2,725.47亿元（同比-5.69%）；开工474个；投产301个"."""
    if df.height == 0:
        return NO_DATA
    parts = []
    for i, row in enumerate(df.iter_rows(named=True)):
        text = f"{row['event']}{count(row['projects'])}"
        if i == 0:
            text += f"、{yi(row['investment_wan'])}"
            if row.get("investment_yoy") is not None:
                text += f"（投资额同比{pct(row['investment_yoy'], signed=True)}）"
        parts.append(text)
    return "；".join(parts)


def district_ranking(df: pl.DataFrame) -> str:
    """"签约投资最多的是源汇区，共313个，总投资1553.35亿元"."""
    active = df.filter(pl.col("signed") > 0)
    if active.height == 0:
        return "时间范围内没有签约项目"
    top = active.row(0, named=True)
    text = f"签约投资最多的是{top['district']}，共{count(top['signed'])}，总投资{yi(top['signed_wan'])}"
    if active.height > 1:
        last = active.row(-1, named=True)
        text += f"；最少的是{last['district']}，{yi(last['signed_wan'])}"
    return text


def funnel(df: pl.DataFrame) -> str:
    signed = df.filter(pl.col("stage") == "签约")
    if signed.height == 0 or not signed["projects"][0]:
        return "时间范围内没有签约项目"
    rates = {r["rate_name"]: r["rate"] for r in df.iter_rows(named=True) if r["rate_name"]}
    return (f"签约项目{count(signed['projects'][0])}，开工率{pct(rates.get('开工率'))}，"
            f"投产率{pct(rates.get('投产率'))}")


def monthly_trend(df: pl.DataFrame) -> str:
    signed = df.filter(pl.col("event") == "签约")
    if signed.height == 0 or signed["projects"].sum() == 0:
        return "时间范围内没有签约、开工、投产项目"
    best = signed.sort(["projects", "month"], descending=[True, False]).row(0, named=True)
    last_month = df["month"].max()
    last = {r["event"]: r["projects"] for r in df.filter(pl.col("month") == last_month).iter_rows(named=True)}
    return (f"签约最多的月份是{best['month'].year}年{best['month'].month}月（{count(best['projects'])}）；"
            f"{last_month.year}年{last_month.month}月签约{count(last.get('签约', 0))}、开工{count(last.get('开工', 0))}、"
            f"投产{count(last.get('投产', 0))}")


def chains(df: pl.DataFrame, share: dict | None = None) -> str:
    active = df.filter(pl.col("projects") > 0)
    if active.height == 0:
        return NO_DATA
    top = active.sort(["projects", "investment_wan"], descending=True).row(0, named=True)
    text = f"项目最多的产业链是{top['chain']}，共{count(top['projects'])}，总投资{yi(top['investment_wan'])}"
    if share and share.get("share_investment") is not None:
        text += f"；重点产业链投资占{pct(share['share_investment'])}"
    return text


def clusters(df: pl.DataFrame) -> str:
    by = (df.group_by("cluster").agg(pl.col("investment_wan").sum(), pl.col("projects").sum())
            .filter(pl.col("projects") > 0).sort("investment_wan", descending=True))
    if by.height == 0:
        return NO_DATA
    top = by.row(0, named=True)
    total = by["investment_wan"].sum()
    share = float(top["investment_wan"] / total) if total else None
    return f"投资最多的产业集群是{top['cluster']}，{yi(top['investment_wan'])}，占{pct(share)}"


def chain_district(matrix: pl.DataFrame) -> str:
    if matrix.height == 0:
        return NO_DATA
    top = matrix.sort("projects", descending=True).row(0, named=True)
    return f"项目最集中的是{top['district']}的{top['chain']}，共{count(top['projects'])}"


def batch_periods(summary: pl.DataFrame, current: int | None) -> str:
    """"第18期：签约一批45个、开工一批41个、投产一批26个；签约一批较上期+3个"."""
    this = summary.filter(pl.col("period") == current)
    if this.height == 0:
        return "没有“三个一批”项目"
    text = f"{period(current)}：" + "、".join(f"{r['batch']}{count(r['projects'])}" for r in this.iter_rows(named=True))
    signed = this.filter(pl.col("batch") == "签约一批")
    if signed.height and signed["prev_projects"][0] is not None:
        diff = signed["projects"][0] - signed["prev_projects"][0]
        text += "；签约一批与上期持平" if diff == 0 else f"；签约一批较上期{diff:+d}个"
    return text


def batch_breakdown(df: pl.DataFrame, by_label: str, dim: str) -> str:
    """"投资最多的县区：签约一批郾城区（97.72亿元）、开工一批召陵区（98.50亿元）…"."""
    if df.height == 0:
        return NO_DATA
    parts = []
    for batch in ("签约一批", "开工一批", "投产一批"):
        part = df.filter(pl.col("batch") == batch).sort("investment_wan", descending=True)
        if part.height:
            top = part.row(0, named=True)
            parts.append(f"{batch}{top[dim]}（{yi(top['investment_wan'])}）")
    return f"投资最多的{by_label}：" + "、".join(parts) if parts else NO_DATA


def stalled(summary: pl.DataFrame, counts: dict) -> str:
    if not counts.get("total"):
        return "没有预警项目"
    top = summary.row(0, named=True)
    return (f"预警项目{count(counts['total'])}：签约未开工{count(counts.get('签约未开工', 0))}、"
            f"开工未投产{count(counts.get('开工未投产', 0))}；最多的是{top[summary.columns[0]]}（{count(top['stalled'])}）")


def district_totals(df: pl.DataFrame) -> str:
    active = df.filter(pl.col("projects") > 0).sort("investment_wan", descending=True)
    if active.height == 0:
        return NO_DATA
    top = active.row(0, named=True)
    return f"总投资最多的是{top['district']}，{count(top['projects'])}、{yi(top['investment_wan'])}"


def target_gap(district: str, indicator: str, completion: float | None, time_progress: float | None) -> str:
    """"郾城区签约项目数完成率58.3%，落后序时进度8.2个百分点"."""
    if completion is None:
        return f"{district}{indicator}尚无完成数据"
    text = f"{district}{indicator}完成率{completion * 100:.1f}%"
    if time_progress is not None:
        gap = (completion - time_progress) * 100
        text += (f"，落后序时进度{-gap:.1f}个百分点" if gap < 0 else f"，超过序时进度{gap:.1f}个百分点")
    return text


def top_project(df: pl.DataFrame) -> str:
    """"投资额最大的是召陵区的瑞宇改性塑料项目，15.00亿元"."""
    if df.height == 0:
        return NO_DATA
    top = df.row(0, named=True)
    return f"投资额最大的是{top['district']}的{top['project_name']}，{yi(top['total_investment_wan'])}"


def freshness(late: list[str]) -> str:
    if not late:
        return "各县区台账均已按时报送"
    return f"逾期未报{len(late)}个县区：" + "、".join(late[:8]) + ("等" if len(late) > 8 else "")


def worst_of(rows: pl.DataFrame) -> dict | None:
    """The district furthest behind time progress (the smallest gap_points), or None."""
    known = rows.filter(pl.col("completion").is_not_null()) if rows.height else rows
    if known.height == 0:
        return None
    return known.sort("gap_points").row(0, named=True)


def _points(gap: float) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(str(abs(gap))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def targets_sentence(progress: pl.DataFrame, year: int, as_of) -> str:
    """'7个县区中5个落后序时进度（3个亮黄灯或红灯），召陵区实际利用外资落后31.2个百分点。红灯1项：召陵区实际利用外资。'"""
    from warehouse.targets import behind_summary_of, thresholds

    s = behind_summary_of(progress, as_of)
    n = len(s["districts"])
    if n == 0:
        return f"{year}年尚无县区目标任务数据。"
    yellow, _ = thresholds()
    if not s["behind"]:
        return f"{n}个县区各项指标均达到序时进度。"
    if not s["lagging"]:
        return (f"{n}个县区中{len(s['behind'])}个略落后序时进度（均不足{format(yellow.normalize(), 'f')}个百分点，"
                "绿灯），没有黄灯、红灯。")
    district, indicator, gap = s["worst"]
    text = (f"{n}个县区中{len(s['behind'])}个落后序时进度（{len(s['lagging'])}个亮黄灯或红灯），"
            f"{district}{indicator}落后{_points(gap)}个百分点。")
    if s["red"]:
        text += f"红灯{len(s['red'])}项：" + "、".join(f"{d}{i}" for d, i in s["red"][:6]) + \
            ("等。" if len(s["red"]) > 6 else "。")
    return text


def city_targets(city: pl.DataFrame) -> str:
    """'全市5项指标：3项达到序时进度，实际利用外资落后5.6个百分点'."""
    if city.height == 0:
        return NO_DATA
    ahead = city.filter(pl.col("gap_points") >= 0).height
    text = f"全市{city.height}项指标中{ahead}项达到序时进度"
    worst = city.sort("gap_points").row(0, named=True)
    if worst["gap_points"] is not None and worst["gap_points"] < 0:
        text += f"，{worst['indicator']}落后{_points(worst['gap_points'])}个百分点"
    return text
