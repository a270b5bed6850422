"""Plotly figures for the pages and their decks (no Streamlit here: ui.render draws them).

Every text that came from a ledger is html-escaped before it reaches plotly (hover labels and
tick labels render a subset of HTML)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import polars as pl

from report.colors import BATCH_COLORS, EVENT_COLORS, STAGE_COLORS, UNKNOWN_COLOR
from warehouse.filters import UNKNOWN_CHAIN
from report.format import count, pct, yi

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def esc(value) -> str:
    # quote=False: plotly renders &lt; &gt; &amp; but shows &quot; literally
    return "—" if value is None else html.escape(str(value), quote=False)


def yi_floats(df: pl.DataFrame, column: str) -> list[float]:
    """万元 DECIMAL → 亿元 floats for a chart axis (display only; labels use ui.format)."""
    return (df[column].cast(pl.Float64).fill_null(0) / 10_000).to_list()


def styled(fig: go.Figure, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, font=dict(family=FONT, size=16),
        margin=dict(l=10, r=10, t=40, b=10), hoverlabel=dict(font=dict(family=FONT, size=15)),
        showlegend=legend, legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=15)),
        plot_bgcolor="white", paper_bgcolor="white", clickmode="event+select", dragmode=False,
        # plotly shrinks a label to fit its bar (10 px in the 产业链 bars): never below 14 px
        uniformtext=dict(minsize=14, mode="show"),
    )
    for trace in fig.data:
        # bar labels readable on a projector; and plotly.js reads `selected.textfont` when a click
        # selects a bar of a trace whose marker opacity is a list — unset, the click broke on 产业链
        if trace.type == "bar" and trace.textfont.size is None:
            trace.textfont.size = 15
        if trace.type == "bar" and trace.selected.marker.opacity is None:
            trace.selected = dict(marker=dict(opacity=1.0), textfont=dict(color="#1F2D3D"))
    # Streamlit's chart theme sets 12 px axis ticks; a projector needs ≥ 14 px
    fig.update_xaxes(gridcolor="#EEEEEE", tickfont=dict(size=15), title_font=dict(size=15), automargin=True)
    fig.update_yaxes(gridcolor="#EEEEEE", tickfont=dict(size=15), title_font=dict(size=15), automargin=True)
    return fig


def district_ranking(df: pl.DataFrame, highlight: tuple[str, ...] = ()) -> go.Figure:
    """Horizontal bars: signed investment per district, largest on top; click → that district."""
    df = df.reverse()
    names = df["district"].to_list()
    colors = [EVENT_COLORS["签约"] if (not highlight or n in highlight) else "#C9D6EA" for n in names]
    text = [f"{yi(w)}  {count(n)}" for w, n in zip(df["signed_wan"].to_list(), df["signed"].to_list())]
    fig = go.Figure(go.Bar(
        y=[esc(n) for n in names], x=yi_floats(df, "signed_wan"), orientation="h",
        marker_color=colors, text=text, textposition="auto", customdata=[[n] for n in names],
        hovertemplate="%{y}<br>签约投资 %{text}<extra></extra>",
    ))
    fig.update_xaxes(title="签约投资（亿元）")
    return styled(fig, height=max(300, 46 * len(names)), legend=False)


FUNNEL_NAMES = {"在谈": "目前在谈", "签约": "期内签约", "履约": "其中已履约", "开工": "其中已开工",
                "投产": "其中已投产", "达效": "其中已达效"}


def funnel(df: pl.DataFrame) -> go.Figure:
    """Bars in stage colours; the label is the count (and the rate), the hover adds investment."""
    labels, hover = [], []
    for row in df.iter_rows(named=True):
        rate = f"（{row['rate_name']} {pct(row['rate'])}）" if row["rate_name"] else ""
        labels.append(f"{count(row['projects'])}{rate}")
        hover.append(f"{count(row['projects'])}，{yi(row['investment_wan'])}{rate}")
    stages = df["stage"].to_list()
    # 在谈 is now; the others are the projects signed in the window, by how far they got since
    names = [FUNNEL_NAMES.get(s, s) for s in stages]
    fig = go.Figure(go.Bar(
        y=names[::-1], x=df["projects"].to_list()[::-1], orientation="h", text=labels[::-1],
        textposition="auto", cliponaxis=False, customdata=hover[::-1],
        marker_color=[STAGE_COLORS.get(s, UNKNOWN_COLOR) for s in stages][::-1],
        hovertemplate="%{y}：%{customdata}<extra></extra>", textfont=dict(size=16),
    ))
    fig.update_xaxes(title="项目数（个）")
    return styled(fig, height=380, legend=False)


def month_labels(months: list) -> tuple[list[str], str]:
    """Months as category labels: "1月"… under a "2025年" axis title when they are one year's,
    else "2025年1月" (a date axis dropped the last month's label at 1366 px)."""
    years = {m.year for m in months}
    if len(years) == 1:
        return [f"{m.month}月" for m in months], f"{years.pop()}年"
    return [f"{m.year}年{m.month}月" for m in months], ""


def monthly_trend(df: pl.DataFrame) -> go.Figure:
    fig = go.Figure()
    months = sorted(set(df["month"].to_list()))
    names, title = month_labels(months)
    label = dict(zip(months, names))
    for event, color in EVENT_COLORS.items():
        part = df.filter(pl.col("event") == event)
        fig.add_trace(go.Bar(
            x=[label[m] for m in part["month"].to_list()], y=part["projects"].to_list(), name=f"{event}项目数",
            marker_color=color,
            customdata=[[yi(w)] for w in part["investment_wan"].to_list()],
            hovertemplate=f"{title}%{{x}} {event} %{{y}}个，%{{customdata[0]}}<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=names, title=title or None)
    top = max(df["projects"].to_list() or [0])
    # whole projects only: small counts get a tick per project
    fig.update_yaxes(title="项目数（个）", rangemode="tozero", dtick=1 if top <= 8 else None)
    return styled(fig, height=360)


def treemap(df: pl.DataFrame, cluster_colors: dict[str, str], value: str) -> go.Figure:
    """cluster → chain; value 'projects' or 'investment_wan'."""
    df = df.filter(pl.col("projects") > 0)
    values = df["projects"].cast(pl.Float64).to_list() if value == "projects" else yi_floats(df, value)
    ids, labels, parents, vals, colors, hover = [], [], [], [], [], []
    for cluster in dict.fromkeys(df["cluster"].to_list()):
        part = [i for i, c in enumerate(df["cluster"].to_list()) if c == cluster]
        ids.append(f"c:{cluster}")
        labels.append(esc(cluster))
        parents.append("")
        vals.append(sum(values[i] for i in part))
        colors.append(cluster_colors.get(cluster, UNKNOWN_COLOR))
        hover.append(f"{esc(cluster)}：{count(sum(df['projects'][i] for i in part))}")
    for i, row in enumerate(df.iter_rows(named=True)):
        ids.append(f"k:{row['cluster']}:{row['chain']}")
        labels.append(esc(row["chain"]))
        parents.append(f"c:{row['cluster']}")
        vals.append(values[i])
        colors.append(cluster_colors.get(row["cluster"], UNKNOWN_COLOR))
        hover.append(f"{esc(row['chain'])}：{count(row['projects'])}，{yi(row['investment_wan'])}")
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=vals, branchvalues="total",
        marker=dict(colors=colors), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        textinfo="label+percent root", textfont=dict(size=18),
    ))
    # a tile too small for a 14 px label shows none (its hover still names it), not an overflow
    return styled(fig, height=460, legend=False).update_layout(uniformtext=dict(minsize=14, mode="hide"))


def chain_bars(df: pl.DataFrame, cluster_colors: dict[str, str], highlight: tuple[str, ...] = ()) -> go.Figure:
    """Per chain (in reference order, coloured by cluster): projects, with investment in the
    label; click → that chain."""
    chains = df["chain"].to_list()
    clusters = df["cluster"].to_list()
    colors = [cluster_colors.get(c, UNKNOWN_COLOR) for c in clusters]
    opacity = [1.0 if (not highlight or ch in highlight) else 0.35 for ch in chains]
    text = [f"{count(n)}  {yi(w)}" for n, w in zip(df["projects"].to_list(), df["investment_wan"].to_list())]
    # an unknown chain can sit under any cluster: name the cluster so the bars stay apart
    labels = [esc(f"{ch}（{cl}）" if ch == UNKNOWN_CHAIN else ch) for ch, cl in zip(chains, clusters)]
    fig = go.Figure(go.Bar(
        y=labels[::-1], x=df["projects"].to_list()[::-1], orientation="h",
        marker=dict(color=colors[::-1], opacity=opacity[::-1]), text=text[::-1], textposition="auto",
        customdata=[[c] for c in chains][::-1], hovertemplate="%{y}：%{text}<extra></extra>",
    ))
    fig.update_xaxes(title="项目数（个）")
    return styled(fig, height=max(320, 34 * len(chains) + 60), legend=False)


def heatmap(matrix: pl.DataFrame, row: str, value_label: str = "个") -> go.Figure:
    """A pivoted frame (first column = row labels, other columns = districts) as a heatmap."""
    columns = [c for c in matrix.columns if c != row]
    z = [[(v or 0) for v in r[1:]] for r in matrix.iter_rows()]
    rows = matrix[row].to_list()
    fig = go.Figure(go.Heatmap(
        z=z, x=[esc(c) for c in columns], y=[esc(r) for r in rows], colorscale="Blues",
        text=[[str(v) if v else "" for v in r] for r in z], texttemplate="%{text}",
        customdata=[[[r, c] for c in columns] for r in rows],
        hovertemplate=f"%{{y}} × %{{x}}：%{{z}}{value_label}<extra></extra>", showscale=False,
    ))
    fig.update_yaxes(autorange="reversed")
    return styled(fig, height=max(320, 34 * len(rows) + 80), legend=False)


def period_bars(df: pl.DataFrame, value: str, highlight: int | None = None) -> go.Figure:
    """Period × batch grouped bars (value 'projects' or 'investment_wan'); click → that period."""
    fig = go.Figure()
    for batch, color in BATCH_COLORS.items():
        part = df.filter(pl.col("batch") == batch)
        periods = part["period"].to_list()
        y = part["projects"].to_list() if value == "projects" else yi_floats(part, value)
        fig.add_trace(go.Bar(
            x=[f"第{p}期" for p in periods], y=y, name=batch, marker_color=color,
            marker_opacity=[1.0 if highlight is None or p == highlight else 0.45 for p in periods],
            customdata=[[p, yi(w), n] for p, w, n in zip(periods, part["investment_wan"].to_list(),
                                                         part["projects"].to_list())],
            hovertemplate=f"%{{x}} {batch}：%{{customdata[2]}}个，%{{customdata[1]}}<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="项目数（个）" if value == "projects" else "总投资（亿元）")
    return styled(fig, height=380)


def breakdown_bars(df: pl.DataFrame, by: str, colors: dict[str, str] | None = None) -> go.Figure:
    names = df[by].to_list()
    fig = go.Figure(go.Bar(
        y=[esc(n) for n in names][::-1], x=yi_floats(df, "investment_wan")[::-1], orientation="h",
        marker_color=[(colors or {}).get(n, EVENT_COLORS["签约"]) for n in names][::-1],
        text=[f"{yi(w)}  {count(n)}" for w, n in zip(df["investment_wan"].to_list(),
                                                      df["projects"].to_list())][::-1],
        textposition="auto", hovertemplate="%{y}：%{text}<extra></extra>",
    ))
    fig.update_xaxes(title="总投资（亿元）")
    return styled(fig, height=max(280, 40 * len(names)), legend=False)


def stalled_bars(df: pl.DataFrame, by: str, highlight: tuple[str, ...] = ()) -> go.Figure:
    names = df[by].to_list()
    fig = go.Figure()
    for column, label, color in (("signed_not_started", "签约未开工", STAGE_COLORS["签约"]),
                                 ("started_not_producing", "开工未投产", STAGE_COLORS["开工"])):
        fig.add_trace(go.Bar(
            y=[esc(n) for n in names][::-1], x=df[column].to_list()[::-1], orientation="h",
            name=label, marker_color=color, customdata=[[n] for n in names][::-1],
            marker_opacity=[1.0 if not highlight or n in highlight else 0.4 for n in names][::-1],
            hovertemplate=f"%{{y}} {label}：%{{x}}个<extra></extra>",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="项目数（个）")
    return styled(fig, height=max(300, 44 * len(names)))


def stage_history(df: pl.DataFrame) -> go.Figure:
    from warehouse.progress import ORD
    stages = df["stage"].to_list()
    fig = go.Figure(go.Scatter(
        x=df["as_of"].to_list(), y=[ORD.get(s, 0) for s in stages], mode="lines+markers+text",
        text=stages, textposition="top center", line=dict(color="#555", shape="hv"),
        marker=dict(size=14, color=[STAGE_COLORS.get(s, UNKNOWN_COLOR) for s in stages]),
        hovertemplate="%{x|%Y年%m月%d日}：%{text}<extra></extra>",
    ))
    fig.update_yaxes(tickvals=list(ORD.values()) + [0], ticktext=list(ORD.keys()) + ["终止"],
                     range=[-0.5, 6.8])
    fig.update_xaxes(tickformat="%Y年%m月")
    return styled(fig, height=300, legend=False)


def score_bars(df: pl.DataFrame, highlight: tuple[str, ...] = ()) -> go.Figure:
    """考评 ranking: horizontal bars of each district's total (分), the first on top; the label
    carries the total, the rank and its change (columns district, total, label)."""
    df = df.reverse()
    names = df["district"].to_list()
    colors = [EVENT_COLORS["签约"] if (not highlight or n in highlight) else "#C9D6EA" for n in names]
    fig = go.Figure(go.Bar(
        y=[esc(n) for n in names], x=df["total"].cast(pl.Float64).fill_null(0).to_list(), orientation="h",
        marker_color=colors, text=[esc(t) for t in df["label"].to_list()], textposition="auto",
        customdata=[[n] for n in names], hovertemplate="%{y}：%{text}<extra></extra>",
    ))
    fig.update_xaxes(title="总分（分）")
    return styled(fig, height=max(300, 46 * len(names)), legend=False)


def six_bars(df: pl.DataFrame, highlight: tuple[str, ...] = ()) -> go.Figure:
    """六职: each district's trips (批次) and companies visited (家) this year, most trips on top."""
    names = df["district"].to_list()
    fig = go.Figure()
    for column, label, unit, color in (("trips", "外出招商", "批次", STAGE_COLORS["签约"]),
                                       ("companies_visited", "拜访企业", "家", STAGE_COLORS["开工"])):
        fig.add_trace(go.Bar(
            y=[esc(n) for n in names][::-1], x=df[column].to_list()[::-1], orientation="h", name=f"{label}（{unit}）",
            marker_color=color, customdata=[[n] for n in names][::-1], text=df[column].to_list()[::-1],
            textposition="outside",
            marker_opacity=[1.0 if not highlight or n in highlight else 0.4 for n in names][::-1],
            hovertemplate=f"%{{y}} {label}：%{{x}}{unit}<extra></extra>",
        ))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="批次 / 家", rangemode="tozero")
    return styled(fig, height=max(320, 56 * len(names)))


def six_trend(df: pl.DataFrame) -> go.Figure:
    """六职: trips (批次) and companies visited (家) month by month."""
    months = df["month"].to_list()
    names, title = month_labels(months)
    fig = go.Figure()
    for column, label, unit, color in (("trips", "外出招商", "批次", STAGE_COLORS["签约"]),
                                       ("companies_visited", "拜访企业", "家", STAGE_COLORS["开工"])):
        fig.add_trace(go.Bar(x=names, y=df[column].to_list(), name=f"{label}（{unit}）", marker_color=color,
                             hovertemplate=f"{title}%{{x}} {label}：%{{y}}{unit}<extra></extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=names, title=title or None)
    fig.update_yaxes(title="批次 / 家", rangemode="tozero")
    return styled(fig, height=360)
