"""The two reference points the loader is compared with, each run as its own process:

    python -m bench.readers bare FILE…      # the floor: a bare calamine read of every sheet
    python -m bench.readers analyst DB FILE…  # what an analyst writes today: pandas + openpyxl, into DuckDB

bare: fastexcel (calamine) reads every sheet of each .xlsx/.xls into a polars frame; a CSV
(which calamine does not read) is decoded (UTF-8, else GB18030) and read by polars. Nothing is
normalised, nothing is written: the cost of getting the cells into memory.

analyst: `pandas.read_excel(sheet_name=None, header=None, dtype=str)` with openpyxl (xlrd for
.xls, `read_csv(encoding="gb18030")` for a CSV), every sheet stored as its own DuckDB table.
No header detection, units, dates, districts, chains, identities or checks — the loader does
all of that — so it is the lower bound of what such a script costs, not an equivalent.
Both print one JSON line: {"files", "sheets", "rows"}.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def bare(paths: list[Path]) -> dict:
    import io

    import fastexcel
    import polars as pl

    sheets = rows = 0
    for p in paths:
        if p.suffix.lower() == ".csv":
            frame = pl.read_csv(io.StringIO(_text(p)), has_header=False, infer_schema_length=0,
                                truncate_ragged_lines=True)
            sheets, rows = sheets + 1, rows + frame.height
            continue
        reader = fastexcel.read_excel(str(p))
        for i in range(len(reader.sheet_names)):
            frame = reader.load_sheet(i, header_row=None).to_polars()
            sheets, rows = sheets + 1, rows + frame.height
    return {"files": len(paths), "sheets": sheets, "rows": rows}


def analyst(db: Path, paths: list[Path]) -> dict:
    import duckdb
    import pandas as pd

    con = duckdb.connect(str(db))
    sheets = rows = 0
    for i, p in enumerate(paths):
        if p.suffix.lower() == ".csv":
            frames = {"csv": pd.read_csv(p, encoding="gb18030", header=None, dtype=str)}
        else:
            engine = "xlrd" if p.suffix.lower() == ".xls" else "openpyxl"
            frames = pd.read_excel(p, sheet_name=None, header=None, dtype=str, engine=engine)
        for j, df in enumerate(frames.values()):
            df.columns = [f"c{k}" for k in range(df.shape[1])]
            con.register("df", df)
            con.execute(f"CREATE TABLE sheet_{i}_{j} AS SELECT * FROM df")
            con.unregister("df")
            sheets, rows = sheets + 1, rows + len(df)
    con.close()
    return {"files": len(paths), "sheets": sheets, "rows": rows}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "bare":
        print(json.dumps(bare([Path(a) for a in argv[1:]])))
        return 0
    if len(argv) >= 2 and argv[0] == "analyst":
        print(json.dumps(analyst(Path(argv[1]), [Path(a) for a in argv[2:]])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
