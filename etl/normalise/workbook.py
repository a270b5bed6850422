"""Normalise a whole project ledger: choose its sheets (analyse_ledger), then its as-of date,
its district and its rows (parse_ledger). Pure: the workbook is data, nothing is opened here."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.normalise.dates import find_as_of
from etl.normalise.headers import Header, find_header
from etl.normalise.ledger import (NO_DISTRICT, NO_STAGE, LedgerContext, is_instruction_sheet,
                                  normalise_sheet)
from etl.normalise.places import district_in_text
from etl.errors import RefusedFile
from etl.workbook import RawSheet, Workbook
from warehouse.reference import Reference

HEADER_SCAN_ROWS = 40
SCOPE_MARK = "不在本账号的填报范围"
_YEAR = re.compile(r"(20\d{2})\s*年")
TEMPLATE = "请在“数据管理”页下载空白台账模板"
NOT_A_LEDGER = ("文件中没有找到项目台账：没有一个工作表有可识别的表头（需要“项目名称”列，以及“所属县区”“总投资”"
                "“项目状态”“签约时间”“产业链”等台账列中的至少两列）。请确认上传的是招商项目台账；"
                f"格式不同的，{TEMPLATE}，按模板填写后再上传。")


@dataclass
class ParsedFile:
    """A project ledger, parsed: plain data, saved by etl/save.py."""

    as_of: date
    as_of_source: str
    district_code: str | None
    rows: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[tuple[str | None, str, str]] = field(default_factory=list)  # (sheet, kind, message)
    rows_read: int = 0
    rows_skipped: int = 0
    structural: list[str] = field(default_factory=list)   # reasons every row fails (missing columns)
    scope_label: str = ""                                  # the uploader's districts, for messages

    kind = "项目台账"
    row_noun = "个项目行"

    @property
    def rows_loaded(self) -> int:
        return self.rows.height

    @property
    def preview(self) -> pl.DataFrame:
        return self.rows

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)


def _head_rows(frame: pl.DataFrame) -> list[list]:
    return [list(r) for r in frame.head(HEADER_SCAN_ROWS).iter_rows()]


@dataclass
class LedgerAnalysis:
    """The sheets of a workbook that have a project header, and the sheets left out."""

    chosen: list[tuple[RawSheet, Header]]
    warnings: list[tuple[str | None, str, str]]
    skipped_rows: int


def analyse_ledger(wb: Workbook, ref: Reference) -> LedgerAnalysis:
    warnings: list[tuple[str | None, str, str]] = [(None, "文件格式", note) for note in wb.notes]
    chosen: list[tuple[RawSheet, Header]] = []
    skipped_sheet_rows = 0
    for sheet in wb.sheets:
        nonblank = sheet.frame.height - int(sheet.frame.select(
            pl.all_horizontal(pl.all().is_null()).sum()).item()) if sheet.frame.width else 0
        if not sheet.visible:
            warnings.append((sheet.name, "跳过工作表", f"隐藏工作表“{sheet.name}”已跳过（{nonblank}行未读取）。"))
            skipped_sheet_rows += nonblank
            continue
        if nonblank == 0:
            continue
        if is_instruction_sheet(sheet.name):
            warnings.append((sheet.name, "跳过工作表", f"说明类工作表“{sheet.name}”已跳过。"))
            skipped_sheet_rows += nonblank
            continue
        header = find_header(_head_rows(sheet.frame), ref)
        if header is None:
            warnings.append((sheet.name, "跳过工作表",
                             f"工作表“{sheet.name}”中没有找到项目表头（需要“项目名称”等列），{nonblank}行已跳过。"))
            skipped_sheet_rows += nonblank
            continue
        chosen.append((sheet, header))
    return LedgerAnalysis(chosen, warnings, skipped_sheet_rows)


def parse_ledger(wb: Workbook, analysis: LedgerAnalysis, ref: Reference, *, as_of: date | None,
                 default_unit: str, default_crs: str, city_bbox: tuple[float, float, float, float],
                 file_name: str | None = None, scope: frozenset[str] | None = None) -> ParsedFile:
    name = file_name or wb.path.name
    if not analysis.chosen:
        raise RefusedFile(NOT_A_LEDGER)
    titles = [line for _, h in analysis.chosen for line in h.title_lines]
    warnings = list(analysis.warnings)
    as_of, as_of_source = file_as_of(as_of, titles, wb, warnings)
    district = next((d for t in (*titles, wb.stem, wb.path.parent.name) if (d := district_in_text(t, ref))), None)
    year = next((y for t in (*titles, wb.stem) if (y := title_year(t))), as_of.year)
    ctx = LedgerContext(ref=ref, source_file=name, default_district=district, ledger_year=year,
                        default_unit=default_unit, default_crs=default_crs, city_bbox=city_bbox, scope=scope)
    results = [normalise_sheet(sheet.frame, sheet.name, header, ctx, sheet.merged) for sheet, header in analysis.chosen]
    frames = [r.rows for r in results if r.rows.height]
    rows = pl.concat(frames, how="vertical_relaxed") if frames else results[0].rows
    parsed = ParsedFile(as_of=as_of, as_of_source=as_of_source, district_code=district, rows=rows,
                        warnings=warnings, structural=_structural(analysis), scope_label=scope_label(scope, ref))
    for r in results:
        parsed.rejected.extend(r.rejected)
        parsed.skipped.extend(r.skipped)
        parsed.warnings.extend((r.sheet, kind, msg) for kind, msg in r.warnings)
        parsed.rows_read += r.rows_read
        parsed.rows_skipped += r.rows_skipped
    parsed.rows_read += analysis.skipped_rows
    parsed.rows_skipped += analysis.skipped_rows
    check_loadable(parsed)
    parsed.warnings.extend(file_warnings(rows))
    return parsed


def title_year(text: str) -> int | None:
    """'东城区2024年招商项目台账' → 2024: the year of dates written without one ('3月5日')."""
    m = _YEAR.search(text or "")
    return int(m.group(1)) if m else None


def file_as_of(as_of: date | None, titles: list[str], wb: Workbook, warnings: list) -> tuple[date, str]:
    if as_of is not None:
        return as_of, "命令行"
    for text, source in ((" ".join(titles), "台账日期"), (wb.stem, "文件名")):
        found = find_as_of(text)
        if found:
            return found, source
    found = wb.modified.date()
    warnings.append((None, "日期", f"台账标题和文件名中都没有日期，按文件修改时间{found.isoformat()}作为数据日期。"))
    return found, "文件修改时间"


def _structural(analysis: LedgerAnalysis) -> list[str]:
    """The reasons every row fails when a column is missing from every sheet."""
    headers = [h for _, h in analysis.chosen]
    out = []
    if all("district" not in h.columns and "district" not in h.fallback for h in headers):
        out.append(NO_DISTRICT)
    if all("stage" not in h.columns for h in headers):
        out.append(NO_STAGE)
    return out


def scope_label(scope: frozenset[str] | None, ref: Reference) -> str:
    names = {d.code: d.name for d in ref.districts}
    return "、".join(names.get(c, c) for c in sorted(scope)) if scope is not None else ""


def check_loadable(parsed: ParsedFile) -> None:
    """A file of which no row can be used is refused, storing nothing (the rejected rows of a
    file that is no ledger at all would only keep other people's data): the message says why."""
    if parsed.rows.height or not parsed.rejected:
        return
    reasons = [set(r["reason"].split("；")) for r in parsed.rejected]
    n = len(reasons)
    if all(any(SCOPE_MARK in x for x in rs) for rs in reasons):
        raise RefusedFile(f"文件中的项目都不属于本账号的县区（{parsed.scope_label}），{n}行均未入库。"
                          "请只上传本账号负责县区的台账；其他县区的台账请由该县区或市级账号上传。")
    common = set.intersection(*reasons) & set(parsed.structural)
    if common:
        raise RefusedFile(f"文件不是项目台账：{n}行数据都{sorted(common)[0]}，没有一行可以入库。"
                          f"请确认上传的是招商项目台账；格式不同的，{TEMPLATE}，按模板填写后再上传。")
    counts = Counter(x for rs in reasons for x in rs)
    summary = "；".join(f"{reason}（{k}行）" for reason, k in counts.most_common(3))
    raise RefusedFile(f"文件中没有一行可以入库：{summary}。请按原因修改台账后重新上传。")


def file_warnings(rows: pl.DataFrame) -> list[tuple[str | None, str, str]]:
    out = []
    dup = rows.group_by("project_id").agg(pl.len().alias("n"), pl.first("project_name")).filter(pl.col("n") > 1)
    if dup.height:
        examples = "、".join(dup.sort("project_name").get_column("project_name").head(10).to_list())
        out.append((None, "项目重复", f"{dup.height}个项目在本文件中出现不止一次（以阶段最靠后的一行为准）：{examples}"))
    approx = rows.filter(pl.col("location_approximate").fill_null(False)).height
    if approx:
        out.append((None, "大致位置", f"{approx}个项目没有可用坐标，地图上按园区或县区位置标注为大致位置。"))
    masked = rows.filter(pl.col("investment_note") == "脱敏").height
    if masked:
        out.append((None, "金额脱敏", f"{masked}个项目的总投资已脱敏（如“**”），项目已保留，金额记为未知。"))
    return out
