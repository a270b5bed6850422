"""Browser fixtures: the app served as `make run` serves it (`python -m ui.serve`) per warehouse,
the system Chromium, and signing a browser context in (`sign_in`).

Never `playwright install`: the Debian chromium at /usr/bin/chromium is used.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


from auth_fixture import SERVED  # url → the warehouse it serves (one dict, however this file is imported)
from warehouse_copy import copy_warehouse


def _serve(warehouse: Path, log: Path, extra: tuple[str, ...] = (), port: int | None = None):
    port = port or _free_port()
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse)}
    out = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", *extra],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    SERVED[url] = Path(warehouse)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")


def session_cookie(url: str, login: str = "city") -> dict:
    """The session cookie the sign-in page hands a browser after `login`'s correct password
    (tests/test_browser_auth.py goes through the form itself)."""
    from auth_fixture import ensure_account
    from warehouse import sessions
    from warehouse.db import writing

    db = SERVED[url]
    ensure_account(db, login)
    with writing(db) as con:
        token = sessions.redeem(con, sessions.new_claim(con, login))
    return {"name": sessions.COOKIE, "value": token, "url": url}


def sign_in(page_or_context, url: str, login: str = "city") -> None:
    """A browser context (or a page's) signed in as `login`."""
    context = getattr(page_or_context, "context", page_or_context)
    context.add_cookies([session_cookie(url, login)])


def served(warehouse: Path, tmp_path_factory, name: str):
    """Yield the url of an app serving a copy of `warehouse`, then stop it. Signing in writes (the
    session), and two servers reading one shared file, on two workers, could hold its lock longer
    than a writer waits: each module's server has its own copy."""
    folder = tmp_path_factory.mktemp(name)
    proc, url = _serve(copy_warehouse(warehouse, folder / "w.duckdb"), folder / "app.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def small_app(small_warehouse, tmp_path_factory):
    yield from served(small_warehouse, tmp_path_factory, "small-app")


@pytest.fixture(scope="module")
def demo_app(demo_warehouse, tmp_path_factory):
    yield from served(demo_warehouse, tmp_path_factory, "demo-app")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1800}, locale="zh-CN")
    p = context.new_page()
    p.dialogs = []
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    yield p
    context.close()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
