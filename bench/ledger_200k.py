"""Loader speed: a 200,000-row ledger against a bare calamine read of the same file.

Both are measured as whole processes (interpreter start, imports, read; for the loader also
normalising and the DuckDB transaction), each repeated, median reported. Goal: ratio ≤ 1.3.

    python -m bench.ledger_200k [--rows 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

BARE = "import fastexcel, sys; fastexcel.read_excel(sys.argv[1]).load_sheet(0).to_polars()"

HEADER = ["序号", "项目编号", "项目名称", "所属县区", "所属产业链", "投资方", "总投资（万元）",
          "其中外资（万美元）", "项目状态", "签约时间", "开工时间", "投产时间", "三个一批期数", "批次",
          "经度", "纬度", "责任单位", "包保领导"]


def write_ledger(path: Path, rows: int, seed: int = 7) -> Path:
    """A realistic flat city-wide ledger (title line, header on row 3, real dates, mixed values)."""
    import xlsxwriter

    from warehouse.reference import load_reference

    rng = random.Random(seed)
    ref = load_reference()
    districts = [d.name for d in ref.districts]
    chains = [c["chain"] for c in ref.chains]
    stages = ["在谈", "签约", "履约", "开工", "投产", "达效", "终止"]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("项目台账")
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["漯河市招商引资项目台账（性能测试）"])
    ws.write_row(1, 0, ["填报时间：2025年6月30日"])
    ws.write_row(2, 0, HEADER)
    base = date(2021, 7, 1)
    for i in range(rows):
        r = i + 3
        sign = base + timedelta(days=rng.randrange(1400))
        stage = rng.choice(stages)
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, f"P{i:07d}")
        ws.write_string(r, 2, f"{rng.choice(chains)}项目{i}")
        ws.write_string(r, 3, rng.choice(districts))
        ws.write_string(r, 4, rng.choice(chains))
        ws.write_string(r, 5, f"投资企业{rng.randrange(20000)}有限公司")
        ws.write_number(r, 6, rng.randrange(100, 5_000_000) / 100)
        if rng.random() < 0.1:
            ws.write_number(r, 7, rng.randrange(1, 10000) / 10)
        ws.write_string(r, 8, stage)
        ws.write_datetime(r, 9, __import__("datetime").datetime.combine(sign, __import__("datetime").time()), datefmt)
        if stage in ("开工", "投产", "达效"):
            ws.write_string(r, 10, f"{sign.year}年{sign.month}月")
        if stage in ("投产", "达效"):
            ws.write_string(r, 11, f"{sign.year + 1}.{sign.month}.{sign.day}")
        ws.write_string(r, 12, f"第{rng.randrange(1, 20)}期")
        ws.write_string(r, 13, rng.choice(["签约一批", "开工一批", "投产一批"]))
        ws.write_number(r, 14, round(113.6 + rng.random() * 0.6, 6))
        ws.write_number(r, 15, round(33.45 + rng.random() * 0.45, 6))
        ws.write_string(r, 16, "商务局")
        ws.write_string(r, 17, f"领导{rng.randrange(50)}")
    wb.close()
    return path


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def measure(rows: int, repeat: int) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    ledger = OUT / f"ledger_{rows}.xlsx"
    if not ledger.exists():
        write_ledger(ledger, rows)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    bare, loader = [], []
    for _ in range(repeat):
        bare.append(timed([sys.executable, "-c", BARE, str(ledger)], env))
        with tempfile.TemporaryDirectory() as d:
            loader.append(timed([sys.executable, "-m", "etl", "load", str(ledger), "--db", f"{d}/w.duckdb",
                                 "--json"], env))
    b, lo = statistics.median(bare), statistics.median(loader)
    return {"rows": rows, "file_mb": ledger.stat().st_size / 1e6, "bare": bare, "loader": loader,
            "bare_median": b, "loader_median": lo, "ratio": lo / b}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    r = measure(args.rows, args.repeat)
    print(f"{r['rows']}行台账（{r['file_mb']:.1f}MB）：calamine裸读中位数 {r['bare_median']:.2f}s，"
          f"入库中位数 {r['loader_median']:.2f}s，比值 {r['ratio']:.2f}（目标 ≤ 1.30）")
    print("  裸读:", " ".join(f"{x:.2f}" for x in r["bare"]), " 入库:", " ".join(f"{x:.2f}" for x in r["loader"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
