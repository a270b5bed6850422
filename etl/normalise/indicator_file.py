"""Two kinds of file the loader recognises by content (etl/kinds.py): the targets workbook
(目标任务分解表: district × indicator × year → target) and the monthly indicator report
(指标完成情况表: cumulative actuals as of a month, often with each district's target beside them).

Whole-file refusals vs row rejections. A file is refused (nothing changes) when its *structure*
is wrong, because then every row would be wrong in the same way and loading the rest would give
a matrix with silent holes: no district column (and no district in the title or file name), no
known indicator, a header unit that cannot be converted (实际利用外资 in 亿元), value columns that
say neither 目标 nor 完成 in a file whose title does not say either, no target year / report
month, or not a single readable value in the whole file (e.g. every target cell is “很多”). A
*row* is rejected (kept with its reason, the others load) when only that row is wrong: an
unknown district, an unreadable or negative number, a fractional project count, a unit in a cell
that cannot be converted, a second value for the same district and indicator that differs from
the first. Placeholders (待定, —, blank) and masked cells (**) are no value, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from etl.normalise.dates import find_as_of, month_end
from etl.normalise.indicator_layout import Layout, detect
from etl.normalise.indicator_rows import RowOutcome, SheetContext, read_sheet
from etl.normalise.indicators import ACTUAL, TARGET
from etl.normalise.ledger import is_instruction_sheet
from etl.normalise.places import district_in_text
from etl.errors import RefusedFile
from etl.workbook import Workbook
from warehouse.indicators import Indicator, unit_kind
from warehouse.reference import Reference

KIND_TARGETS = "目标任务"
KIND_REPORT = "指标月报"
VALUE = pl.Decimal(38, 12)
TARGET_COLUMNS = {"source_sheet": pl.String, "source_row": pl.Int32, "year": pl.Int32,
                  "district_code": pl.String, "district": pl.String, "indicator": pl.String,
                  "unit": pl.String, "target": VALUE, "written": pl.String}
ACTUAL_COLUMNS = {"source_sheet": pl.String, "source_row": pl.Int32, "as_of": pl.Date, "year": pl.Int32,
                  "district_code": pl.String, "district": pl.String, "indicator": pl.String,
                  "unit": pl.String, "actual": VALUE, "prior_actual": VALUE, "reported_yoy": VALUE,
                  "written": pl.String}
_TARGET_WORDS = ("目标", "任务", "分解", "计划")
_ACTUAL_WORDS = ("完成", "进度", "月报", "统计", "实绩", "进展")


@dataclass
class SheetPlan:
    name: str
    rows: list[list]
    layout: Layout
    hint: str                        # title lines and sheet name


@dataclass
class Analysis:
    sheets: list[SheetPlan]
    skipped: list[tuple[str, str, int]]       # (sheet, message, rows)

    @property
    def is_indicator_file(self) -> bool:
        return bool(self.sheets)

    def has_actuals(self, file_hint: str = "") -> bool:
        for s in self.sheets:
            if ACTUAL in s.layout.roles(default_role(s.hint + " " + file_hint)):
                return True
        return False


def default_role(hint: str) -> str | None:
    """What unlabelled value columns hold, from the title: 完成情况 → actuals, 目标任务 → targets."""
    if any(w in hint for w in _ACTUAL_WORDS):
        return ACTUAL
    if any(w in hint for w in _TARGET_WORDS):
        return TARGET
    return None


def _rows(frame: pl.DataFrame) -> list[list]:
    return [list(r) for r in frame.iter_rows()]


def analyse(wb: Workbook, ref: Reference, index: dict[str, Indicator]) -> Analysis | None:
    """Which sheets are indicator tables, and in which layout (reads only the first rows);
    None when none is."""
    sheets, skipped = [], []
    for sheet in wb.sheets:
        frame = sheet.frame
        if frame.width == 0 or frame.height == 0:
            continue
        nonblank = frame.height - int(frame.select(pl.all_horizontal(pl.all().is_null()).sum()).item())
        if nonblank == 0:
            continue
        if not sheet.visible:
            skipped.append((sheet.name, f"隐藏工作表“{sheet.name}”已跳过（{nonblank}行未读取）。", nonblank))
            continue
        if is_instruction_sheet(sheet.name):
            skipped.append((sheet.name, f"说明类工作表“{sheet.name}”已跳过。", nonblank))
            continue
        head = _rows(frame.head(40))
        layout = detect(head, [], ref, index)
        if layout is not None and sheet.merged:
            # merged cells only refine a layout already found (group headers over 目标/完成,
            # districts merged down): a project ledger never pays for reading them here
            try:
                layout = detect(head, sheet.merged(), ref, index) or layout
            except Exception:  # a merge list that cannot be read only costs the group fill
                pass
        if layout is None:
            skipped.append((sheet.name, f"工作表“{sheet.name}”中没有找到指标表头，{nonblank}行已跳过。", nonblank))
            continue
        sheets.append(SheetPlan(sheet.name, _rows(frame), layout, " ".join([*layout.title_lines, sheet.name])))
    return Analysis(sheets, skipped) if sheets else None


@dataclass
class ParsedIndicators:
    kind: str
    as_of: date
    as_of_source: str
    targets: pl.DataFrame
    actuals: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[tuple[str | None, str, str]] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_skipped: int = 0
    row_noun = "行指标数据"

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def preview(self) -> pl.DataFrame:
        """One line per value, for the upload preview."""
        t = self.targets.select("source_sheet", "source_row", "district", "indicator", "unit", "year",
                                pl.lit(None, dtype=pl.Date).alias("as_of"), pl.lit("目标").alias("value_kind"),
                                pl.col("target").alias("value"))
        a = self.actuals.select("source_sheet", "source_row", "district", "indicator", "unit", "year", "as_of",
                                pl.lit("完成").alias("value_kind"), pl.col("actual").alias("value"))
        return pl.concat([t, a]).sort("source_sheet", "source_row", maintain_order=True)


def _find_year(texts: list[str]) -> int | None:
    for text in texts:
        m = re.search(r"(20\d{2})\s*年", text or "") or re.search(r"(?<!\d)(20\d{2})(?!\d)", text or "")
        if m:
            return int(m.group(1))
    return None


def _month_in_headers(layout: Layout) -> int | None:
    """'1-5月完成' in a header: the report's month, when the title gives only the year."""
    for label in layout.labels:
        m = re.search(r"(\d{1,2})\s*[-—~至到]\s*(\d{1,2})\s*月", label) or re.search(r"(?<!\d)(\d{1,2})\s*月", label)
        if m:
            month = int(m.groups()[-1])
            if 1 <= month <= 12:
                return month
    return None


