"""One Chromium for every chart image: a kaleido renderer kept alive in a background thread.

Starting a browser costs ~5 s; rendering a figure in a warm one ~0.3 s. So the process keeps one
`kaleido.Kaleido` (a few tabs) open in a private asyncio loop on a daemon thread, and any thread
(a Streamlit session, the CLI) submits a batch of figures with `run_coroutine_threadsafe`: the
figures of a batch render in parallel, one per tab.

Why not `kaleido.start_sync_server()`: its one result queue hands results back in arrival order
to whoever waits, so two sessions exporting at the same moment could swap images, and it takes one
figure per call. Futures per call have neither problem.

The browser is Debian's `/usr/bin/chromium` (BROWSER_PATH, which choreographer reads); nothing is
ever downloaded. MathJax is off: its default is a CDN, and government intranets have no internet.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import Sequence
from pathlib import Path

DEFAULT_BROWSER = "/usr/bin/chromium"
START_SECONDS = 60       # a cold Chromium start, generous for a loaded server
FIGURE_SECONDS = 60      # one figure
_MAX_TABS = 4


class RenderError(RuntimeError):
    """The chart renderer could not start or could not render (message in Chinese)."""


def ensure_browser_path() -> None:
    """Point kaleido (choreographer) at Debian's Chromium unless BROWSER_PATH says otherwise."""
    if not os.environ.get("BROWSER_PATH") and Path(DEFAULT_BROWSER).exists():
        os.environ["BROWSER_PATH"] = DEFAULT_BROWSER


class Renderer:
    """A persistent kaleido browser. `render` is thread-safe; the browser starts on first use and
    is restarted once if it died."""

    def __init__(self, tabs: int | None = None):
        self._tabs = tabs or max(1, min(_MAX_TABS, os.cpu_count() or 1))
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def start(self) -> None:
        with self._lock:
            if self._kaleido is None:
                self._start()

    def _start(self) -> None:
        ensure_browser_path()
        import kaleido  # imported late: it warns at import time when plotly is missing

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="chart-renderer", daemon=True)
        thread.start()

        async def open_browser():
            k = kaleido.Kaleido(n=self._tabs, mathjax=False, timeout=FIGURE_SECONDS)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_SECONDS)
        except BaseException as exc:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            raise RenderError(
                f"无法启动图表渲染浏览器（{os.environ.get('BROWSER_PATH') or 'Chromium'}）：{exc}。"
                "请确认已安装 Debian 的 chromium 软件包（make setup）。") from exc
        self._loop, self._thread = loop, thread

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        k, loop, thread = self._kaleido, self._loop, self._thread
        self._kaleido = self._loop = self._thread = None
        if loop is None:
            return
        try:
            if k is not None:
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)
        except BaseException:  # noqa: BLE001 - a dead browser cannot be closed politely
            pass

        def cancel_and_stop():
            # another thread's batch still waiting on this browser fails now (and retries on a new
            # one) instead of waiting for its timeout
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.call_soon(loop.stop)

        loop.call_soon_threadsafe(cancel_and_stop)
        if thread is not None:
            thread.join(5)

    def render(self, jobs: Sequence[tuple[dict, dict]]) -> list[bytes]:
        """Render (figure dict, opts) pairs; opts as kaleido's: format, width, height, scale.
        The results come back in the order of `jobs`."""
        if not jobs:
            return []
        for attempt in (1, 2):
            self.start()
            k, loop = self._kaleido, self._loop

            async def batch():
                return await asyncio.gather(*(k.calc_fig(fig, opts=opts) for fig, opts in jobs))

            try:
                timeout = START_SECONDS + FIGURE_SECONDS * len(jobs)
                return asyncio.run_coroutine_threadsafe(batch(), loop).result(timeout)
            except Exception as exc:
                # a crashed or hung browser: start a fresh one and try the batch once more
                with self._lock:
                    if self._kaleido is k:
                        self._close()
                if attempt == 2:
                    raise RenderError(f"图表渲染失败：{type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")


_shared: Renderer | None = None
_shared_lock = threading.Lock()


def shared() -> Renderer:
    """The process's one renderer (the app's sessions and the CLI share it)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer()
            atexit.register(_shared.close)
        return _shared


def render(jobs: Sequence[tuple[dict, dict]]) -> list[bytes]:
    return shared().render(jobs)


def warm_up() -> None:
    """Start the browser now (e.g. before timing, or in the background when the app starts)."""
    shared().start()
