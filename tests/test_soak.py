"""Soak (issue 7): concurrent browser sessions changing filters against the demo warehouse.

`streamlit run app.py` serves the demo warehouse on 127.0.0.1; ONE Chromium holds N browser
contexts (each its own Streamlit session). For a bounded time every session repeatedly picks a
page and a change — open a page by URL (with query parameters, as a shared link), switch page in
the sidebar, pick a county, a chain, a stage or a 三个一批 period in the sidebar multiselects,
change the time choice, reset the filters, flip a radio on the page — and times it from the
action to the moment the app is idle again: the script no longer running (the app root's
data-test-script-state, the state behind the "Running…" status widget; a MutationObserver
counts runs so a very fast rerun is not missed) and no element still a loading skeleton.

Sessions arrive over the first half of the run (at most 3 s apart) and pause 0.5–2 s
between actions, as people do; on a two-core machine twenty Chromium renderers otherwise spend
most of the time starting at once.

Errors are counted, never tolerated: an exception box, an error toast, a lost connection, a
browser console error or page error from the app, a dialog, an action the app did not finish
within the time limit, and any traceback or error line in the server's output.

Timing is reported, not asserted: median, p95, max and the number of interactions are printed
and written to tests/screenshots/soak*.json (path printed), with each action's own figures, the
script-run time alone (first run start to last run end as the browser saw them: the server's
share) and the CPU seconds the server and the browser used (on two cores twenty Chromium
contexts, not the server, are most of the load).

`test_soak` (marked soak; `make soak`): 20 sessions for SOAK_SECONDS (default 180).
`test_soak_short` (marked browser, in the normal suite): 3 sessions for about 20 s, same checks.

Bounded: every step has a timeout, sessions start no new action after the deadline, the whole
run has a hard limit, and the server, the browser and the driver are limited to two CPUs.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from browser.conftest import session_cookie
from app_probe import (CHROMIUM, CHROMIUM_ARGS, IDLE_EXPR, OBSERVER_JS, SCREENSHOTS, _serve, app_console_error,
                       server_errors, two_cores)

PAGES = {"overview": "总览", "chains": "产业链", "batches": "三个一批", "map": "项目地图", "ledger": "项目台账",
         "alerts": "预警督办"}
RADIO_PAGES = ("chains", "batches", "map")     # pages with a radio of their own
DEFAULT_PAGE = "overview"           # served at "/" (see test_hostile_content: /overview after a first session)
GOTO_TIMEOUT = 60_000               # ms
RUN_START_TIMEOUT = 15_000          # an action that starts no rerun in this time was not taken by the page
STEP_TIMEOUT = 15_000               # a click or a list to open (twenty renderers on two cores are slow)
IDLE_TIMEOUT = 180_000              # a rerun the app has not finished (and drawn) by then is an error
POLL_MS = 50                        # idle is polled this often: timings are up to 50 ms late
MAX_SETTLES = 4                     # a page may rerun itself (cross-filter, first session): follow it
THINK_SECONDS = (0.5, 2.0)          # a person looks at the result before the next change
OVERTIME_SECONDS = 180              # how long past the deadline a session may go on to make its minimum

# the page is idle again after a mark: finished runs after `before`, and nothing left to draw
DONE_JS = f"""([before, mark]) => {{
    const s = window.__runs;
    if (!s || s.ends <= before || !{IDLE_EXPR}) return false;
    const first = s.startAt.find((t) => t >= mark);
    const script = first === undefined ? null : s.endAt[s.endAt.length - 1] - first;
    return {{ms: performance.now() - mark, script: script, starts: s.starts, ends: s.ends}};
}}"""
STARTED_JS = """([starts, ends]) => {
    const s = window.__runs;
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return !!s && (s.starts > starts || s.ends > ends || state === 'running' || state === 'rerunRequested');
}"""
COUNTS_JS = "() => window.__runs ? [window.__runs.starts, window.__runs.ends, performance.now()] : [0, 0, performance.now()]"


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cpu_of_tree(root: int) -> float:
    """CPU seconds used so far by the live processes below `root` (Linux /proc; 0 elsewhere)."""
    return round(sum(_cpu_seconds(p) for p in _descendants(root)), 1) if Path("/proc").is_dir() else 0.0


def address(url: str, page: str, query: dict | None = None) -> str:
    path = "" if page == DEFAULT_PAGE else page
    return f"{url}/{path}" + (f"?{urlencode(query, doseq=True, quote_via=quote)}" if query else "")


def nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


@dataclass
class Options:
    """Values offered by the demo warehouse (read before the run; never used as SQL text)."""

    districts: list[str]
    chains: list[str]
    stages: list[str]
    periods: list[int]
    years: list[int]

    @classmethod
    def of(cls, warehouse: Path) -> "Options":
        from warehouse.db import reading
        from warehouse.options import filter_options

        with reading(warehouse) as con:
            o = filter_options(con)
        return cls(list(o.districts), list(o.chains), list(o.stages), list(o.periods), list(o.years))


@dataclass
class Run:
    """What the sessions did and saw."""

    timings: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    browser_cpu_s: float = 0.0

    def error(self, session: int, text: str) -> None:
        self.errors.append(f"session {session}: {text[:500]}")

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


class NotTaken(Exception):
    """The UI step could not be made (an option list that did not open, …): not the app's error."""


