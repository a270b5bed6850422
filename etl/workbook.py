"""What reading a file gives the parsers: sheets of text cells, as plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

Merge = tuple[int, int, int, int]          # (row1, col1, row2, col2), 0-based, frame coordinates


@dataclass
class RawSheet:
    name: str
    visible: bool
    frame: pl.DataFrame                     # all columns text, one row per sheet row from row 1
    merged: Callable[[], list[Merge]] | None = None   # read on demand: most ledgers never need it


@dataclass
class Workbook:
    path: Path
    kind: str                               # xlsx / xlsb / ods / xls / csv
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)   # what reading it had to work around, for people
    modified: datetime | None = None        # the file's modification time (the as-of date of last resort)
    name: str = ""                          # the file name the person gave it (an upload is stored under another)

    @property
    def stem(self) -> str:
        return Path(self.name or self.path.name).stem
