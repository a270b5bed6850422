"""Loading while the dashboard reads: no lock errors on either side, and readers see the new data.

The app opens a read-only connection per query batch and closes it (warehouse.db.reading); the
loader holds the write lock only for one transaction. Either side waits for the other's lock.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl

from etl.load import load_files

ROOT = Path(__file__).resolve().parent.parent

READER = textwrap.dedent("""
    import os, sys, time
    from warehouse.db import reading
    db, stop = sys.argv[1], sys.argv[2]
    counts, errors, last = [], 0, False
    while not last:
        last = os.path.exists(stop)       # one more read after the loads have finished
        try:
            with reading(db) as con:
                counts.append(con.execute("SELECT count(*) FROM projects").fetchone()[0])
        except Exception as exc:
            errors += 1
            print("ERROR", type(exc).__name__, exc, file=sys.stderr)
    print(len(counts), errors, min(counts), max(counts))
""")


def ledger(path: Path, n: int, start: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    for i in range(start, start + n):
        ws.append([f"项目{i}", "郾城区", i, "签约"])
    wb.save(path)
    return path


def test_dashboard_reads_while_loader_writes(tmp_path):
    db = tmp_path / "w.duckdb"
    load_files([ledger(tmp_path / "郾城区2024年01月.xlsx", 100, 0)], db=db)
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for month in range(2, 8):   # six loads, each adding 500 projects, while two readers poll
        results += load_files([ledger(tmp_path / f"郾城区2024年{month:02d}月.xlsx", 500, month * 1000)], db=db)
    stop.touch()
    outputs = [r.communicate(timeout=120) for r in readers]
    assert [r.status for r in results] == ["loaded"] * 6
    for out, err in outputs:
        assert "ERROR" not in err, err
        reads, errors, low, high = map(int, out.split())
        assert errors == 0 and reads > 10
        assert 100 <= low and high == 3100          # new data seen without reopening anything
    con_counts = load_files([tmp_path / "郾城区2024年07月.xlsx"], db=db)
    assert con_counts[0].status == "unchanged"
