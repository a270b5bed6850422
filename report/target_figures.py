"""目标进度 page helpers: values in their indicator's unit, the three lights, and the charts
(district × indicator matrix, completion bars with the time-progress line, trajectories)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go
import polars as pl

from report.figures import esc, styled
from report.format import pct

LIGHT_COLORS = {"green": "#2E9E44", "yellow": "#F2B705", "red": "#D64545", None: "#BDBDBD"}
# Plain glyphs the CJK fonts have (no emoji font on the intranet servers): the name says the colour.
LIGHT_ICONS = {"green": "●", "yellow": "●", "red": "●", None: "○"}
LIGHT_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", None: "无数据"}
_CENT = Decimal("0.01")


def amount(value, unit: str) -> str:
    """A target or actual as a person reads it: '8个', '10.00亿元', '1,116.12万元', '18.00万美元'."""
    if value is None:
        return "—"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit == "个":
        return f"{int(d):,}个"
    return f"{d.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}{unit}"


def number(d) -> str:
    """A threshold as written in the settings: 10 → '10', 12.5 → '12.5'."""
    return format(Decimal(str(d)).normalize(), "f")


def points(gap) -> str:
    """Gap to time progress: '+16.67个百分点' / '-20.61个百分点'."""
    if gap is None:
        return "—"
    d = Decimal(str(gap)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{d:+.2f}个百分点"


def month_label(d: date) -> str:
    return f"{d.year}年{d.month}月" if d.day >= 28 else f"{d.year}年{d.month}月{d.day}日"


def stale_ledger(r: dict) -> bool:
    """A ledger-sourced actual taken from a ledger older than the month shown."""
    return r.get("actual_source") == "台账" and r.get("ledger_as_of") is not None and \
        (r["ledger_as_of"].year, r["ledger_as_of"].month) < (r["as_of"].year, r["as_of"].month)


def _pct_number(x) -> float | None:
    return None if x is None else round(float(x) * 100, 2)


def matrix(df: pl.DataFrame, districts: list[str], indicators: list[str]) -> go.Figure:
    """Districts (rows) × indicators (columns), each cell the light's colour and the completion."""
    cells = {(r["district"], r["indicator"]): r for r in df.iter_rows(named=True)}
    code = {"green": 0, "yellow": 1, "red": 2, None: 3}
    z, text, hover = [], [], []
    for d in districts:
        zr, tr, hr = [], [], []
        for ind in indicators:
            r = cells.get((d, ind))
            lt = r["light"] if r else None
            stale = bool(r and stale_ledger(r))
            zr.append(code[lt])
            tr.append((pct(r["completion"]) + ("*" if stale else "")) if r and r["completion"] is not None else "—")
            hr.append(f"{esc(d)} · {esc(ind)}<br>目标 {amount(r['target'], r['unit'])}　完成 {amount(r['actual'], r['unit'])}"
                      f"<br>完成率 {tr[-1]}　{points(r['gap_points'])}（较序时）"
                      + (f"<br>*台账截至{r['ledger_as_of']:%Y-%m-%d}" if stale else "")
                      if r else f"{esc(d)} · {esc(ind)}：无目标")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    scale = [[0.0, LIGHT_COLORS["green"]], [0.25, LIGHT_COLORS["green"]], [0.25, LIGHT_COLORS["yellow"]],
             [0.5, LIGHT_COLORS["yellow"]], [0.5, LIGHT_COLORS["red"]], [0.75, LIGHT_COLORS["red"]],
             [0.75, LIGHT_COLORS[None]], [1.0, LIGHT_COLORS[None]]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(i) for i in indicators], y=[esc(d) for d in districts], zmin=-0.5, zmax=3.5,
        colorscale=scale, showscale=False, text=text, texttemplate="%{text}", textfont=dict(size=17),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", xgap=3, ygap=3,
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")
    return styled(fig, height=max(300, 48 * len(districts) + 90), legend=False)


def progress_bars(df: pl.DataFrame, time_progress: float, unit: str) -> go.Figure:
    """One indicator: completion per district (best on top), coloured by light, with the
    time-progress line (序时进度)."""
    df = df.sort("rank", nulls_last=True, descending=False).reverse()
    names = df["district"].to_list()
    values = [_pct_number(c) or 0 for c in df["completion"].to_list()]
    fig = go.Figure(go.Bar(
        y=[esc(n) for n in names], x=values, orientation="h",
        marker_color=[LIGHT_COLORS[lt] for lt in df["light"].to_list()],
        text=[pct(c) for c in df["completion"].to_list()], textposition="auto",
        customdata=[[amount(t, unit), amount(a, unit)] for t, a in zip(df["target"].to_list(), df["actual"].to_list())],
        hovertemplate="%{y}：完成率 %{text}<br>目标 %{customdata[0]}　完成 %{customdata[1]}<extra></extra>",
    ))
    fig.add_vline(x=round(time_progress * 100, 2), line_dash="dash", line_color="#333", line_width=2,
                  annotation_text=f"序时进度 {pct(time_progress)}", annotation_position="top")
    fig.update_xaxes(title="完成率（%）", rangemode="tozero")
    return styled(fig, height=max(300, 44 * len(names) + 60), legend=False)


def month_position(d: date) -> float:
    """Where a date sits on a 0–12 month axis: 31 May is 5 (five months elapsed)."""
    days = calendar.monthrange(d.year, d.month)[1]
    return d.month - 1 + d.day / days


def trajectory(df: pl.DataFrame, focus: str | None = None) -> go.Figure:
    """Completion month by month for every district against the straight 序时进度 line
    (0 at the start of the year, 100% at its end); x is the months elapsed."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[0, 12], y=[0, 100], mode="lines", name="序时进度",
        line=dict(color="#333", dash="dash", width=2), hoverinfo="skip"))
    for name in dict.fromkeys(df["district"].to_list()):
        part = df.filter(pl.col("district") == name).sort("as_of")
        dim = focus is not None and name != focus
        fig.add_trace(go.Scatter(
            x=[month_position(d) for d in part["as_of"].to_list()],
            y=[_pct_number(c) for c in part["completion"].to_list()],
            mode="lines+markers", name=esc(name), opacity=0.25 if dim else 1.0,
            line=dict(width=4 if name == focus else 2, dash="dot" if name == "全市" else "solid"),
            customdata=[[month_label(d), pct(c)] for d, c in zip(part["as_of"].to_list(), part["completion"].to_list())],
            hovertemplate=f"{esc(name)} 截至%{{customdata[0]}}：%{{customdata[1]}}<extra></extra>",
        ))
    fig.update_xaxes(range=[0, 12.3], tickvals=list(range(0, 13)),
                     ticktext=["年初", *[f"{m}月" for m in range(1, 13)]], title="截至月份（1—N月累计）")
    fig.update_yaxes(title="完成率（%）", rangemode="tozero")
    return styled(fig, height=420)
