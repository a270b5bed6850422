"""Parse: a file → the plain data of one kind (etl/kinds.py), or a RefusedFile. No warehouse here.

`parse_file` is what the child process of etl/worker.py runs for each file; the reference data
and settings it needs are loaded once per process into a ParseContext.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.errors import RefusedFile
from etl.kinds import classify
from etl.read import read_workbook
from etl.sniff import SPREADSHEET_SUFFIXES
from warehouse.geo import bounds, load_boundaries
from warehouse.indicators import Indicator, load_indicators, synonym_index
from warehouse.reference import Reference, load_reference
from warehouse.settings import BOUNDARY_DIR, settings

ACCEPTED = "请上传 .xlsx、.xls、.csv（或 .xlsm、.xlsb、.et、.ods）格式的台账文件；其他格式请用Excel或WPS打开后“另存为”.xlsx。"


@dataclass(frozen=True)
class ParseContext:
    """Everything a parser needs besides the file: reference data, indicators and settings."""

    ref: Reference
    indicators: dict[str, Indicator]           # synonym → indicator
    default_unit: str
    default_crs: str
    city_bbox: tuple[float, float, float, float]

    @classmethod
    def load(cls, ref: Reference | None = None) -> "ParseContext":
        ref = ref or load_reference()
        s = settings()
        return cls(ref, synonym_index(load_indicators()), s.get("ledger", "default_amount_unit"),
                   s.get("ledger", "default_crs"), bounds(load_boundaries(str(BOUNDARY_DIR / ref.boundary_file))))


def parse_file(path: Path, context: ParseContext, *, as_of: date | None = None, file_name: str | None = None,
               scope: frozenset[str] | None = None):
    """Read a file and parse it as the first kind that recognises its content. `file_name` is the
    name the person gave the file (an upload is stored under another name)."""
    name = file_name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        raise RefusedFile(f"不支持的文件类型“{suffix or '无扩展名'}”。{ACCEPTED}")
    with tempfile.TemporaryDirectory(prefix="ledger-read-") as scratch:
        wb = read_workbook(path, name, Path(scratch))
        kind, analysis = classify(wb, context)
        return kind.parse(wb, analysis, context, as_of=as_of, file_name=name, scope=scope)
