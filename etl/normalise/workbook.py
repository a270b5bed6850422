"""Normalise a whole workbook: choose its sheets, its as-of date and its district, then its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from etl.normalise.dates import find_as_of
from etl.normalise.headers import Header, find_header
from etl.normalise.ledger import (OUTPUT_COLUMNS, LedgerContext, SheetResult, is_instruction_sheet,
                                  normalise_sheet)
from etl.normalise.places import district_in_text
from etl.read import RefusedFile, Workbook
from warehouse.reference import Reference

HEADER_SCAN_ROWS = 40


@dataclass
class ParsedFile:
    """A project ledger, parsed (etl.kinds.ProjectLedger)."""

    as_of: date
    as_of_source: str
    district_code: str | None
    rows: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    warnings: list[tuple[str | None, str, str]] = field(default_factory=list)  # (sheet, kind, message)
    rows_read: int = 0
    rows_skipped: int = 0

    kind = "项目台账"
    row_noun = "个项目行"

    @property
    def rows_loaded(self) -> int:
        return self.rows.height

    @property
    def preview(self) -> pl.DataFrame:
        return self.rows

    def store(self, con, load_id: int, file_name: str, full: pl.DataFrame) -> pl.DataFrame:
        from etl.store import store_project_rows

        return store_project_rows(con, self.rows, load_id, self.as_of, file_name, full)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)


def _head_rows(frame: pl.DataFrame) -> list[list]:
    return [list(r) for r in frame.head(HEADER_SCAN_ROWS).iter_rows()]


def parse_workbook(wb: Workbook, ref: Reference, *, as_of: date | None, default_unit: str,
                   default_crs: str, city_bbox: tuple[float, float, float, float],
                   file_name: str | None = None) -> ParsedFile:
    path: Path = wb.path
    name = file_name or path.name
    warnings: list[tuple[str | None, str, str]] = [(None, "文件格式", note) for note in wb.notes]
    chosen: list[tuple[object, Header]] = []
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
    if not chosen:
        raise RefusedFile("文件中没有找到项目台账：任何工作表都没有可识别的表头（至少需要“项目名称”列和"
                          "“总投资”“县区”“项目状态”等列之一）。请检查是否上传了正确的文件，或使用 python -m etl template 生成的模板。")

    titles = [line for _, h in chosen for line in h.title_lines]
    as_of_source = "命令行"
    if as_of is None:
        for text, source in ((" ".join(titles), "台账日期"), (path.stem if file_name is None else Path(name).stem, "文件名")):
            found = find_as_of(text)
            if found:
                as_of, as_of_source = found, source
                break
    if as_of is None:
        as_of = datetime.fromtimestamp(path.stat().st_mtime).date()
        as_of_source = "文件修改时间"
        warnings.append((None, "日期", f"台账标题和文件名中都没有日期，按文件修改时间{as_of.isoformat()}作为数据日期。"))

    district = None
    for text in (*titles, Path(name).stem, path.parent.name):
        district = district_in_text(text, ref)
        if district:
            break

    ctx = LedgerContext(ref=ref, source_file=name, default_district=district, ledger_year=as_of.year,
                        default_unit=default_unit, default_crs=default_crs, city_bbox=city_bbox)
    results: list[SheetResult] = [
        normalise_sheet(sheet.frame, sheet.name, header, ctx, sheet.merged) for sheet, header in chosen]

    frames = [r.rows.select(OUTPUT_COLUMNS) for r in results if r.rows.height]
    rows = pl.concat(frames, how="vertical_relaxed") if frames else results[0].rows.select(OUTPUT_COLUMNS)
    parsed = ParsedFile(as_of=as_of, as_of_source=as_of_source, district_code=district, rows=rows,
                        warnings=warnings)
    for r in results:
        parsed.rejected.extend(r.rejected)
        parsed.skipped.extend(r.skipped)
        parsed.warnings.extend((r.sheet, kind, msg) for kind, msg in r.warnings)
        parsed.rows_read += r.rows_read
        parsed.rows_skipped += r.rows_skipped
    parsed.rows_read += skipped_sheet_rows
    parsed.rows_skipped += skipped_sheet_rows

    dup = rows.group_by("project_id").agg(pl.len().alias("n"), pl.first("project_name")).filter(pl.col("n") > 1)
    if dup.height:
        examples = "、".join(dup.sort("project_name").get_column("project_name").head(10).to_list())
        parsed.warnings.append((None, "项目重复", f"{dup.height}个项目在本文件中出现不止一次（以阶段最靠后的一行为准）：{examples}"))
    approx = rows.filter(pl.col("location_approximate").fill_null(False)).height
    if approx:
        parsed.warnings.append((None, "大致位置", f"{approx}个项目没有可用坐标，地图上按园区或县区位置标注为大致位置。"))
    masked = rows.filter(pl.col("investment_note") == "脱敏").height
    if masked:
        parsed.warnings.append((None, "金额脱敏", f"{masked}个项目的总投资已脱敏（如“**”），项目已保留，金额记为未知。"))
    return parsed
