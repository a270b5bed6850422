"""A load killed half-way (kill -9) leaves the warehouse exactly as it was, or exactly loaded."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from bench.ledger_200k import write_ledger
from etl.load import load_files
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parent.parent


def state(db: Path) -> tuple:
    con = wdb.connect(db, read_only=True)
    try:
        return (con.execute("SELECT count(*), coalesce(sum(total_investment_wan), 0) FROM projects").fetchone(),
                con.execute("SELECT count(*) FROM project_rows").fetchone()[0],
                con.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone()[0])
    finally:
        con.close()


@pytest.mark.slow
def test_kill_during_load_leaves_old_or_new_state(tmp_path):
    db = tmp_path / "w.duckdb"
    small = tmp_path / "召陵区2024年05月.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    wb.active.append(["先前的项目", "召陵区", 7, "签约"])
    wb.save(small)
    load_files([small], db=db)
    old = state(db)

    big = write_ledger(tmp_path / "全市台账2025年06月.xlsx", rows=40_000)
    rng = random.Random(20241121)
    seen_new = None
    killed_before_commit = 0
    for attempt in range(8):
        p = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db), "--json"],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        time.sleep(rng.uniform(0.2, 1.6))
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        now = state(db)                      # the file opens, and holds one of exactly two states
        if now == old:
            killed_before_commit += 1
        else:
            seen_new = seen_new or now
            assert now == seen_new
            assert now[2] == old[2] + 1
            break
    assert killed_before_commit >= 2       # the kills did land in the middle of loads
    final = subprocess.run([sys.executable, "-m", "etl", "load", str(big), "--db", str(db), "--json"],
                           cwd=ROOT, capture_output=True, text=True)
    assert final.returncode == 0
    done = state(db)
    assert done[2] == old[2] + 1 and done[1] > old[1]
    if seen_new:
        assert done == seen_new


@pytest.fixture()
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_full_disk_during_load_is_refused_cleanly(tmp_path, small_disk, monkeypatch):
    db = small_disk / "w.duckdb"
    if wdb.lake_backend(db):            # the lake's data files on the small disk (the loader's child too)
        monkeypatch.setenv("DUCKLAKE_DATA_PATH", str(small_disk / "lake"))
    small = tmp_path / "召陵区2024年05月.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["项目名称", "所属县区", "总投资（万元）", "项目状态"])
    wb.active.append(["先前的项目", "召陵区", 7, "签约"])
    wb.save(small)
    [r] = load_files([small], db=db)
    assert r.status == "loaded"
    old = state(db)
    big = write_ledger(tmp_path / "全市台账2025年06月.xlsx", rows=60_000)
    p = subprocess.run([sys.executable, "-m", "etl", "load", str(big), "--db", str(db), "--json"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in p.stderr
    [result] = __import__("json").loads(p.stdout)["files"]
    assert p.returncode == 1 and result["status"] == "refused"
    assert "磁盘空间不足" in result["message"] and "仓库保持原状" in result["message"]
    assert state(db) == old
