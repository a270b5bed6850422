"""The kinds of file the loader recognises by content, tried in order.

Each kind has `claims(workbook, ref) -> bool` and `parse(workbook, ref, *, as_of, file_name)`
returning a parsed object with: kind (Chinese name), as_of, as_of_source, rows_read, rows_loaded,
rows_skipped, rows_rejected, rejected, skipped, warnings [(sheet, kind, message)], preview (a
frame for the upload preview) and `store(con, load_id, file_name, full) -> DataFrame of project
ids whose current state must be recomputed from their history` (`full`: ids that will be
anyway). DATA_TABLES lists every table holding rows keyed by load_id (emptied when a newer
version of the same file supersedes a load).
"""

from __future__ import annotations

from etl.indicator_file import IndicatorReport, TargetsTable
from etl.normalise.workbook import parse_workbook
from warehouse.geo import bounds, load_boundaries
from warehouse.reference import Reference
from warehouse.settings import BOUNDARY_DIR, settings


def city_bbox(ref: Reference) -> tuple[float, float, float, float]:
    return bounds(load_boundaries(str(BOUNDARY_DIR / ref.boundary_file)))


class ProjectLedger:
    """项目台账 — the fallback: whatever no other kind claims is read as a project ledger."""

    name = "项目台账"
    tables = ("project_rows",)

    @staticmethod
    def claims(wb, ref) -> bool:
        return True

    @staticmethod
    def parse(wb, ref, *, as_of, file_name):
        s = settings()
        return parse_workbook(wb, ref, as_of=as_of, default_unit=s.get("ledger", "default_amount_unit"),
                              default_crs=s.get("ledger", "default_crs"), city_bbox=city_bbox(ref),
                              file_name=file_name)


KINDS: list = [TargetsTable, IndicatorReport, ProjectLedger]
DATA_TABLES: list[str] = ["project_rows", "load_districts", "rejected_rows", "skipped_rows", "load_warnings",
                          "indicator_targets", "indicator_actuals"]
