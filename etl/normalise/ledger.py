"""Normalise one ledger sheet: text cells → typed project rows, rejected rows, skipped rows.

Whole columns are processed at once (etl/normalise/columns.py). Each field has its own function
below; every one adds the reasons its cells cannot be used to the row's rejection reasons.
Free text (names, investors, leaders …) is kept as the district wrote it; identity and matching use
the normalised form (etl/normalise/identity.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

import polars as pl

from etl.normalise.columns import amounts, clean_frame, dates, map_unique, nulls, points, when_text, written
from etl.normalise.headers import Header
from etl.normalise.identity import CODE_PREFIX, name_keys, project_ids
from etl.normalise.places import resolve_chain, resolve_district, resolve_park, resolve_stage
from etl.normalise.text import leading_number, norm_key
from etl.normalise.totals import check_totals
from warehouse.batches import BATCHES
from warehouse.reference import Reference

__all__ = ["CODE_PREFIX", "DATE_FIELDS", "OUTPUT_COLUMNS", "LedgerContext", "SheetResult", "normalise_sheet",
           "is_instruction_sheet", "SECTION_RE", "NOTE_RE", "TOTAL_RE"]

SECTION_RE = r"^([一二三四五六七八九十]+[、.,]|[(][一二三四五六七八九十]+[)]|第[一二三四五六七八九十]+(部分|类)|[0-9]+、)"
TOTAL_RE = r"^(总合计|合计|总计|小计|全市合计|全区合计|全县合计|累计)"
NOTE_RE = r"^(注[:：0-9]|说明[:：]|填表人|审核人|制表人|联系人|填报人|负责人|备注[:：]|领导签字|单位负责人|填表说明)"
INSTRUCTION_SHEET = re.compile(r"(说明|目录|封面|指标解释|示例|须知|字典|下拉|选项|参数|lists?$)", re.I)
# Columns whose vertically merged cells mean "the same value for every row below".
MERGE_FILL_FIELDS = ("district", "park", "chain", "cluster", "stage", "responsible_unit", "leader",
                     "event", "period", "batch", "investor_kind", "investor_origin")
# Free text shown as written (no full-width folding).
WRITTEN_FIELDS = ("project_name", "project_code", "investor", "park", "responsible_unit", "leader",
                  "investor_kind", "investor_origin", "event", "remark")
DATE_FIELDS = ("sign_date", "register_date", "start_date", "production_date")
OUTPUT_COLUMNS = [
    "source_sheet", "source_row", "project_id", "project_code", "project_name", "district_code",
    "district", "park", "cluster", "chain", "chain_known", "investor", "total_investment_wan",
    "investment_note", "foreign_investment_wan_usd", "stage", "sign_date", "register_date",
    "start_date", "production_date", "period", "batch", "lng", "lat", "location_approximate",
    "responsible_unit", "leader", "investor_kind", "investor_origin", "event", "remark", "name_key",
]
# What every row of a sheet lacks when a column is missing and nothing else supplies it.
NO_DISTRICT = "无法确定所属县区（表中没有县区，标题和文件名中也没有）"
NO_STAGE = "缺少项目阶段（表中没有阶段列，工作表名和分组行也未注明）"


@dataclass
class LedgerContext:
    ref: Reference
    source_file: str
    default_district: str | None      # district code implied by the title, file or folder
    ledger_year: int                  # the year of dates written without one (3月5日)
    default_unit: str
    default_crs: str
    city_bbox: tuple[float, float, float, float]
    scope: frozenset[str] | None = None   # district codes the uploader may write; None: all


@dataclass
class SheetResult:
    sheet: str
    rows: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)


def is_instruction_sheet(name: str) -> bool:
    return bool(INSTRUCTION_SHEET.search(name))


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


def raw_values(labels: list[str], values: tuple) -> str:
    return json.dumps({labels[i]: v for i, v in enumerate(values) if v is not None and i < len(labels)},
                      ensure_ascii=False)


def _row_kinds(data: pl.DataFrame, cols: list[str], header: Header, fc: dict[str, str]) -> pl.DataFrame:
    """_kind of each row (blank / total / note / section / data) and _lead, its first text."""
    name_idx = header.columns["project_name"]
    lead = pl.coalesce([pl.col(c) for c in cols[: name_idx + 1]]).str.replace_all(r"\s+", "")
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
    return data.with_columns(kind.alias("_kind"), lead.alias("_lead"))


def _section_stages(data: pl.DataFrame, ref: Reference) -> pl.DataFrame:
    """Section rows ("一、签约项目") set the stage of the rows under them, until the next section."""
    sections = data.filter(pl.col("_kind") == "section")
    if not sections.height:
        return data.with_columns(pl.lit(None, dtype=pl.String).alias("_section_stage"))
    (stage,) = map_unique(sections.get_column("_lead"),
                          lambda t: (resolve_stage(re.sub(SECTION_RE, "", t), ref) or "",), 1)
    data = data.join(sections.select("_row", stage.alias("_section_stage")), on="_row", how="left")
    data = data.with_columns(pl.col("_section_stage").forward_fill())
    return data.with_columns(pl.when(pl.col("_section_stage") == "").then(None)
                             .otherwise(pl.col("_section_stage")).alias("_section_stage"))


def normalise_sheet(frame: pl.DataFrame, sheet_name: str, header: Header, ctx: LedgerContext,
                    merged: Callable | None = None) -> SheetResult:
    result = SheetResult(sheet_name, pl.DataFrame())
    fc = {f: f"c{i}" for f, i in header.columns.items()}
    fallback = {f: f"c{i}" for f, i in header.fallback.items()}
    cols = list(frame.columns)
    if merged is not None:
        data_slice = frame.slice(header.data_start)
        if any(data_slice.get_column(fc[f]).null_count() for f in MERGE_FILL_FIELDS if f in fc):
            frame = _fill_merged(frame, header, merged())
    as_written = frame.select([written(pl.col(fc[f])).alias(f"w_{f}") for f in WRITTEN_FIELDS if f in fc])
    frame = clean_frame(frame).hstack(as_written)
    data = frame.slice(header.data_start).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + header.data_start + 1).alias("_row"))
    result.rows_read = data.height
    data = _section_stages(_row_kinds(data, cols, header, fc), ctx.ref)

    result.rows_skipped = int((data.get_column("_kind") != "data").sum())
    for row in data.filter(pl.col("_kind").is_in(["section", "total", "note"])).iter_rows(named=True):
        reason = {"section": "分组标题行", "total": "合计/小计行", "note": "备注行"}[row["_kind"]]
        result.skipped.append({"source_sheet": sheet_name, "source_row": row["_row"], "reason": reason,
                               "raw_values": raw_values(header.labels, tuple(row[c] for c in cols))})

    rows = data.filter(pl.col("_kind") == "data")
    result.rows = _normalise_rows(rows, header, _Cells(rows, fc, fallback), ctx,
                                  resolve_stage(sheet_name, ctx.ref), result)
    if "total_investment" in fc and (data.get_column("_kind") == "total").any():
        loaded = dict(zip(result.rows.get_column("source_row").to_list(),
                          result.rows.get_column("total_investment_wan").to_list()))
        unit = header.units.get("total_investment") or header.sheet_unit or ctx.default_unit
        result.warnings.extend(check_totals(data, fc["total_investment"], loaded, unit, sheet_name))
    return result


class _Cells:
    """The data rows' columns by field: cleaned (for parsing) or as written (for display)."""

    def __init__(self, rows: pl.DataFrame, fc: dict[str, str], fallback: dict[str, str]):
        self.rows, self.fc, self.fallback, self.n = rows, fc, fallback, rows.height

    def get(self, name: str) -> pl.Series:
        return self.rows.get_column(self.fc[name]) if name in self.fc else nulls(self.n, name)

    def written(self, name: str) -> pl.Series:
        return self.rows.get_column(f"w_{name}") if name in self.fc else nulls(self.n, name)

    def has(self, name: str) -> bool:
        return name in self.fc


