"""Normalise one ledger sheet: text cells → typed project rows, rejected rows, skipped rows.

Whole columns are processed at once with polars; the quirk functions (amounts, dates, places,
coordinates) run once per *distinct* cell text, so a 200,000-row ledger costs a few thousand
Python calls, not millions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import numpy as np
import polars as pl

from etl.normalise.amounts import UNIT_TO_WAN, parse_amount, unit_in
from etl.normalise.coords import parse_point
from etl.normalise.dates import parse_date
from etl.normalise.headers import Header
from etl.normalise.places import resolve_chain, resolve_district, resolve_park, resolve_stage
from etl.normalise.text import clean, leading_number, norm_key
from warehouse.batches import BATCHES
from warehouse.geo import to_gcj02
from warehouse.reference import Reference

SECTION_RE = r"^([一二三四五六七八九十]+[、.,]|[(][一二三四五六七八九十]+[)]|第[一二三四五六七八九十]+(部分|类)|[0-9]+、)"
TOTAL_RE = r"^(总合计|合计|总计|小计|全市合计|全区合计|全县合计|累计)"
NOTE_RE = r"^(注[:：0-9]|说明[:：]|填表人|审核人|制表人|联系人|填报人|负责人|备注[:：]|领导签字|单位负责人|填表说明)"
INSTRUCTION_SHEET = re.compile(r"(说明|目录|封面|指标解释|示例|须知|字典|下拉|选项|参数|lists?$)", re.I)
# Columns whose vertically merged cells mean "the same value for every row below".
MERGE_FILL_FIELDS = ("district", "park", "chain", "cluster", "stage", "responsible_unit", "leader",
                     "event", "period", "batch", "investor_kind", "investor_origin")
TEXT_FIELDS = ("project_code", "investor", "responsible_unit", "leader", "investor_kind",
               "investor_origin", "event", "remark")
DATE_FIELDS = ("sign_date", "register_date", "start_date", "production_date")
CODE_PREFIX = "编号:"   # project_id of a project with a 项目编号: the prefix and the code
OUTPUT_COLUMNS = [
    "source_sheet", "source_row", "project_id", "project_code", "project_name", "district_code",
    "district", "park", "cluster", "chain", "chain_known", "investor", "total_investment_wan",
    "investment_note", "foreign_investment_wan_usd", "stage", "sign_date", "register_date",
    "start_date", "production_date", "period", "batch", "lng", "lat", "location_approximate",
    "responsible_unit", "leader", "investor_kind", "investor_origin", "event", "remark", "name_key",
]
MONEY = pl.Decimal(24, 6)


@dataclass
class LedgerContext:
    ref: Reference
    source_file: str
    default_district: str | None      # district code implied by the title, file or folder
    ledger_year: int
    default_unit: str
    default_crs: str
    city_bbox: tuple[float, float, float, float]


@dataclass
class SheetResult:
    sheet: str
    rows: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)


FULL_WIDTH = r"[\u3000\uFF01-\uFF5E]"


def clean_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Strip every cell, empty → null, and NFKC (full-width → half-width) in the columns that
    have any full-width character (checked once per column: most columns have none)."""
    cols = frame.columns
    if not cols:
        return frame
    wide = frame.select([pl.col(c).str.contains(FULL_WIDTH).any() for c in cols]).row(0)
    exprs = []
    for c, has_wide in zip(cols, wide):
        text = pl.col(c).str.normalize("NFKC") if has_wide else pl.col(c)
        text = text.str.strip_chars()
        exprs.append(pl.when(text.str.len_bytes() > 0).then(text).alias(c))
    return frame.with_columns(exprs)


def is_instruction_sheet(name: str) -> bool:
    return bool(INSTRUCTION_SHEET.search(name))