class Session:
    def __init__(self, number: int, browser, url: str, options: Options, run: Run, rng: random.Random):
        self.n, self.browser, self.url, self.opts, self.run, self.rng = number, browser, url, options, run, rng
        self.page = None
        self.context = None
        self.where = DEFAULT_PAGE
        self.done = 0             # measured interactions of this session

    # --- lifecycle ---------------------------------------------------------------------------

    async def open(self) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                                      reduced_motion="reduce")
        await self.context.add_init_script(OBSERVER_JS)
        await self.context.add_cookies([session_cookie(self.url, "city")])
        self.page = page = await self.context.new_page()
        page.on("console", lambda m: self.run.error(self.n, f"console error: {m.text}")
                if app_console_error(m.type, m.text, (m.location or {}).get("url", "")) else None)
        page.on("pageerror", lambda e: self.run.error(self.n, f"page error: {e}"))
        page.on("dialog", lambda d: (self.run.error(self.n, f"dialog: {d.message}"), asyncio.ensure_future(d.dismiss())))

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()

    async def loop(self, deadline: float, min_changes: int, hard_deadline: float) -> None:
        """Open a page, then change things until the deadline — and past it, up to the hard
        deadline, until this session has made `min_changes` measured changes."""
        await self.measure("open", self.goto_random, navigation=True)
        while time.monotonic() < hard_deadline and (time.monotonic() < deadline or self.done < 1 + min_changes):
            await asyncio.sleep(self.rng.uniform(*THINK_SECONDS))
            name, act, navigation = self.pick()
            await self.measure(name, act, navigation=navigation)

    def pick(self):
        """Each session first goes through every kind of action once (in its own order, so a
        short run covers them all), then picks by weight."""
        choices = [("goto", self.goto_random, True), ("nav", self.nav, False),
                   ("district", lambda: self.multiselect("县区", self.opts.districts), False),
                   ("chain", lambda: self.multiselect("产业链", self.opts.chains), False),
                   ("stage", lambda: self.multiselect("项目阶段", self.opts.stages), False),
                   ("period", lambda: self.multiselect("三个一批期数", [f"第{p}期" for p in self.opts.periods]), False),
                   ("time", self.time_choice, False), ("reset", self.reset, False), ("radio", self.radio, False)]
        weights = [3, 3, 3, 1, 2, 1, 3, 1, 1 if self.where in RADIO_PAGES else 0]
        if not hasattr(self, "_first"):
            self._first = self.rng.sample(range(len(choices)), len(choices))
        while self._first:
            first = choices[self._first.pop()]
            if weights[choices.index(first)]:
                return first
        return self.rng.choices(choices, weights)[0]

    # --- measuring ---------------------------------------------------------------------------

    async def measure(self, name: str, act, navigation: bool) -> None:
        page = self.page
        try:
            if not navigation:        # start from an idle page, so that a late rerun is not taken for this one
                await page.wait_for_function(f"() => {IDLE_EXPR}", timeout=IDLE_TIMEOUT, polling=POLL_MS)
            starts, ends, mark = (0, 0, 0.0) if navigation else await page.evaluate(COUNTS_JS)
            await act()
            if not navigation:
                try:
                    await page.wait_for_function(STARTED_JS, arg=[starts, ends], timeout=RUN_START_TIMEOUT,
                                                 polling=POLL_MS)
                except Exception:
                    raise NotTaken(f"{name}: no rerun")
            done = await page.wait_for_function(DONE_JS, arg=[ends, mark], timeout=IDLE_TIMEOUT, polling=POLL_MS)
            result = await done.json_value()
            for _ in range(MAX_SETTLES):        # a rerun that follows at once belongs to the same action
                await page.wait_for_timeout(250)
                now_starts, now_ends, _ = await page.evaluate(COUNTS_JS)
                if now_starts == result["starts"] and now_ends == result["ends"]:
                    break
                done = await page.wait_for_function(DONE_JS, arg=[now_ends - 1, mark],
                                                    timeout=IDLE_TIMEOUT, polling=POLL_MS)
                result = await done.json_value()
        except NotTaken as exc:
            self.run.skip(str(exc))
            return
        except Exception as exc:            # a navigation or a rerun the app did not finish in time
            self.run.error(self.n, f"{name} on {self.where}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
            await self.recover()
            return
        script = None if result["script"] is None else round(result["script"], 1)
        self.run.timings.append({"session": self.n, "action": name, "page": self.where, "ms": round(result["ms"], 1),
                                 "script_ms": script})
        self.done += 1
        await self.check(name)

    async def check(self, name: str) -> None:
        page = self.page
        if await page.locator('[data-testid="stException"]').count():
            text = await page.locator('[data-testid="stException"]').first.inner_text()
            self.run.error(self.n, f"exception after {name} on {self.where}: {text}")
        for toast in await page.locator('[data-testid="stToast"]').all_inner_texts():
            if re.search(r"error|错误|异常", toast, re.I):
                self.run.error(self.n, f"error toast after {name}: {toast}")
        if await page.get_by_text("Page not found").count():
            self.run.error(self.n, f"'Page not found' after {name} on {self.where}")

    async def recover(self) -> None:
        try:
            await self.goto(DEFAULT_PAGE, {})
            await self.page.wait_for_function(f"() => {IDLE_EXPR}", timeout=IDLE_TIMEOUT, polling=200)
        except Exception:
            pass

    # --- actions -----------------------------------------------------------------------------

    async def goto(self, name: str, query: dict) -> None:
        self.where = name
        # the measurement waits for the app itself; the load event can come seconds later
        await self.page.goto(address(self.url, name, query), timeout=GOTO_TIMEOUT, wait_until="commit")

    async def goto_random(self) -> None:
        """Open a page from a link, as someone who was sent one: random filters in the URL."""
        rng, o = self.rng, self.opts
        query: dict = {}
        if rng.random() < 0.6:
            query["district"] = rng.sample(o.districts, k=rng.choice([1, 1, 2]))
        if rng.random() < 0.3:
            query["chain"] = [rng.choice(o.chains)]
        if rng.random() < 0.3:
            query["stage"] = [rng.choice(o.stages)]
        if rng.random() < 0.2 and o.periods:
            query["period"] = [str(rng.choice(o.periods))]
        if rng.random() < 0.4:
            query["year"] = rng.choice([*map(str, o.years[:3]), "all"])
        await self.goto(rng.choice(list(PAGES)), query)

    async def nav(self) -> None:
        target = self.rng.choice([p for p in PAGES if p != self.where])
        link = self.page.locator('[data-testid="stSidebarNav"] a', has_text=PAGES[target]).first
        try:
            await link.click(timeout=STEP_TIMEOUT)
        except Exception as exc:
            raise NotTaken(f"nav: {type(exc).__name__}") from exc
        self.where = target

    def _sidebar_widget(self, kind: str, label: str):
        page = self.page
        return page.locator(f'[data-testid="stSidebar"] [data-testid="{kind}"]').filter(
            has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))).first

    async def multiselect(self, label: str, values: list[str]) -> None:
        """Add one value to a sidebar multiselect (or clear it when two are chosen already)."""
        page = self.page
        box = self._sidebar_widget("stMultiSelect", label)
        try:
            shown = await box.inner_text(timeout=STEP_TIMEOUT)
            chosen = [v for v in values if v in shown.split("\n")]
            if len(chosen) >= 2:
                await box.get_by_role("button", name=re.compile("clear", re.I)).last.click(timeout=STEP_TIMEOUT)
                return
            value = self.rng.choice([v for v in values if v not in chosen])
            await box.locator("input").click(timeout=STEP_TIMEOUT)
            await page.keyboard.type(value)
            option = page.locator('[role="option"]', has_text=value).first
            await option.click(timeout=STEP_TIMEOUT)
            await page.keyboard.press("Escape")
        except Exception as exc:
            await page.keyboard.press("Escape")
            raise NotTaken(f"{label}: {type(exc).__name__}") from exc

    async def time_choice(self) -> None:
        page = self.page
        box = self._sidebar_widget("stSelectbox", "时间")
        try:
            current = (await box.inner_text(timeout=STEP_TIMEOUT)).split("\n")[-1].strip()
            labels = [f"{y}年" for y in self.opts.years[:4]] + ["全部时间"]
            target = self.rng.choice([t for t in labels if t != current])
            await box.click(timeout=STEP_TIMEOUT)
            await page.locator('[role="option"]', has_text=re.compile(f"^{target}$")).first.click(timeout=STEP_TIMEOUT)
        except Exception as exc:
            await page.keyboard.press("Escape")
            raise NotTaken(f"time: {type(exc).__name__}") from exc

    async def reset(self) -> None:
        try:
            await self.page.get_by_role("button", name="重置筛选").click(timeout=STEP_TIMEOUT)
        except Exception as exc:
            raise NotTaken(f"reset: {type(exc).__name__}") from exc

    async def radio(self) -> None:
        """Flip a radio in the page itself (面积表示, 分组, 指标, 点的颜色), where the page has one."""
        options = self.page.locator('[data-testid="stMain"] [data-testid="stRadio"] label:has(input[type="radio"])')
        try:
            labels = await options.all()
            free = [lab for lab in labels if not await lab.locator("input:checked").count()]
            if not free:
                raise NotTaken("radio: none on this page")
            await self.rng.choice(free).click(timeout=STEP_TIMEOUT)
        except NotTaken:
            raise
        except Exception as exc:
            raise NotTaken(f"radio: {type(exc).__name__}") from exc