def _report_as_of(plans: list[SheetPlan], stem: str, cli: date | None) -> tuple[date | None, str]:
    if cli is not None:
        return cli, "命令行"
    for plan in plans:
        found = find_as_of(" ".join(plan.layout.title_lines)) or find_as_of(plan.name)
        if found:
            return found, "表格标题"
    found = find_as_of(stem)
    if found:
        return found, "文件名"
    year = _find_year([" ".join(p.layout.title_lines) for p in plans] + [p.name for p in plans] + [stem])
    month = next((m for p in plans if (m := _month_in_headers(p.layout))), None)
    if year and month:
        return month_end(year, month), "表头"
    return None, ""


def _sheet_context(plan: SheetPlan, ref: Reference, index: dict[str, Indicator], stem: str,
                   as_of: date | None, report_as_of: date | None) -> SheetContext:
    """What a sheet's values mean (targets or actuals, whose, which year); RefusedFile when the
    sheet does not say and nothing else does."""
    layout = plan.layout
    role = default_role(plan.hint + " " + stem)
    if layout.needs_default_role() and role is None:
        raise RefusedFile(f"工作表“{plan.name}”的指标列既没有“目标”“完成”之分，标题中也没有写明是目标任务"
                          "还是完成情况，无法判断数值的含义。请在指标下分列“目标”“完成”，或在标题中写明。")
    if not layout.has_values:
        raise RefusedFile(f"工作表“{plan.name}”中没有找到数值列。请在指标下填写“年度目标”或“1-5月完成”这样的数值列后重新上传。")
    for col in layout.value_columns:
        if col.unit and col.indicator.unit_kind != unit_kind(col.unit):
            raise RefusedFile(f"工作表“{plan.name}”的“{col.label}”列：{col.indicator.name}应以"
                              f"{col.indicator.unit}计，表头单位为{col.unit}，无法换算。请改正表头后重新上传。")
    district = None
    if layout.district_col is None and layout.shape != "transposed":
        texts = (*layout.title_lines, plan.name, stem)
        district = next((d for t in texts if (d := district_in_text(t, ref))), None)
        if district is None and any(ref.city_name in t for t in texts):
            district = ref.city_code            # the city's own targets: kept as 全市
        if district is None:
            raise RefusedFile(f"工作表“{plan.name}”中没有找到县区列（如“县区”“单位”），标题和文件名中也没有县区名称，"
                              "无法确定数值属于哪个县区。请增加“县区”列，或在标题中写明县区名称后重新上传。")
    year = (report_as_of.year if report_as_of else
            _find_year([" ".join(layout.title_lines), plan.name, stem]) or (as_of.year if as_of else None))
    if year is None and TARGET in layout.roles(role) and layout.year_col is None:
        raise RefusedFile(f"工作表“{plan.name}”无法确定目标年度：标题、工作表名和文件名中都没有年份"
                          "。请在表格标题中写明目标年度（如“2025年度目标任务”）后重新上传。")
    return SheetContext(ref, index, role, district, year, report_as_of)