def map_unique(series: pl.Series, fn: Callable[[str], tuple], width: int) -> list[pl.Series]:
    """Apply fn to each distinct non-null value; return `width` text series aligned with input."""
    uniq = series.drop_nulls().unique().to_list()
    if not uniq:
        return [pl.repeat(None, len(series), dtype=pl.String, eager=True).alias(series.name) for _ in range(width)]
    results = [fn(u) for u in uniq]
    out = []
    for k in range(width):
        new = [None if r[k] is None else str(r[k]) for r in results]
        out.append(series.replace_strict(uniq, new, default=None, return_dtype=pl.String))
    return out


def _decimal_text(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def _fill_merged(frame: pl.DataFrame, header: Header, merged: list[tuple[int, int, int, int]]) -> pl.DataFrame:
    targets = {header.columns[f] for f in MERGE_FILL_FIELDS if f in header.columns}
    updates: dict[int, list] = {}
    for r1, c1, r2, c2 in merged:
        if r2 <= r1 or r1 < header.data_start or c1 not in targets or r2 >= frame.height:
            continue
        col = updates.setdefault(c1, frame.get_column(f"c{c1}").to_list())
        for r in range(r1 + 1, r2 + 1):
            if col[r] is None:
                col[r] = col[r1]
    if not updates:
        return frame
    return frame.with_columns([pl.Series(f"c{c}", v, dtype=pl.String) for c, v in updates.items()])


def _raw(labels: list[str], values: tuple) -> str:
    return json.dumps({labels[i]: v for i, v in enumerate(values) if v is not None and i < len(labels)},
                      ensure_ascii=False)


def _tolerance(raw_text: str | None, unit: str) -> Decimal:
    """Half a unit of the last digit the 合计 cell shows, in 万元."""
    text = (clean(raw_text) or "").replace(",", "")
    m = re.search(r"\.(\d+)", text)
    places = len(m.group(1)) if m else 0
    cell_unit = unit_in(text) or unit
    return Decimal(1).scaleb(-places) / 2 * UNIT_TO_WAN.get(cell_unit, Decimal(1))


def normalise_sheet(frame: pl.DataFrame, sheet_name: str, header: Header, ctx: LedgerContext,
                    merged: Callable | None = None) -> SheetResult:
    ref = ctx.ref
    result = SheetResult(sheet_name, pl.DataFrame())
    cols = list(frame.columns)
    fc = {f: f"c{i}" for f, i in header.columns.items()}
    fallback = {f: f"c{i}" for f, i in header.fallback.items()}

    frame = clean_frame(frame)
    if merged is not None:
        data_slice = frame.slice(header.data_start)
        if any(data_slice.get_column(fc[f]).null_count() for f in MERGE_FILL_FIELDS if f in fc):
            frame = _fill_merged(frame, header, merged())
    data = frame.slice(header.data_start).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header.data_start + 1).alias("_row"))
    result.rows_read = data.height

    name_idx = header.columns["project_name"]
    lead_cols = [pl.col(c) for c in cols[: name_idx + 1]]
    lead = pl.coalesce(lead_cols).str.replace_all(r"\s+", "")
    name_c = pl.col(fc["project_name"]).str.replace_all(r"\s+", "")
    nonnull = pl.sum_horizontal([pl.col(c).is_not_null() for c in cols])
    amount_null = pl.col(fc["total_investment"]).is_null() if "total_investment" in fc else pl.lit(True)
    only_seq = (nonnull == 1) & pl.col(fc["seq"]).str.contains(r"^\d+$") if "seq" in fc else pl.lit(False)
    kind = (
        pl.when(nonnull == 0).then(pl.lit("blank"))
        .when(only_seq).then(pl.lit("blank"))
        .when(lead.str.contains(TOTAL_RE) | name_c.str.contains(TOTAL_RE)).then(pl.lit("total"))
        .when(lead.str.contains(NOTE_RE)).then(pl.lit("note"))
        .when((lead.str.contains(SECTION_RE) | name_c.str.contains(SECTION_RE)) & amount_null).then(pl.lit("section"))
        .when((nonnull == 1) & pl.col(fc["project_name"]).is_null()).then(pl.lit("section"))
        .otherwise(pl.lit("data"))
    )
    data = data.with_columns(kind.alias("_kind"), lead.alias("_lead"))

    # Section rows ("一、签约项目") set the stage of the rows under them, until the next section.
    sections = data.filter(pl.col("_kind") == "section")
    if sections.height:
        (sec_stage,) = map_unique(sections.get_column("_lead"),
                                  lambda t: (resolve_stage(re.sub(SECTION_RE, "", t), ref) or "",), 1)
        data = data.join(sections.select("_row", sec_stage.alias("_section_stage")), on="_row", how="left")
        data = data.with_columns(pl.col("_section_stage").forward_fill())
        data = data.with_columns(pl.when(pl.col("_section_stage") == "").then(None)
                                 .otherwise(pl.col("_section_stage")).alias("_section_stage"))
    else:
        data = data.with_columns(pl.lit(None, dtype=pl.String).alias("_section_stage"))

    kinds = data.get_column("_kind")
    result.rows_skipped = int((kinds != "data").sum())
    labels = header.labels
    for row in data.filter(pl.col("_kind").is_in(["section", "total", "note"])).iter_rows(named=True):
        reason = {"section": "分组标题行", "total": "合计/小计行", "note": "备注行"}[row["_kind"]]
        values = tuple(row[c] for c in cols)
        result.skipped.append({"source_sheet": sheet_name, "source_row": row["_row"], "reason": reason,
                               "raw_values": _raw(labels, values)})

    sheet_stage = resolve_stage(sheet_name, ref)
    rows = data.filter(pl.col("_kind") == "data")
    result.rows = _normalise_rows(rows, header, fc, fallback, ctx, sheet_stage, result)
    _check_totals(data, header, fc, ctx, result)
    return result


