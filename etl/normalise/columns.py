"""Whole ledger columns at once: the quirk functions (amounts, dates, coordinates, places) run once
per *distinct* cell text, plain values in one vectorised polars step, so a 200,000-row ledger
costs a few thousand Python calls, not millions."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

import numpy as np
import polars as pl

from etl.normalise.amounts import UNIT_TO_WAN, parse_amount
from etl.normalise.coords import parse_point
from etl.normalise.dates import parse_date
from warehouse.geo import to_gcj02

MONEY = pl.Decimal(24, 6)
FULL_WIDTH = r"[\u3000\uFF01-\uFF5E]"
PLAIN_NUMBER = r"^\d{1,15}(\.\d{1,6})?$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$"
COORDINATE = r"^-?\d{1,3}(\.\d+)?$"


def clean_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip every cell, empty → null, and NFKC (full-width → half-width) in the columns that
    have any full-width character (checked once per column: most columns have none)."""
    cols = frame.columns
    if not cols:
        return frame
    wide = frame.select([pl.col(c).str.contains(FULL_WIDTH).any() for c in cols]).row(0)
    return frame.with_columns([written(pl.col(c).str.normalize("NFKC") if has_wide else pl.col(c)).alias(c)
                               for c, has_wide in zip(cols, wide)])


def written(text: pl.Expr) -> pl.Expr:
    """A cell as the district wrote it: outer whitespace removed, empty → null."""
    text = text.str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def nulls(n: int, name: str = "", dtype=pl.String) -> pl.Series:
    return pl.repeat(None, n, dtype=dtype, eager=True).alias(name)


def map_unique(series: pl.Series, fn: Callable[[str], tuple], width: int) -> list[pl.Series]:
    """Apply fn to each distinct non-null value; return `width` text series aligned with input."""
    uniq = series.drop_nulls().unique().to_list()
    if not uniq:
        return [nulls(len(series), series.name) for _ in range(width)]
    results = [fn(u) for u in uniq]
    out = []
    for k in range(width):
        new = [None if r[k] is None else str(r[k]) for r in results]
        out.append(series.replace_strict(uniq, new, default=None, return_dtype=pl.String))
    return out


def when_text(cond: pl.Series, text: str | pl.Expr) -> pl.Series:
    """`text` where cond holds, else null: one reason series for the row rejections."""
    return pl.select(pl.when(cond).then(text if isinstance(text, pl.Expr) else pl.lit(text))).to_series()


def _decimal_text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _amount_tuple(text: str, unit: str) -> tuple:
    a = parse_amount(text, unit)
    return (_decimal_text(a.value), a.note, a.error)


def _date_tuple(text: str, year: int) -> tuple:
    d = parse_date(text, year)
    return (d.value.isoformat() if d.value else None, d.error)


def amounts(raw: pl.Series, unit: str) -> tuple[pl.Series, pl.Series, pl.Series]:
    """(value in 万元, note, error). Plain numbers (nearly every cell) are cast in one vectorised
    step; the rest — units in the cell, separators, 约, 待定, masks, and a plain number too large
    once converted — go through parse_amount once per distinct text, which says why it cannot be used."""
    plain = raw.str.contains(PLAIN_NUMBER).fill_null(False)
    factor = UNIT_TO_WAN.get(unit, Decimal(1))
    fast = pl.select((pl.when(plain).then(raw).cast(MONEY) * pl.lit(factor, dtype=pl.Decimal(24, 6)))
                     .cast(MONEY, strict=False)).to_series()
    rest = pl.select(pl.when(~plain | fast.is_null()).then(raw)).to_series()
    value, note, err = map_unique(rest, lambda t: _amount_tuple(t, unit), 3)
    return pl.select(pl.coalesce(fast.cast(MONEY), value.cast(MONEY))).to_series(), note, err


def dates(raw: pl.Series, year: int) -> tuple[pl.Series, pl.Series]:
    """(date, error). ISO dates (what calamine gives for a date cell) are converted in one
    vectorised step; the rest — and an ISO-looking text that is no date, such as 2025-13-45 — go
    through parse_date once per distinct text, which says why it cannot be read."""
    iso = raw.str.contains(ISO_DATE).fill_null(False)
    fast = pl.select(pl.when(iso).then(raw.str.slice(0, 10)).str.to_date("%Y-%m-%d", strict=False)).to_series()
    rest = pl.select(pl.when(~iso | fast.is_null()).then(raw)).to_series()
    value, err = map_unique(rest, lambda t: _date_tuple(t, year), 2)
    return pl.select(pl.coalesce(fast, value.str.to_date("%Y-%m-%d"))).to_series(), err


def points(a_raw: pl.Series, b_raw: pl.Series, pair: pl.Series, crs: str) -> tuple[pl.Series, pl.Series, pl.Series]:
    """(lng, lat, error) in GCJ-02. Two plain number columns are converted in one vectorised step;
    one-cell pairs, degree signs and other forms go through parse_point per distinct text."""
    plain = (a_raw.str.contains(COORDINATE) & b_raw.str.contains(COORDINATE)).fill_null(False) & pair.is_null()
    a = pl.select(pl.when(plain).then(a_raw).cast(pl.Float64)).to_series().to_numpy()
    b = pl.select(pl.when(plain).then(b_raw).cast(pl.Float64)).to_series().to_numpy()
    lng0, lat0 = np.fmax(a, b), np.fmin(a, b)      # swapped columns: longitude is the larger in China
    lng0, lat0 = to_gcj02(lng0, lat0, crs)
    fast_lng, fast_lat = pl.Series(np.round(lng0, 7)), pl.Series(np.round(lat0, 7))

    sep = "\x1f"
    key = pl.select(pl.when(~plain).then(pl.concat_str(
        [a_raw.fill_null(""), b_raw.fill_null(""), pair.fill_null("")], separator=sep))).to_series()
    key = pl.select(pl.when(key.str.replace_all(sep, "") != "").then(key)).to_series()

    def parse(k: str) -> tuple:
        x, y, c = k.split(sep)
        p = parse_point(x or None, y or None, c or None, crs)
        return (p.lng, p.lat, p.error)

    slow_lng, slow_lat, err = map_unique(key, parse, 3)
    lng = pl.select(pl.coalesce(fast_lng.fill_nan(None), slow_lng.cast(pl.Float64))).to_series()
    lat = pl.select(pl.coalesce(fast_lat.fill_nan(None), slow_lat.cast(pl.Float64))).to_series()
    return lng, lat, err
