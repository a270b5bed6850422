"""Issue 13: every file of the corpus (tests/corpus/) loads exactly or is refused with a Chinese
message that says what to do, a refusal changing nothing. Each file is parsed in the loader's own
child process with a memory limit and a timeout (etl/worker.py; lowered here by a settings file),
so a file that crashes or exhausts its reader costs only itself; and in one command-line batch
(itself a subprocess with an address-space limit) a bad file costs no other file and stdout is
exactly one JSON object."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from corpus import CASES, xlsx_bytes
from warehouse_fixture import DATA_TABLES as LOAD_TABLES, snapshot
from warehouse import db as wdb
from warehouse_copy import copy_warehouse

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 3 * 1024 ** 3
TIME_LIMIT = 120
DATA_TABLES = (*LOAD_TABLES, "project_batches", "project_timeline", "load_districts")


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli_load(paths: list[Path], db: Path) -> tuple[dict, subprocess.CompletedProcess]:
    p = subprocess.run([sys.executable, "-m", "etl", "load", *map(str, paths), "--db", str(db), "--json"],
                       cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT, preexec_fn=_limit,
                       env=dict(os.environ))
    assert "Traceback" not in p.stderr, p.stderr
    return json.loads(p.stdout), p           # exactly one JSON object: json.loads takes nothing else


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A warehouse with one 郾城区 ledger in it, copied for each case."""
    folder = tmp_path_factory.mktemp("seed")
    ledger = folder / "郾城区2024年05月.xlsx"
    ledger.write_bytes(xlsx_bytes([["项目名称", "所属县区", "总投资（万元）", "项目状态"], ["已有项目", "郾城区", 7, "签约"]]))
    out, _ = cli_load([ledger], folder / "w.duckdb")
    assert out["files"][0]["status"] == "loaded"
    return folder / "w.duckdb"


def assert_expected(case, result: dict) -> None:
    if case.loaded is not None:
        assert result["status"] == "loaded", result["message"]
        assert (result["rows_loaded"], result["rows_rejected"]) == (case.loaded, case.rejected), result
        if case.warning:
            assert any(case.warning in w for w in result["warnings"]), result["warnings"]
    else:
        assert result["status"] == "refused", result
        assert result["message"].startswith(case.name + "："), result["message"]
        for word in case.refused:
            assert word in result["message"], (word, result["message"])
        assert "请" in result["message"]             # every refusal says what to do


@pytest.fixture(scope="module")
def limits(tmp_path_factory):
    """The child's limits for this module: 2 GB of address space, 60 s."""
    from warehouse import settings as s

    cfg = tmp_path_factory.mktemp("settings") / "settings.toml"
    cfg.write_text("[ledger]\nmax_read_memory_mb = 2048\nmax_read_seconds = 60\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("SETTINGS_PATH", str(cfg))
    s._load.cache_clear()
    yield
    mp.undo()
    s._load.cache_clear()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_loads_exactly_or_is_refused_with_the_action(case, seeded, limits, tmp_path):
    from etl.load import load_files

    db = tmp_path / "w.duckdb"
    copy_warehouse(seeded, db)
    path = tmp_path / case.name
    case.make(path)
    before = snapshot(db, DATA_TABLES)
    [r] = load_files([path], db=db)
    assert "Traceback" not in (r.message or "")
    assert_expected(case, {**r.as_json(), "rows_loaded": r.rows_loaded, "rows_rejected": r.rows_rejected})
    if case.loaded is None:
        assert snapshot(db, DATA_TABLES) == before
        con = wdb.connect(db, read_only=True)
        assert con.execute("SELECT status, file_name, rows_loaded FROM loads ORDER BY load_id DESC LIMIT 1"
                           ).fetchone() == ("refused", case.name, 0)
        con.close()


def test_one_batch_every_file_reported_and_bad_files_cost_no_other(tmp_path):
    folder = tmp_path / "批量"
    folder.mkdir()
    paths = []
    for case in CASES:
        path = folder / case.name
        case.make(path)
        paths.append(path)
    out, proc = cli_load(paths, tmp_path / "w.duckdb")
    assert [Path(r["path"]).name for r in out["files"]] == [c.name for c in CASES]
    for case, result in zip(CASES, out["files"]):
        assert_expected(case, result)
    loaded = sum(c.loaded or 0 for c in CASES)
    con = wdb.connect(tmp_path / "w.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM project_rows").fetchone() == (loaded,)
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'loaded'").fetchone() == (
        sum(c.loaded is not None for c in CASES),)
    con.close()
    assert proc.returncode == 1


def test_a_folder_finds_every_spreadsheet_format(tmp_path):
    wanted = [c for c in CASES if c.name.endswith((".et", ".ett", ".ods")) and c.loaded]
    for case in wanted:
        case.make(tmp_path / case.name)
    out, _ = cli_load([tmp_path], tmp_path / "w.duckdb")
    assert sorted(Path(r["path"]).name for r in out["files"]) == sorted(c.name for c in wanted)
    assert all(r["status"] == "loaded" for r in out["files"])


def test_an_upload_gives_the_same_results_as_the_command_line(tmp_path, limits):
    """The app stores an upload under a name of its own (upload0.xlsx, upload1.bin …) and passes
    the person's file name: the preview and the load then give what the command line gives."""
    from etl.load import load_files

    paths, names = [], {}
    for i, case in enumerate(CASES):
        suffix = Path(case.name).suffix
        path = tmp_path / f"upload{i}{suffix if suffix in ('.xlsx', '.xlsm', '.xls', '.csv') else '.bin'}"
        case.make(path)
        paths.append(path)
        names[path] = case.name
    db = tmp_path / "w.duckdb"
    for dry_run in (True, False):
        results = load_files(paths, db=db, dry_run=dry_run, names=names)
        for case, r in zip(CASES, results):
            assert_expected(case, {**r.as_json(), "rows_loaded": r.rows_loaded, "rows_rejected": r.rows_rejected})