def _frames(loaded: list[RowOutcome], report_as_of: date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The loaded rows' targets and actuals."""
    targets = pl.DataFrame([{
        "source_sheet": o.sheet, "source_row": o.row, "year": r.year, "district_code": r.district_code,
        "district": r.district, "indicator": r.indicator.name, "unit": r.indicator.unit, "target": r.value,
        "written": r.written} for o in loaded for r in o.records if r.role == TARGET], schema=TARGET_COLUMNS)
    actuals = pl.DataFrame([{
        "source_sheet": o.sheet, "source_row": o.row, "as_of": report_as_of, "year": r.year,
        "district_code": r.district_code, "district": r.district, "indicator": r.indicator.name,
        "unit": r.indicator.unit, "actual": r.value, "prior_actual": r.prior, "reported_yoy": r.yoy,
        "written": r.written} for o in loaded for r in o.records if r.role == ACTUAL], schema=ACTUAL_COLUMNS)
    return targets, actuals


def parse_indicator_file(wb: Workbook, analysis: Analysis, ref: Reference, index: dict[str, Indicator], *,
                         as_of: date | None, file_name: str | None = None,
                         scope: frozenset[str] | None = None) -> ParsedIndicators:
    name = file_name or wb.path.name
    stem = Path(name).stem
    warnings: list[tuple[str | None, str, str]] = [(None, "文件格式", n) for n in wb.notes]
    skipped_rows = 0
    for sheet, message, n in analysis.skipped:
        warnings.append((sheet, "跳过工作表", message))
        skipped_rows += n

    report = analysis.has_actuals(stem)
    report_as_of, as_of_source = _report_as_of(analysis.sheets, stem, as_of) if report else (None, "")
    if report and report_as_of is None:
        raise RefusedFile("无法确定指标完成情况的数据月份：标题、工作表名和文件名中都没有“2024年1-5月”"
                          "或“2024年5月”这样的日期。请在表格标题中写明（如“2024年1-5月指标完成情况”）后重新上传。")
    contexts = [_sheet_context(plan, ref, index, stem, as_of, report_as_of) for plan in analysis.sheets]

    outcomes: list[RowOutcome] = []
    for plan, ctx in zip(analysis.sheets, contexts):
        read = read_sheet(plan.rows, plan.name, plan.layout, ctx)
        outcomes.extend(read.outcomes)
        warnings.extend((plan.name, kind, msg) for kind, msg in read.warnings)
        warnings.extend((plan.name, "忽略列", note) for note in plan.layout.notes)
    _resolve_duplicates(outcomes)
    if scope is not None:
        warnings.extend(_apply_scope(outcomes, scope, ref))

    loaded = [o for o in outcomes if o.status == "loaded"]
    records = [r for o in loaded for r in o.records]
    rejected = [{"source_sheet": o.sheet, "source_row": o.row, "reason": o.reason, "raw_values": o.raw}
                for o in outcomes if o.status == "rejected"]
    if not records and scope is not None and rejected and all(SCOPE_MARK in r["reason"] for r in rejected):
        raise RefusedFile(f"文件中的数值都不属于本账号的县区（{_scope_label(scope, ref)}），{len(rejected)}行均未入库。"
                          "请只上传本账号负责县区的数据；其他县区的数据请由该县区或市级账号上传。")
    if not records:
        reasons = "；".join(f"{r['source_sheet']}第{r['source_row']}行：{r['reason']}" for r in rejected[:3])
        raise RefusedFile("文件中没有可以入库的数值" + (f"（{reasons}）" if reasons else "（所有数值都为空或待定）")
                          + "。请检查目标和完成数是否填写为数字。")
    skipped = [{"source_sheet": o.sheet, "source_row": o.row, "reason": o.reason, "raw_values": o.raw}
               for o in outcomes if o.status == "skipped"]

    targets, actuals = _frames(loaded, report_as_of)
    if report:
        file_as_of = report_as_of
    else:
        file_as_of, as_of_source = (as_of, "命令行") if as_of else (date(max(targets["year"]), 1, 1), "目标年度")
    return ParsedIndicators(
        kind=KIND_REPORT if report else KIND_TARGETS, as_of=file_as_of, as_of_source=as_of_source,
        targets=targets, actuals=actuals, rejected=rejected, skipped=skipped, warnings=warnings,
        rows_read=len(outcomes) + skipped_rows, rows_loaded=len(loaded),
        rows_skipped=sum(o.status in ("skipped", "blank") for o in outcomes) + skipped_rows)


SCOPE_MARK = "本账号的填报范围"


def _scope_label(scope: frozenset[str], ref: Reference) -> str:
    names = {d.code: d.name for d in ref.districts}
    return "、".join(names.get(c, c) for c in sorted(scope))


def _apply_scope(outcomes: list[RowOutcome], scope: frozenset[str], ref: Reference) -> list[tuple]:
    """A district account's file: values of other districts, and the city's own (全市), are not
    its to write. A row of one district is rejected whole; a row across districts (districts as
    columns) keeps the account's own values, and a warning says which were left out."""
    label = _scope_label(scope, ref)
    left_out: dict[str, set[str]] = {}
    for o in outcomes:
        if o.status != "loaded":
            continue
        outside = [r for r in o.records if r.district_code not in scope]
        if not outside:
            continue
        if len(outside) == len(o.records):
            r = outside[0]
            o.status, o.records = "rejected", []
            o.reason = (f"全市的数值不属于{SCOPE_MARK}（{label}），未入库" if r.district_code == ref.city_code
                        else f"县区“{r.district}”不在{SCOPE_MARK}（{label}）内，未入库")
        else:
            o.records = [r for r in o.records if r.district_code in scope]
            left_out.setdefault(o.sheet, set()).update(r.district for r in outside)
    return [(sheet, "超出填报范围", f"工作表“{sheet}”中{'、'.join(sorted(names))}的数值不属于{SCOPE_MARK}（{label}），未入库。")
            for sheet, names in left_out.items()]


def _resolve_duplicates(outcomes: list[RowOutcome]) -> None:
    """The same district, indicator and year twice in a file: the same value is a repeat (the
    later row is skipped); a different value is a contradiction (the later row is rejected)."""
    first: dict[tuple, tuple[RowOutcome, object]] = {}
    for o in outcomes:
        if o.status != "loaded":
            continue
        conflict, repeat = [], True
        for r in o.records:
            key = (r.role, r.district_code, r.indicator.name, r.year)
            if key in first:
                other, value = first[key]
                if value != r.value:
                    what = "目标" if r.role == TARGET else "完成数"
                    conflict.append(f"{r.district}{r.indicator.name}{what}与工作表“{other.sheet}”第{other.row}行"
                                    f"不同（{_plain(value)} 与 {_plain(r.value)}）")
            else:
                repeat = False
        if conflict:
            o.status, o.reason, o.records = "rejected", "；".join(conflict), []
        elif repeat:
            o.status, o.reason, o.records = "skipped", "与前面的行重复", []
        else:
            o.records = [r for r in o.records if (r.role, r.district_code, r.indicator.name, r.year) not in first]
            for r in o.records:
                first[(r.role, r.district_code, r.indicator.name, r.year)] = (o, r.value)


def _plain(value) -> str:
    return format(value.normalize(), "f")