async def _soak(url: str, options: Options, sessions: int, seconds: float, seed: int, server: int,
                min_changes: int) -> Run:
    from playwright.async_api import async_playwright

    run = Run()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            people = [Session(i, browser, url, options, run, random.Random(seed * 1000 + i)) for i in range(sessions)]
            for person in people:
                await person.open()
            deadline = time.monotonic() + seconds
            hard_deadline = deadline + OVERTIME_SECONDS

            # people arrive over the first half of the run (at most 3 s apart), not all in one instant
            gap = min(3.0, seconds / 2 / sessions)

            async def one(person: Session):
                await asyncio.sleep(person.n * gap)
                try:
                    await person.loop(deadline, min_changes, hard_deadline)
                except Exception as exc:
                    run.error(person.n, f"session stopped: {type(exc).__name__}: {exc}"[:500])

            # hard limit: the hard deadline plus the longest single step and some
            limit = seconds + OVERTIME_SECONDS + 2 * IDLE_TIMEOUT / 1000 + 60
            try:
                await asyncio.wait_for(asyncio.gather(*(one(p) for p in people)), timeout=limit)
            except asyncio.TimeoutError:
                run.errors.append(f"the run did not stop within {limit:.0f} s")
            # the driver and Chromium, before the contexts close: this process's tree without the server's
            run.browser_cpu_s = round(cpu_of_tree(os.getpid()) - _cpu_seconds(server) - cpu_of_tree(server), 1)
            for person in people:
                await person.close()
        finally:
            await browser.close()
    return run