def _col(rows: pl.DataFrame, fc: dict[str, str], name: str) -> pl.Series:
    if name in fc:
        return rows.get_column(fc[name])
    return pl.repeat(None, rows.height, dtype=pl.String, eager=True).alias(name)


def _amount_unit(header: Header, fname: str, ctx: LedgerContext, result: SheetResult, has_values: bool) -> str:
    if fname == "foreign_investment":
        return header.units.get(fname) or "万美元"
    unit = header.units.get(fname) or header.sheet_unit
    if unit is None:
        if has_values:
            result.warnings.append(("未注明单位", f"工作表“{result.sheet}”未注明金额单位，总投资按{ctx.default_unit}计算。"))
        unit = ctx.default_unit
    return unit


PLAIN_NUMBER = r"^\d{1,15}(\.\d{1,6})?$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}( 00:00:00)?$"


def _amounts(raw: pl.Series, unit: str) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Plain numbers (nearly every cell) are cast in one vectorised step; the rest — units in the
    cell, separators, 约, 待定, masks, and a plain number too large once converted — go through
    parse_amount once per distinct text, which says why it cannot be used."""
    plain = raw.str.contains(PLAIN_NUMBER).fill_null(False)
    factor = UNIT_TO_WAN.get(unit, Decimal(1))
    fast = pl.select((pl.when(plain).then(raw).cast(MONEY) * pl.lit(factor, dtype=pl.Decimal(24, 6)))
                     .cast(MONEY, strict=False)).to_series()
    rest = pl.select(pl.when(~plain | fast.is_null()).then(raw)).to_series()
    value, note, err = map_unique(rest, lambda t: _amount_tuple(t, unit), 3)
    return pl.select(pl.coalesce(fast.cast(MONEY), value.cast(MONEY))).to_series(), note, err


def _dates(raw: pl.Series, year: int) -> tuple[pl.Series, pl.Series]:
    """ISO dates (what calamine gives for a date cell) are converted in one vectorised step; the
    rest — and an ISO-looking text that is no date, such as 2025-13-45 — go through parse_date
    once per distinct text, which says why it cannot be read."""
    iso = raw.str.contains(ISO_DATE).fill_null(False)
    fast = pl.select(pl.when(iso).then(raw.str.slice(0, 10)).str.to_date("%Y-%m-%d", strict=False)).to_series()
    rest = pl.select(pl.when(~iso | fast.is_null()).then(raw)).to_series()
    value, err = map_unique(rest, lambda t: _date_tuple(t, year), 2)
    return pl.select(pl.coalesce(fast, value.str.to_date("%Y-%m-%d"))).to_series(), err


def _normalise_rows(rows: pl.DataFrame, header: Header, fc: dict[str, str], fallback: dict[str, str],
                    ctx: LedgerContext, sheet_stage: str | None, result: SheetResult) -> pl.DataFrame:
    ref = ctx.ref
    n = rows.height
    errors: list[pl.Series] = []

    def when_text(cond: pl.Series, text: str | pl.Expr) -> pl.Series:
        return pl.select(pl.when(cond).then(text if isinstance(text, pl.Expr) else pl.lit(text))).to_series()

    name = _col(rows, fc, "project_name")
    errors.append(when_text(name.is_null(), "缺少项目名称"))

    # district: its column, else a priority-2 column (责任单位), else the file's district
    raw_district = _col(rows, fc, "district")
    if "district" not in fc and "district" in fallback:
        raw_district = rows.get_column(fallback["district"])
    (dist_code,) = map_unique(raw_district, lambda t: (resolve_district(t, ref),), 1)
    names = {d.code: d.name for d in ref.districts}
    unknown = raw_district.filter(dist_code.is_null() & raw_district.is_not_null()).unique().sort().to_list()
    if unknown:
        result.warnings.append(("未知县区", f"工作表“{result.sheet}”有参考数据中没有的县区：{'、'.join(unknown[:20])}"
                                "（项目已保留，请在 data/reference/districts.csv 中补充别名）。"))
    district_code = pl.select(pl.when(raw_district.is_null()).then(pl.lit(ctx.default_district))
                              .otherwise(dist_code)).to_series()
    district = pl.select(pl.when(district_code.is_not_null())
                         .then(district_code.replace_strict(names, default=None))
                         .otherwise(raw_district)).to_series()
    errors.append(when_text(district.is_null(), "无法确定所属县区（表中没有县区，标题和文件名中也没有）"))

    # stage: its column, else the section, else the sheet name, else the dates
    raw_stage = _col(rows, fc, "stage")
    (stage_col,) = map_unique(raw_stage, lambda t: (resolve_stage(t, ref),), 1)
    errors.append(when_text(raw_stage.is_not_null() & stage_col.is_null(),
                            pl.lit("无法识别项目阶段：“") + pl.lit(raw_stage) + pl.lit("”")))

    dates: dict[str, pl.Series] = {}
    for fname in DATE_FIELDS:
        dates[fname], err = _dates(_col(rows, fc, fname), ctx.ledger_year)
        errors.append(err)
    inferred = pl.select(
        pl.when(dates["production_date"].is_not_null()).then(pl.lit("投产"))
        .when(dates["start_date"].is_not_null()).then(pl.lit("开工"))
        .when(dates["register_date"].is_not_null()).then(pl.lit("履约"))
        .when(dates["sign_date"].is_not_null()).then(pl.lit("签约"))).to_series()
    stage = pl.select(pl.coalesce(stage_col, rows.get_column("_section_stage"), pl.lit(sheet_stage),
                                  inferred)).to_series()
    errors.append(when_text(stage.is_null() & raw_stage.is_null(),
                            "缺少项目阶段（表中没有阶段列，工作表名和分组行也未注明）"))

    money: dict[str, tuple[pl.Series, pl.Series]] = {}
    for fname in ("total_investment", "foreign_investment"):
        raw = _col(rows, fc, fname)
        unit = _amount_unit(header, fname, ctx, result, raw.null_count() < n)
        value, note, err = _amounts(raw, unit)
        money[fname] = (value, note)
        errors.append(err)

    raw_chain = _col(rows, fc, "chain")
    chain, cluster, known = map_unique(raw_chain, lambda t: resolve_chain(t, ref), 3)
    unknown_chains = raw_chain.filter(known == "False").unique().sort().to_list()
    if unknown_chains:
        result.warnings.append(("未知产业链", f"工作表“{result.sheet}”有参考数据中没有的产业链：{'、'.join(unknown_chains[:20])}"
                                "（项目已保留，请在 data/reference/chains.csv 中补充或加别名）。"))
    (cluster_col,) = map_unique(_col(rows, fc, "cluster"), lambda t: (resolve_chain(t, ref)[1] or t,), 1)
    cluster = pl.select(pl.coalesce(cluster, cluster_col)).to_series()

    raw_park = _col(rows, fc, "park")
    park, park_lng, park_lat = map_unique(raw_park, lambda t: _park_tuple(t, ref), 3)

    period_raw = _col(rows, fc, "period")
    (period,) = map_unique(period_raw, lambda t: (_period(t),), 1)
    (batch,) = map_unique(pl.select(pl.coalesce(_col(rows, fc, "batch"), period_raw)).to_series(),
                          lambda t: (_batch(t),), 1)

    point_lng, point_lat = _points(rows, fc, header, ctx, result)
    dlng = district_code.replace_strict({d.code: d.lng for d in ref.districts}, default=None, return_dtype=pl.Float64)
    dlat = district_code.replace_strict({d.code: d.lat for d in ref.districts}, default=None, return_dtype=pl.Float64)
    lng = pl.select(pl.coalesce(point_lng, park_lng.cast(pl.Float64), dlng)).to_series()
    lat = pl.select(pl.coalesce(point_lat, park_lat.cast(pl.Float64), dlat)).to_series()

    code = _col(rows, fc, "project_code")
    name_key = name.str.replace_all(r"[\s\"'“”‘’《》「」]", "").str.to_lowercase()
    project_id = pl.select(pl.when(code.is_not_null()).then(pl.lit(CODE_PREFIX) + code)
                           .otherwise(pl.coalesce(district_code, district) + pl.lit("|") + name_key)).to_series()

    reason = pl.select(pl.concat_str(errors, separator="；", ignore_nulls=True)).to_series()
    out = pl.DataFrame({
        "source_sheet": pl.repeat(result.sheet, n, dtype=pl.String, eager=True),
        "source_row": rows.get_column("_row").cast(pl.Int32),
        "project_id": project_id,
        "project_code": code,
        "project_name": name,
        "district_code": district_code,
        "district": district,
        "park": pl.select(pl.coalesce(park, raw_park)).to_series(),
        "cluster": cluster,
        "chain": chain,
        "chain_known": pl.select(pl.when(chain.is_null()).then(None).otherwise(known == "True")).to_series(),
        "investor": _col(rows, fc, "investor"),
        "total_investment_wan": money["total_investment"][0],
        "investment_note": money["total_investment"][1],
        "foreign_investment_wan_usd": money["foreign_investment"][0],
        "stage": stage,
        **dates,
        "period": period.cast(pl.Int32),
        "batch": batch,
        "lng": lng,
        "lat": lat,
        "location_approximate": pl.select(pl.when(lng.is_null()).then(None)
                                          .otherwise(point_lng.is_null())).to_series(),
        **{f: _col(rows, fc, f) for f in ("responsible_unit", "leader", "investor_kind",
                                          "investor_origin", "event", "remark")},
        "name_key": name_key,
    })
    bad = (reason.str.len_bytes() > 0).fill_null(False)
    if bad.any():
        cols = [c for c in rows.columns if c.startswith("c")]
        for row, why in zip(rows.filter(bad).select(["_row", *cols]).iter_rows(), reason.filter(bad)):
            result.rejected.append({"source_sheet": result.sheet, "source_row": row[0], "reason": why,
                                    "raw_values": _raw(header.labels, row[1:])})
        out = out.filter(~bad)
    return out


def _date_tuple(text: str, year: int) -> tuple:
    d = parse_date(text, year)
    return (d.value.isoformat() if d.value else None, d.error)


def _amount_tuple(text: str, unit: str) -> tuple:
    a = parse_amount(text, unit)
    return (_decimal_text(a.value), a.note, a.error)


def _park_tuple(text: str, ref: Reference) -> tuple:
    p = resolve_park(text, ref)
    return (p["park"], p["lng"], p["lat"]) if p else (None, None, None)


def _period(text: str) -> int | None:
    t = norm_key(text).removeprefix("第")
    return leading_number(t)


def _batch(text: str) -> str | None:
    t = norm_key(text)
    for b in BATCHES:
        if b[:2] in t:
            return b
    return None


NUMBER = r"^-?\d{1,3}(\.\d+)?$"


def _points(rows: pl.DataFrame, fc: dict[str, str], header: Header, ctx: LedgerContext,
            result: SheetResult) -> tuple[pl.Series, pl.Series]:
    """GCJ-02 points, or nulls. Two plain number columns are converted in one vectorised step;
    one-cell pairs, degree signs and other forms go through parse_point per distinct text."""
    n = rows.height
    if not any(f in fc for f in ("lng", "lat", "coordinates")):
        empty = pl.repeat(None, n, dtype=pl.Float64, eager=True)
        return empty, empty
    crs = header.crs or ctx.default_crs
    a_raw, b_raw, pair = _col(rows, fc, "lng"), _col(rows, fc, "lat"), _col(rows, fc, "coordinates")
    plain = (a_raw.str.contains(NUMBER) & b_raw.str.contains(NUMBER)).fill_null(False) & pair.is_null()
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
    x0, y0, x1, y1 = ctx.city_bbox
    margin = 0.3
    outside = ((lng < x0 - margin) | (lng > x1 + margin) | (lat < y0 - margin) | (lat > y1 + margin)).fill_null(False)
    problems = err.drop_nulls().len() + int(outside.sum())
    if problems:
        examples = err.drop_nulls().unique().sort().head(3).to_list()
        examples += [f"{x:.4f}, {y:.4f}" for x, y in zip(lng.filter(outside).head(3), lat.filter(outside).head(3))]
        result.warnings.append(("坐标问题", f"工作表“{result.sheet}”有{problems}个项目的坐标无法使用（无法识别或不在本市范围内），"
                                f"已改用园区或县区位置（标为大致位置）：{'；'.join(examples)}"))
        lng = pl.select(pl.when(outside).then(None).otherwise(lng)).to_series()
        lat = pl.select(pl.when(outside).then(None).otherwise(lat)).to_series()
    return lng, lat


def _check_totals(data: pl.DataFrame, header: Header, fc: dict[str, str], ctx: LedgerContext,
                  result: SheetResult) -> None:
    """合计/小计 rows are the district's own check-sum: warn when the rows do not add up to them."""
    if "total_investment" not in fc or not (data.get_column("_kind") == "total").any():
        return
    unit = header.units.get("total_investment") or header.sheet_unit or ctx.default_unit
    amounts = dict(zip(result.rows.get_column("source_row").to_list(),
                       result.rows.get_column("total_investment_wan").to_list()))
    running_all = Decimal(0)
    running_section = Decimal(0)
    col = fc["total_investment"]
    for row, kind, lead, raw in data.select("_row", "_kind", "_lead", col).iter_rows():
        if kind == "section":
            running_section = Decimal(0)
        elif kind == "data":
            value = amounts.get(row)
            if value is not None:
                running_all += value
                running_section += value
        elif kind == "total":
            stated = parse_amount(raw, unit)
            if stated.value is None:
                continue
            subtotal = (lead or "").startswith("小计")
            expected = running_section if subtotal else running_all
            if abs(stated.value - expected) > _tolerance(raw, unit):
                label = "小计" if subtotal else "合计"
                result.warnings.append(("合计不符", (
                    f"工作表“{result.sheet}”第{row}行{label}总投资为{_fmt(stated.value)}万元，"
                    f"而明细相加为{_fmt(expected)}万元，相差{_fmt(stated.value - expected)}万元，请县区核对。")))
            if subtotal:
                running_section = Decimal(0)


def _fmt(d: Decimal) -> str:
    text = format(d.quantize(Decimal("0.0001")), "f").rstrip("0").rstrip(".")
    return text or "0"