def _district(cells: _Cells, ctx: LedgerContext, errors: list) -> dict[str, pl.Series]:
    """Its column, else a priority-2 column (责任单位), else the file's district."""
    raw = cells.get("district")
    if not cells.has("district") and "district" in cells.fallback:
        raw = cells.rows.get_column(cells.fallback["district"])
    (found,) = map_unique(raw, lambda t: (resolve_district(t, ctx.ref),), 1)
    names = {d.code: d.name for d in ctx.ref.districts}
    code = pl.select(pl.when(raw.is_null()).then(pl.lit(ctx.default_district)).otherwise(found)).to_series()
    name = pl.select(pl.when(code.is_not_null()).then(code.replace_strict(names, default=None))
                     .otherwise(raw)).to_series()
    errors.append(when_text(name.is_null(), NO_DISTRICT))
    if ctx.scope is not None:
        allowed = "、".join(names.get(c, c) for c in sorted(ctx.scope))
        outside = name.is_not_null() & ~code.is_in(sorted(ctx.scope)).fill_null(False)
        errors.append(when_text(outside, pl.lit("所属县区“") + pl.lit(name) + pl.lit(
            f"”不在本账号的填报范围（{allowed}）内，未入库")))
    return {"district_code": code, "district": name}


def _stage(cells: _Cells, sheet_stage: str | None, found_dates: dict, ctx: LedgerContext, errors: list) -> pl.Series:
    """Its column, else the section, else the sheet name, else the latest date given."""
    raw = cells.get("stage")
    (named,) = map_unique(raw, lambda t: (resolve_stage(t, ctx.ref),), 1)
    errors.append(when_text(raw.is_not_null() & named.is_null(), pl.lit("无法识别项目阶段：“") + pl.lit(raw) + pl.lit("”")))
    inferred = pl.select(
        pl.when(found_dates["production_date"].is_not_null()).then(pl.lit("投产"))
        .when(found_dates["start_date"].is_not_null()).then(pl.lit("开工"))
        .when(found_dates["register_date"].is_not_null()).then(pl.lit("履约"))
        .when(found_dates["sign_date"].is_not_null()).then(pl.lit("签约"))).to_series()
    stage = pl.select(pl.coalesce(named, cells.rows.get_column("_section_stage"), pl.lit(sheet_stage),
                                  inferred)).to_series()
    errors.append(when_text(stage.is_null() & raw.is_null(), NO_STAGE))
    return stage


