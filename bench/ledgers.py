"""Real ledger files for the loading benchmark: one month of one city's district ledgers.

The month is the one after the generated warehouse's newest (bench.generate.SAMPLE_MONTH), the
rows are what bench.generate says those districts' projects look like that month, and each
district's file is written by etl.layouts in the layout that district sends (title + two-row
header in 亿元, one sheet per stage with text numbers and BD-09, GB18030 CSV with WGS-84, legacy
.xls, masked publication copy). Loading them into the generated warehouse is a real monthly
update: the same projects, a month later, and the month's new ones.
"""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from bench.generate import FILE_NAMES, LAYOUT_NAMES, SAMPLE_MONTH, month_end, snapshot_rows
from etl.layouts import WRITERS
from warehouse.reference import Reference


def city_districts(ref: Reference, city_code: str) -> list:
    return [d for d in ref.districts if d.parent_code == city_code]


def write_sample(out: Path, ref: Reference, projects: pl.DataFrame, city_code: str, *, seed: int = 2021,
                 month: int = SAMPLE_MONTH) -> list[Path]:
    """Write out/<district>/<file> for every district of the city; return the files."""
    out = Path(out)
    day = month_end(month)
    districts = city_districts(ref, city_code)
    layout_of = dict(projects.filter(pl.col("district_code").is_in([d.code for d in districts]))
                     .group_by("district_code").agg(pl.col("layout").first()).iter_rows())
    rows = snapshot_rows(ref, projects, month, [d.code for d in districts])
    files = []
    for d in districts:
        lay = layout_of.get(d.code)
        if lay is None:
            continue
        name = FILE_NAMES[lay].format(name=d.name, short=d.short_name, y=day.year, m=day.month)
        target = out / d.name / name
        target.parent.mkdir(parents=True, exist_ok=True)
        rng = random.Random(f"{seed}:{d.code}:{day.isoformat()}")
        files.append(WRITERS[LAYOUT_NAMES[lay]](target, rows.get(d.code, []), district=d.name, as_of=day, rng=rng))
    return files
