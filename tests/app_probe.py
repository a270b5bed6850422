"""Helpers for driving the running app in Chromium outside tests/browser/: when Streamlit is idle,
which console messages are the app's errors, what the server log says, and a two-core limit.

The server and the browser are started with tests/browser/conftest.py's helpers (imported, not
copied). Loopback only: the app is served on 127.0.0.1 and pages are opened there.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager

from browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _serve  # noqa: F401  (re-exported)

# Streamlit puts the script's run state on the app root: initial / running / rerunRequested /
# notRunning (static/js: data-test-script-state). The script can be done while elements whose code
# is loaded lazily (metrics, charts, tables) are still skeletons, for a second or more. Idle = the
# script is not running, the page title is drawn and no skeleton is left.
SKELETONS = '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'
IDLE_EXPR = f"""(() => {{
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && app.getAttribute('data-test-connection-state') === 'CONNECTED'
        && !!document.querySelector('h1') && !document.querySelector('{SKELETONS}');
}})()"""
IDLE_JS = f"() => {IDLE_EXPR}"

# Counts script runs as they happen (a rerun can start and end between two polls): every change
# of the app root's run state is seen by a MutationObserver installed before the page's scripts.
# `starts` counts runs begun, `ends` runs finished (running → notRunning); startAt/endAt keep
# the last fifty times (performance.now()).
OBSERVER_JS = """(() => {
    const s = window.__runs = {starts: 0, ends: 0, startAt: [], endAt: []};
    const keep = (list, t) => { list.push(t); if (list.length > 50) list.shift(); };
    const step = (before, now) => {
        if (now === before) return;
        if (now === 'running') { s.starts++; keep(s.startAt, performance.now()); }
        if (now === 'notRunning' && (before === 'running' || before === 'rerunRequested'
                                     || before === 'stopRequested')) { s.ends++; keep(s.endAt, performance.now()); }
    };
    new MutationObserver((records) => {
        records.forEach((r, i) => {
            const next = records.slice(i + 1).find((o) => o.target === r.target);
            step(r.oldValue, next ? next.oldValue : r.target.getAttribute('data-test-script-state'));
        });
    }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                          attributeFilter: ['data-test-script-state']});
})();"""

# The frontend first probes /<page>/_stcore/health and /<page>/_stcore/host-config to find its
# base path, then uses the root; those two 404s are Streamlit's, not the app's.
_PROBE_404 = re.compile(r"/_stcore/(health|host-config)$")
SERVER_ERROR = re.compile(r"Traceback \(most recent call last\)|^\S*Error: |Exception in |ERROR", re.M)


def app_console_error(kind: str, text: str, url: str = "") -> bool:
    """A browser console message that is an error of the app (not Streamlit's base-path probe)."""
    if kind != "error":
        return False
    if "Failed to load resource" in text and _PROBE_404.search(url or ""):
        return False
    return True


def server_errors(log_text: str) -> list[str]:
    """Lines of the server's output (stdout and stderr together) that report an error."""
    return [line for line in log_text.splitlines() if SERVER_ERROR.search(line)]


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until the script has finished (and stays finished a moment: a page may rerun itself)."""
    page.wait_for_function(IDLE_JS, timeout=timeout)
    page.wait_for_timeout(400)
    page.wait_for_function(IDLE_JS, timeout=timeout)


@contextmanager
def two_cores():
    """Processes started inside inherit a CPU affinity of at most two CPUs (the server, the
    Playwright driver and Chromium with every renderer it starts later); this process gets its
    own affinity back on leaving."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, set(sorted(before)[:2]))
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
