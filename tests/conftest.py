"""Shared fixtures.

Dashboard warehouses: `small_warehouse` (11 hand-counted projects, tests/warehouse_fixture.py),
`empty_warehouse` (schema, no load), `small_con` (a read-only connection to the small one) and
`demo_warehouse` (the loader's demo, `python -m etl demo`, built once per test run).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.db import reading
from warehouse_fixture import build_empty_warehouse, build_small_warehouse

ROOT = Path(__file__).resolve().parent.parent
_LAKE_SERVER = []


def pytest_configure(config):
    """The suite on the DuckLake backend (make test-ducklake: WAREHOUSE_BACKEND=ducklake): one
    PostgreSQL server on loopback for the whole run, started here before the workers are (they
    and every subprocess inherit the environment), stopped at the end."""
    if os.environ.get("WAREHOUSE_BACKEND") != "ducklake" or os.environ.get("DUCKLAKE_CATALOG") \
            or hasattr(config, "workerinput"):
        return
    from bench.pgserver import Server

    server = Server().start()
    _LAKE_SERVER.append(server)
    os.environ["DUCKLAKE_CATALOG"] = server.dsn
    os.environ["DUCKLAKE_DATA_PATH"] = str(server.root / "lake-data")


def pytest_unconfigure(config):
    while _LAKE_SERVER:
        _LAKE_SERVER.pop().stop()


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory):
    return build_small_warehouse(tmp_path_factory.mktemp("small") / "w.duckdb")


@pytest.fixture(scope="session")
def empty_warehouse(tmp_path_factory):
    return build_empty_warehouse(tmp_path_factory.mktemp("empty") / "w.duckdb")


@pytest.fixture()
def small_con(small_warehouse):
    with reading(small_warehouse) as con:
        yield con


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory):
    """The demo warehouse (~2,000 projects). Built once per run: xdist workers share it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = root / "demo-warehouse" / "w.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(root / "demo-warehouse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = target.with_name("built")
        if not done.exists():
            subprocess.run([sys.executable, "-m", "etl", "demo", "--db", str(target),
                            "--out", str(target.parent / "ledgers")],
                           cwd=ROOT, check=True, capture_output=True)
            subprocess.run([sys.executable, "-m", "accounts", "demo", "--db", str(target)],
                           cwd=ROOT, check=True, capture_output=True)
            done.touch()
    return target


@pytest.fixture(scope="module")
def demo_con(demo_warehouse):
    with reading(demo_warehouse) as con:
        yield con


def _serve_like_production() -> None:
    """The app is served by `python -m ui.serve`, which starts Streamlit in its navigation
    (st.navigation) mode from the first session on. AppTest instead forgets that mode before every
    run and looks for a pages/ folder again (streamlit/testing/v1/app_test.py), so it would run each
    page in Streamlit's old multipage mode, where the page runs without app.py and a button's click
    is lost in the rerun that follows. Tests run the app as it is served."""
    from streamlit.runtime import pages_manager

    original = pages_manager.PagesManager.__init__

    def init(self, *args, **kwargs):
        if pages_manager.PagesManager.uses_pages_directory is None:
            pages_manager.PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    pages_manager.PagesManager.__init__ = init


_serve_like_production()