def soak(warehouse: Path, sessions: int, seconds: float, out: Path, log: Path, min_changes: int = 1,
         seed: int = 7) -> dict:
    """Serve the warehouse, run the sessions, write and return the report."""
    pytest.importorskip("playwright.async_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    options = Options.of(warehouse)
    load_before = os.getloadavg()[0]
    with two_cores():
        proc, url = _serve(warehouse, log)
        try:
            started = time.monotonic()
            run = asyncio.run(_soak(url, options, sessions, seconds, seed, proc.pid, min_changes))
            elapsed = time.monotonic() - started
            server_cpu = round(_cpu_seconds(proc.pid) + cpu_of_tree(proc.pid), 1)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    log_text = log.read_text("utf-8", errors="replace")
    ms = [t["ms"] for t in run.timings]
    script = [t["script_ms"] for t in run.timings if t["script_ms"] is not None]
    by = {}
    for key in ("action", "page"):
        groups: dict[str, list[float]] = {}
        for t in run.timings:
            groups.setdefault(t[key], []).append(t["ms"])
        by[key] = {k: {"n": len(v), "median_ms": round(statistics.median(v)), "p95_ms": round(nearest_rank(v, 0.95)),
                       "max_ms": round(max(v))} for k, v in sorted(groups.items())}
    report = {
        "sessions": sessions, "seconds": seconds, "elapsed_s": round(elapsed, 1), "interactions": len(ms),
        "median_ms": round(statistics.median(ms)) if ms else None,
        "p95_ms": round(nearest_rank(ms, 0.95)) if ms else None,
        "max_ms": round(max(ms)) if ms else None, "mean_ms": round(statistics.fmean(ms)) if ms else None,
        # the script runs alone (first run start to last run end, as the browser saw them): the
        # server's share of the response, without the drawing
        "script_median_ms": round(statistics.median(script)) if script else None,
        "script_p95_ms": round(nearest_rank(script, 0.95)) if script else None,
        "script_max_ms": round(max(script)) if script else None,
        "by_action": by["action"], "by_page": by["page"],
        "errors": run.errors, "server_errors": server_errors(log_text), "not_taken": run.skipped,
        "per_session": {str(n): sum(1 for t in run.timings if t["session"] == n) for n in range(sessions)},
        "server_cpu_s": server_cpu, "browser_cpu_s": run.browser_cpu_s,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)], "machine_cpus": os.cpu_count(),
        "server_log": str(log), "timings": run.timings,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsoak: {sessions} sessions × {seconds:.0f} s (ran {elapsed:.0f} s): {len(ms)} interactions; "
          f"median {report['median_ms']} ms, p95 {report['p95_ms']} ms, max {report['max_ms']} ms; "
          f"script runs alone: median {report['script_median_ms']} ms, p95 {report['script_p95_ms']} ms; "
          f"errors {len(run.errors)}, server errors {len(report['server_errors'])}; not taken {sum(run.skipped.values())}; "
          f"CPU: server {report['server_cpu_s']} s, browser {report['browser_cpu_s']:.1f} s; "
          f"load average {report['load_average'][0]} → {report['load_average'][1]} on {os.cpu_count()} CPUs")
    for action, s in report["by_action"].items():
        print(f"  {action:9s} n={s['n']:4d} median {s['median_ms']:6d} ms  p95 {s['p95_ms']:6d} ms  max {s['max_ms']:6d} ms")
    print(f"report: {out}")
    return report