def _dates(cells: _Cells, ctx: LedgerContext, errors: list) -> dict[str, pl.Series]:
    out = {}
    for name in DATE_FIELDS:
        out[name], err = dates(cells.get(name), ctx.ledger_year)
        errors.append(err)
    return out


def _amount_unit(header: Header, name: str, ctx: LedgerContext, result: SheetResult, has_values: bool) -> str:
    if name == "foreign_investment":
        return header.units.get(name) or "万美元"
    unit = header.units.get(name) or header.sheet_unit
    if unit is None:
        if has_values:
            result.warnings.append(("未注明单位", f"工作表“{result.sheet}”未注明金额单位，总投资按{ctx.default_unit}计算。"))
        unit = ctx.default_unit
    return unit


def _money(cells: _Cells, header: Header, ctx: LedgerContext, result: SheetResult, errors: list) -> dict:
    out = {}
    for name in ("total_investment", "foreign_investment"):
        raw = cells.get(name)
        value, note, err = amounts(raw, _amount_unit(header, name, ctx, result, raw.null_count() < cells.n))
        out[name] = (value, note)
        errors.append(err)
    return out


def _chain(cells: _Cells, ctx: LedgerContext) -> dict[str, pl.Series]:
    raw = cells.get("chain")
    chain, cluster, known = map_unique(raw, lambda t: resolve_chain(t, ctx.ref), 3)
    (cluster_col,) = map_unique(cells.get("cluster"), lambda t: (resolve_chain(t, ctx.ref)[1] or t,), 1)
    return {"cluster": pl.select(pl.coalesce(cluster, cluster_col)).to_series(), "chain": chain,
            "chain_known": pl.select(pl.when(chain.is_null()).then(None).otherwise(known == "True")).to_series(),
            "_raw_chain": pl.select(pl.when(known == "False").then(raw)).to_series()}


