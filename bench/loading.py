"""Loading benchmarks: real ledger files, whole processes, wall time and peak RSS.

- fresh: the sample (one month of one city's district ledgers) loaded by `python -m etl load`
  into an empty warehouse, against the bare calamine read of the same files (the floor) and the
  pandas/openpyxl script an analyst would write (bench/readers.py) — all three measured in the
  same run, interleaved, each a whole process (interpreter start, imports, work);
- incremental: the same month loaded into a copy of a generated province warehouse (the real
  monthly update: the month's projects already have years of history), per warehouse size.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.stats import summary

ROOT = Path(__file__).resolve().parent.parent


def run_process(cmd: list[str], env: dict, timeout: float | None = None) -> dict:
    """Run `python -m MODULE …` to completion; wall seconds and the process's own peak RSS (MB).
    The module runs under bench.peak, which reads VmHWM at exit (ru_maxrss from wait4 would
    include this big parent's memory from before exec)."""
    assert cmd[1] == "-m" or (cmd[1] == "-W" and cmd[3] == "-m"), cmd
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        peak_file = Path(tmp) / "peak"
        i = cmd.index("-m")
        wrapped = [*cmd[: i + 1], "bench.peak", str(peak_file), *cmd[i + 1:]]
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=ROOT, env=env, stdout=out, stderr=err)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text = peak_file.read_text() if peak_file.exists() else ""
        return {"seconds": seconds, "rss_mb": float(text) if text else None,
                "returncode": -9 if timed_out else proc.returncode, "timeout": timed_out,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")[-2000:]}


def _loader_cmd(paths: list[Path], db: Path, as_of: date) -> list[str]:
    return [sys.executable, "-m", "etl", "load", *map(str, paths), "--db", str(db), "--as-of", as_of.isoformat(),
            "--json"]


def _loaded(result: dict) -> tuple[int, list[str]]:
    doc = json.loads(result["stdout"])
    rows = sum(f["rows_loaded"] for f in doc["files"])
    bad = [f"{Path(f['path']).name}: {f['status']} {f['message']}" for f in doc["files"] if f["status"] != "loaded"]
    return rows, bad


def fresh_load(files: list[Path], as_of: date, repeat: int, env: dict, scratch: Path, progress=print,
               keep: Path | None = None) -> dict:
    """Loader vs bare read vs analyst script on the same files, `repeat` rounds interleaved.
    `keep`: where to leave one loaded warehouse (for the consistency checks)."""
    scratch.mkdir(parents=True, exist_ok=True)
    bare_cmd = [sys.executable, "-m", "bench.readers", "bare", *map(str, files)]
    runs = {"bare": [], "loader": [], "analyst": []}
    rss = {"bare": [], "loader": [], "analyst": []}
    rows = cells_rows = None
    problems: list[str] = []
    for k in range(repeat):
        r = run_process(bare_cmd, env)
        if r["returncode"] != 0:
            raise RuntimeError(f"bare read failed: {r['stderr']}")
        cells_rows = json.loads(r["stdout"])["rows"]
        runs["bare"].append(r["seconds"])
        rss["bare"].append(r["rss_mb"])

        db = scratch / f"fresh_{k}.duckdb"
        db.unlink(missing_ok=True)
        r = run_process(_loader_cmd(files, db, as_of), env)
        if r["returncode"] not in (0, 1):
            raise RuntimeError(f"loader failed: {r['stderr']}")
        rows, problems = _loaded(r)
        runs["loader"].append(r["seconds"])
        rss["loader"].append(r["rss_mb"])
        if keep is not None and k == 0:
            shutil.copyfile(db, keep)
        db.unlink(missing_ok=True)

        adb = scratch / f"analyst_{k}.duckdb"
        adb.unlink(missing_ok=True)
        r = run_process([sys.executable, "-W", "ignore", "-m", "bench.readers", "analyst", str(adb),
                         *map(str, files)], env)
        if r["returncode"] != 0:
            raise RuntimeError(f"analyst script failed: {r['stderr']}")
        runs["analyst"].append(r["seconds"])
        rss["analyst"].append(r["rss_mb"])
        adb.unlink(missing_ok=True)
        progress(f"  第{k + 1}/{repeat}轮：裸读 {runs['bare'][-1]:.2f}s，入库 {runs['loader'][-1]:.2f}s，"
                 f"分析员脚本 {runs['analyst'][-1]:.2f}s")
    stats = {name: summary(v) for name, v in runs.items()}
    loader = stats["loader"]["median"]
    return {
        "files": len(files), "bytes": sum(f.stat().st_size for f in files),
        "layouts": sorted({_layout_name(f) for f in files}),
        "rows_loaded": rows, "sheet_rows_read": cells_rows, "problems": problems,
        "seconds": stats, "peak_rss_mb": {name: max((x for x in v if x is not None), default=None)
                                          for name, v in rss.items()},
        "rows_per_second": rows / loader if loader else None,
        "ratio_to_bare": loader / stats["bare"]["median"],
        "ratio_to_analyst": loader / stats["analyst"]["median"],
    }


def _layout_name(path: Path) -> str:
    name = path.name
    if name.endswith(".csv"):
        return "CSV（GB18030）"
    if name.endswith(".xls"):
        return "旧版 .xls"
    if "公开版" in name:
        return "公开版（脱敏）"
    if "进展表" in name:
        return "一阶段一表"
    return "标题+两行表头"


def incremental_load(warehouse: Path, files: list[Path], as_of: date, repeat: int, env: dict, scratch: Path,
                     progress=print) -> dict:
    """The month loaded into a copy of `warehouse` (copying is not timed)."""
    scratch.mkdir(parents=True, exist_ok=True)
    times, rss = [], []
    rows = None
    problems: list[str] = []
    for k in range(repeat):
        db = scratch / "incremental.duckdb"
        shutil.copyfile(warehouse, db)
        r = run_process(_loader_cmd(files, db, as_of), env)
        if r["returncode"] not in (0, 1):
            raise RuntimeError(f"loader failed: {r['stderr']}")
        rows, problems = _loaded(r)
        times.append(r["seconds"])
        rss.append(r["rss_mb"])
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
        progress(f"  第{k + 1}/{repeat}次：{r['seconds']:.2f}s，峰值内存 {r['rss_mb']:.0f}MB")
    s = summary(times)
    return {"files": len(files), "rows_loaded": rows, "problems": problems, "seconds": s,
            "peak_rss_mb": max((x for x in rss if x is not None), default=None), "rows_per_second": rows / s["median"] if s["median"] else None}