def check(report: dict, least: int) -> None:
    assert report["errors"] == [], report["errors"][:20]
    assert report["server_errors"] == [], report["server_errors"][:20]
    assert report["interactions"] >= least, (report["interactions"], least, report["not_taken"])
    assert min(report["per_session"].values()) >= 1, report["per_session"]      # no session starved


@pytest.mark.soak
def test_soak(demo_warehouse, tmp_path):
    seconds = float(os.environ.get("SOAK_SECONDS", "180"))
    sessions = 20
    report = soak(demo_warehouse, sessions, seconds, SCREENSHOTS / "soak.json", tmp_path / "server.log")
    # every session keeps going: its first page and at least one change, and an interaction per
    # minute on average (the first page load of twenty Chromium contexts on two cores alone takes
    # a minute or more)
    check(report, sessions * max(2, int(seconds // 60)))


@pytest.mark.browser
def test_soak_short(demo_warehouse, tmp_path):
    """The same mechanism, small enough for every test run: 3 sessions for about 20 s."""
    report = soak(demo_warehouse, 3, 20, SCREENSHOTS / "soak-short.json", tmp_path / "server.log", min_changes=3)
    check(report, 3 * (1 + 3))      # each session: its first page and three changes at least
    assert len(report["by_action"]) >= 5, report["by_action"]       # most kinds of action were exercised