def _park_tuple(text: str, ref: Reference) -> tuple:
    p = resolve_park(text, ref)
    return (p["park"], p["lng"], p["lat"]) if p else (None, None, None)


def _location(cells: _Cells, header: Header, place: dict, ctx: LedgerContext) -> dict[str, pl.Series]:
    """The project's point, else its park's, else its district's (marked approximate); a point
    that cannot be read or lies outside the city is a warning (_coord_problem), not a rejection."""
    park, park_lng, park_lat = map_unique(cells.get("park"), lambda t: _park_tuple(t, ctx.ref), 3)
    n = cells.n
    point_lng = point_lat = nulls(n, dtype=pl.Float64)
    problem = nulls(n)
    if any(cells.has(f) for f in ("lng", "lat", "coordinates")):
        point_lng, point_lat, problem = points(cells.get("lng"), cells.get("lat"), cells.get("coordinates"),
                                               header.crs or ctx.default_crs)
        x0, y0, x1, y1 = ctx.city_bbox
        m = 0.3
        outside = ((point_lng < x0 - m) | (point_lng > x1 + m) | (point_lat < y0 - m) | (point_lat > y1 + m)).fill_null(False)
        if outside.any():
            where = pl.Series([f"{x:.4f}, {y:.4f}" if o else None for o, x, y in zip(outside, point_lng, point_lat)],
                              dtype=pl.String)
            problem = pl.select(pl.coalesce(problem, where)).to_series()
        point_lng = pl.select(pl.when(outside).then(None).otherwise(point_lng)).to_series()
        point_lat = pl.select(pl.when(outside).then(None).otherwise(point_lat)).to_series()
    code = place["district_code"]
    dlng = code.replace_strict({d.code: d.lng for d in ctx.ref.districts}, default=None, return_dtype=pl.Float64)
    dlat = code.replace_strict({d.code: d.lat for d in ctx.ref.districts}, default=None, return_dtype=pl.Float64)
    lng = pl.select(pl.coalesce(point_lng, park_lng.cast(pl.Float64), dlng)).to_series()
    lat = pl.select(pl.coalesce(point_lat, park_lat.cast(pl.Float64), dlat)).to_series()
    return {"park": pl.select(pl.coalesce(park, cells.written("park"))).to_series(), "lng": lng, "lat": lat,
            "location_approximate": pl.select(pl.when(lng.is_null()).then(None)
                                              .otherwise(point_lng.is_null())).to_series(),
            "_coord_problem": problem}


def _period(text: str) -> int | None:
    return leading_number(norm_key(text).removeprefix("第"))


def _batch(text: str) -> str | None:
    t = norm_key(text)
    return next((b for b in BATCHES if b[:2] in t), None)


def _period_batch(cells: _Cells) -> dict[str, pl.Series]:
    raw = cells.get("period")
    (period,) = map_unique(raw, lambda t: (_period(t),), 1)
    (batch,) = map_unique(pl.select(pl.coalesce(cells.get("batch"), raw)).to_series(), lambda t: (_batch(t),), 1)
    return {"period": period.cast(pl.Int32), "batch": batch}


