"""Tables for people: Chinese headers, 亿元 with two decimals, text shown as text."""

from __future__ import annotations

import polars as pl
import streamlit as st

from warehouse.export import header

YI_COLUMNS = {"total_investment_wan": "总投资（亿元）", "investment_wan": "总投资（亿元）",
              "signed_wan": "签约投资（亿元）", "started_wan": "开工项目投资（亿元）",
              "producing_wan": "投产项目投资（亿元）"}
LABELS = {
    "projects": "项目数（个）", "signed": "签约项目（个）", "started": "开工项目（个）",
    "producing": "投产项目（个）", "rank": "排名", "latest_as_of": "最新台账日期",
    "days_behind": "落后天数", "kind": "类别", "share_projects": "项目数占比",
    "share_investment": "投资额占比", "is_key": "重点产业链", "written_chain": "台账所填产业链",
    "districts": "县区", "band": "规模", "conversion": "转化", "converted": "进入后续批次（个）",
    "rate": "转化率", "reached_now": "现已达到（个）", "reached_rate": "现达到比例",
    "prev_projects": "上期项目数（个）", "months": "已持续月数",
    "signed_not_started": "签约未开工（个）", "started_not_producing": "开工未投产（个）",
    "stalled": "合计（个）", "status": "状态",
}


def label(column: str) -> str:
    return YI_COLUMNS.get(column) or LABELS.get(column) or header(column)


def for_display(df: pl.DataFrame, columns: list[str] | None = None) -> pl.DataFrame:
    """Selected columns, money in 亿元 (float, two decimals shown), unknown chains marked."""
    columns = [c for c in (columns or df.columns) if c in df.columns]
    out = df.select(columns)
    exprs = []
    for c in columns:
        if c in YI_COLUMNS:
            exprs.append((pl.col(c).cast(pl.Float64) / 10_000).round(2).alias(c))
        elif c == "chain" and "chain_known" in df.columns:
            exprs.append(pl.when(df["chain_known"].fill_null(False)).then(pl.col("chain"))
                         .otherwise(pl.lit("未识别：") + pl.col("chain").fill_null("（空）")).alias("chain"))
        elif c == "cluster":
            exprs.append(pl.col(c).fill_null("未归集群"))
        elif c.startswith("share_") or c.endswith("rate"):
            exprs.append((pl.col(c) * 100).round(2).alias(c))
    if exprs:
        out = out.with_columns(exprs)
    return out.rename({c: label(c) for c in columns})


def column_config(df: pl.DataFrame) -> dict:
    config = {}
    for c, dtype in zip(df.columns, df.dtypes):
        if dtype == pl.Date:
            config[c] = st.column_config.DateColumn(c, format="YYYY-MM-DD")
        elif "亿元" in c:
            config[c] = st.column_config.NumberColumn(c, format="%.2f")
        elif c in (label("share_projects"), label("share_investment"), label("rate"), label("reached_rate")):
            config[c] = st.column_config.NumberColumn(c + "（%）", format="%.2f")
        elif c == header("total_investment_wan"):
            config[c] = st.column_config.NumberColumn(c, format="%.2f")
    return config


def show(df: pl.DataFrame, columns: list[str] | None = None, height: int | str = "auto", **kwargs):
    shown = for_display(df, columns)
    return st.dataframe(shown, hide_index=True, width="stretch", height=height,
                        column_config=column_config(shown), **kwargs)
