"""Tables for people, one way for every medium: warehouse columns → Chinese headers (report.vocab)
and values as they read (亿元 with two decimals, 第12期, 是/否, ● 红灯, — for nothing).

`screen_frame` keeps numbers numeric (a table on the screen sorts by value) and says how to
format each column (`ScreenColumn`); `text_frame` writes every cell as text (slides); the Excel
writer (report.excel) reads the same vocabulary for its headers and number formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from report import vocab
from report.format import pct, period, yi
from warehouse.filters import NO_CLUSTER

EMPTY = "—"          # what an unknown value reads as, everywhere


@dataclass(frozen=True)
class ScreenColumn:
    header: str
    kind: str          # vocab kinds: money / usd / count / share / int / date / time / text …


def _chain_label(df: pl.DataFrame) -> pl.Expr:
    """A chain the reference does not know is shown as written, marked."""
    if "chain_known" not in df.columns:
        return pl.col("chain")
    return (pl.when(pl.col("chain_known").fill_null(False)).then(pl.col("chain"))
            .otherwise(pl.lit("未识别：") + pl.col("chain").fill_null("（空）")))


def _expr(df: pl.DataFrame, name: str, kind: str) -> pl.Expr:
    col = pl.col(name)
    if name == "chain":
        return _chain_label(df)
    if name == "cluster":
        return col.fill_null(NO_CLUSTER)
    if kind == "money":
        return (col.cast(pl.Float64) / 10_000).round(2)
    if kind == "usd":
        return col.cast(pl.Float64).round(2)
    if kind == "share":
        return (col.cast(pl.Float64) * 100).round(2)
    if kind in ("count", "int"):
        return col.cast(pl.Int64)
    if kind == "period":
        return pl.when(col.is_null()).then(None).otherwise(pl.lit("第") + col.cast(pl.String) + pl.lit("期"))
    if kind == "flag":
        return pl.when(col.is_null()).then(None).when(col.cast(pl.Boolean)).then(pl.lit("是")).otherwise(pl.lit("否"))
    if kind == "code":
        return col.replace_strict(vocab.CODES.get(name, {}), default=col, return_dtype=pl.String)
    if kind == "light":
        return col.replace_strict({k: vocab.light_text(k) for k in vocab.LIGHT_NAMES if k}, default=None,
                                  return_dtype=pl.String)
    if kind == "text" and df.schema[name] == pl.List(pl.String):
        return col.list.join("、")
    if kind == "text" and df.schema[name] not in (pl.String, pl.Categorical):
        return col.cast(pl.String)
    return col


def screen_frame(df: pl.DataFrame, columns) -> tuple[pl.DataFrame, list[ScreenColumn]]:
    """The chosen columns (those the frame has), converted for the screen, headed in Chinese."""
    names = [c for c in columns if c in df.columns]
    kinds = [vocab.column(c).kind for c in names]
    out = df.select([_expr(df, c, k).alias(c) for c, k in zip(names, kinds)])
    headers = [vocab.header(c) for c in names]
    return out.rename(dict(zip(names, headers))), [ScreenColumn(h, k) for h, k in zip(headers, kinds)]


def cell_text(name: str, value, row: dict | None = None) -> str:
    """One value as text, as every table shows it."""
    kind = vocab.column(name).kind
    if name == "chain" and row is not None and row.get("chain_known") is False:
        return f"未识别：{value}"
    if name == "cluster" and value is None:
        return NO_CLUSTER
    if kind == "light":
        return vocab.light_text(value) if value else EMPTY
    if kind == "code":
        return vocab.code_name(name, value)
    if value is None:
        return EMPTY
    if kind == "money":
        return yi(value, unit=False)
    if kind == "share":
        return pct(value)
    if kind == "period":
        return period(value)
    if kind == "usd":
        return f"{Decimal(str(value)):,.2f}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind == "int":
        return str(int(value))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def text_frame(df: pl.DataFrame, columns) -> pl.DataFrame:
    """The chosen columns as text, headed like the screen's tables (slides)."""
    names = [c for c in columns if c in df.columns]
    headers = [vocab.header(c) for c in names]
    rows = [{h: cell_text(c, r[c], r) for c, h in zip(names, headers)} for r in df.iter_rows(named=True)]
    schema = {h: pl.Utf8 for h in headers}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
