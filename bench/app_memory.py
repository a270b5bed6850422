"""Memory of the app process serving every page of a province warehouse.

`streamlit run app.py` is started against the warehouse (WAREHOUSE_PATH, and REFERENCE_PATH /
SETTINGS_PATH for 河南), and Playwright drives the system Chromium (never a downloaded browser)
through every page in app.py's navigation, one after the other in one browser session, as a
person would. A thread samples the server process's resident memory from /proc/<pid>/status
(VmRSS) every 100 ms; VmHWM is the kernel's own peak. For each page: the time until its
script has finished in the browser (title shown, Streamlit no longer "Running") — server work,
charts and rendering together, on a cold cache (the second of quiet that proves it finished
is not counted) — and the highest RSS while it loaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
# 目标进度 is opened last: at province scale its script runs for minutes, and a script still
# running after the browser moves on would be charged to the next pages
LAST = ("targets",)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def app_pages() -> list[tuple[str, str]]:
    """(url_path, title) of every page in app.py's navigation (pages.PAGES), in menu order."""
    from pages import PAGES

    return [(p.key, p.menu) for p in PAGES]


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM in MB."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.label = "start"
        self.peaks: dict[str, float] = {}
        self.samples = 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            rss = proc_status(self.pid).get("VmRSS")
            if rss is not None:
                self.samples += 1
                self.peaks[self.label] = max(self.peaks.get(self.label, 0.0), rss)
            time.sleep(self.every)

    def stop(self):
        self._halt.set()
        self.join(timeout=2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


IDLE_JS = """() => {
    const w = document.querySelector('[data-testid="stStatusWidget"]');
    if (!w) return true;
    if (w.querySelector('[data-testid^="stStatusWidgetRunning"], [data-testid="stStatusWidgetNewYearsIcon"]')) return false;
    const t = w.innerText || "";
    return !(t.includes("Running") || t.includes("Stop"));
}"""


def _wait_ready(page, timeout_ms: float, path: str) -> None:
    """Until the page's title is there and Streamlit has not been running for a whole second
    (the status widget comes and goes between the page's reruns); the map also waits for its
    canvas."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector("h1", timeout=timeout_ms)
    quiet_since = None
    while True:
        if page.evaluate(IDLE_JS):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 1.0:
                break
        else:
            quiet_since = None
        if time.monotonic() > deadline:
            raise PlaywrightTimeout("page still running")
        page.wait_for_timeout(100)
    if path == "map":
        page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas',
                               timeout=max(1000, (deadline - time.monotonic()) * 1000))


def _session_cookie(db: Path, url: str) -> dict:
    """A signed-in browser (an admin account that has no password: it signs in by this cookie only)."""
    from warehouse import accounts, sessions
    from warehouse.db import writing

    with writing(db) as con:
        if accounts.get(con, "benchmark") is None:
            accounts.add(con, "benchmark", "admin", None, name="性能基准")
        token = sessions.redeem(con, sessions.new_claim(con, "benchmark"))
    return {"name": sessions.COOKIE, "value": token, "url": url}


def run(db: Path, env: dict, screens: Path | None = None, page_timeout: float = 180.0, progress=print) -> dict:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return {"skipped": f"没有 Chromium：{CHROMIUM}"}
    port = _free_port()
    log = (screens or Path("/tmp")) / "streamlit.log"
    if screens:
        screens.mkdir(parents=True, exist_ok=True)
    out = open(log, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**env, "WAREHOUSE_PATH": str(db)}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    sampler = Sampler(proc.pid)
    result: dict = {"pages": []}
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        time.sleep(1.0)
        result["idle_rss_mb"] = proc_status(proc.pid).get("VmRSS")
        sampler.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
            context.add_cookies([_session_cookie(db, url)])
            page = context.new_page()
            pages = app_pages()
            pages = [p for p in pages if p[0] not in LAST] + [p for p in pages if p[0] in LAST]
            for path, title in pages:
                sampler.label = path
                t0 = time.perf_counter()
                status = "ok"
                try:
                    page.goto(f"{url}/{path}", timeout=page_timeout * 1000)
                    _wait_ready(page, page_timeout * 1000, path)
                    if page.locator('[data-testid="stException"]').count():
                        status = "exception"
                except PlaywrightError as exc:
                    status = "timeout" if "Timeout" in str(exc) else f"error: {str(exc)[:120]}"
                seconds = time.perf_counter() - t0 - (1.0 if status == "ok" else 0.0)   # the quiet second
                rss_now = proc_status(proc.pid).get("VmRSS")
                if screens:
                    try:
                        page.screenshot(path=str(screens / f"{path}.png"), full_page=True, timeout=30_000)
                    except PlaywrightError:
                        pass
                result["pages"].append({"path": path, "title": title, "status": status, "seconds": seconds,
                                        "rss_after_mb": rss_now, "peak_rss_mb": sampler.peaks.get(path)})
                if progress:
                    progress(f"  {title}：{status}，{seconds:.1f}s，内存 {rss_now or 0:.0f}MB")
            context.close()
            browser.close()
        time.sleep(0.5)
        status = proc_status(proc.pid)
        result["final_rss_mb"] = status.get("VmRSS")
        result["peak_rss_mb"] = status.get("VmHWM")
        result["samples"] = sampler.samples
    finally:
        sampler.stop()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
    return result