def _normalise_rows(rows: pl.DataFrame, header: Header, cells: _Cells, ctx: LedgerContext,
                    sheet_stage: str | None, result: SheetResult) -> pl.DataFrame:
    errors: list[pl.Series] = []
    name = cells.get("project_name")
    errors.append(when_text(name.is_null(), "缺少项目名称"))
    place = _district(cells, ctx, errors)
    found_dates = _dates(cells, ctx, errors)
    stage = _stage(cells, sheet_stage, found_dates, ctx, errors)
    money = _money(cells, header, ctx, result, errors)
    keys = name_keys(name)
    out = pl.DataFrame({
        "source_sheet": pl.repeat(result.sheet, cells.n, dtype=pl.String, eager=True),
        "source_row": rows.get_column("_row").cast(pl.Int32),
        "project_id": project_ids(cells.get("project_code"), place["district_code"], place["district"], keys),
        "project_code": cells.written("project_code"),
        "project_name": cells.written("project_name"),
        **place,
        **_chain(cells, ctx),
        "investor": cells.written("investor"),
        "total_investment_wan": money["total_investment"][0],
        "investment_note": money["total_investment"][1],
        "foreign_investment_wan_usd": money["foreign_investment"][0],
        "stage": stage,
        **found_dates,
        **_period_batch(cells),
        **_location(cells, header, place, ctx),
        **{f: cells.written(f) for f in ("responsible_unit", "leader", "investor_kind", "investor_origin",
                                         "event", "remark")},
        "name_key": keys,
        "_raw_district": pl.select(pl.when(place["district_code"].is_null()).then(place["district"])).to_series(),
    })
    reason = pl.select(pl.concat_str(errors, separator="；", ignore_nulls=True)).to_series()
    bad = (reason.str.len_bytes() > 0).fill_null(False)
    cells_of = rows.select([c for c in rows.columns if re.fullmatch(r"c\d+", c)])
    for row, values, why in zip(rows.get_column("_row").filter(bad), cells_of.filter(bad).iter_rows(), reason.filter(bad)):
        result.rejected.append({"source_sheet": result.sheet, "source_row": row, "reason": why,
                                "raw_values": raw_values(header.labels, values)})
    kept = out.filter(~bad)
    _report_kept(kept, result)
    if ctx.scope is None:
        return kept.select(OUTPUT_COLUMNS)
    # a district account's rows may still be rejected against the warehouse (etl/scope.py): keep
    # what such a rejection must show
    raw = [raw_values(header.labels, values) for values in cells_of.filter(~bad).iter_rows()]
    return kept.select(OUTPUT_COLUMNS).with_columns(pl.Series("raw_values", raw, dtype=pl.String))


def _report_kept(kept: pl.DataFrame, result: SheetResult) -> None:
    """Warnings about the projects kept: names the reference data does not know, unusable points."""
    sheet = result.sheet
    unknown = kept.get_column("_raw_district").drop_nulls().unique().sort().to_list()
    if unknown:
        result.warnings.append(("未知县区", f"工作表“{sheet}”有参考数据中没有的县区：{'、'.join(unknown[:20])}"
                                "（项目已保留；请核对县区名称，或请系统管理员在参考数据 districts.csv 中补充别名）。"))
    chains = kept.get_column("_raw_chain").drop_nulls().unique().sort().to_list()
    if chains:
        result.warnings.append(("未知产业链", f"工作表“{sheet}”有参考数据中没有的产业链：{'、'.join(chains[:20])}"
                                "（项目已保留；请核对产业链名称，或请系统管理员在参考数据 chains.csv 中补充或加别名）。"))
    problems = kept.get_column("_coord_problem").drop_nulls()
    if problems.len():
        examples = problems.unique().sort().head(3).to_list()
        result.warnings.append(("坐标问题", f"工作表“{sheet}”有{problems.len()}个项目的坐标无法使用（无法识别或不在本市范围内），"
                                f"已改用园区或县区位置（标为大致位置）：{'；'.join(examples)}"))
