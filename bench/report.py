"""BENCHMARKS.md from bench/out/results.json: every number in it comes from a run of `python -m bench`."""

from __future__ import annotations

from pathlib import Path

from bench.queries import QUERIES
from bench import lake_report

P95_GOAL = 0.300        # seconds, every page query at the largest size
PAGE_GOAL = 1.0         # seconds, a page's server-side work
RSS_GOAL = 1024         # MB, the app process serving every page
LOAD_GOAL = 1.3         # loader / bare calamine read


def _ms(seconds) -> str:
    if seconds is None:
        return "—"
    ms = seconds * 1000
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def _s(seconds) -> str:
    return "—" if seconds is None else f"{seconds:,.2f}"


def _mb(x) -> str:
    return "—" if x is None else f"{x:,.0f} MB"


def _n(n: int | str) -> str:
    n = int(n)
    if n >= 10_000 and n % 10_000 == 0:
        return f"{n // 10_000}万"
    return f"{n:,}"


def _ok(flag) -> str:
    return "—" if flag is None else ("✅ met" if flag else "❌ not met")


def _query_cell(r: dict) -> tuple[str, str, str, str]:
    """median, p95, floor median, ratio for one query result."""
    if "skipped" in r:
        return ("not run", "", "", r["skipped"][:50])
    if "timeout" in r:
        return (f"> {r['timeout']:.0f} s (interrupted)", "", "", "")
    app, floor = r["app"], r.get("floor")
    single = " (1 run)" if app["n"] == 1 else ""
    ratio = f"{r['ratio']:.2f}" if r.get("ratio") else "—"
    if r.get("same_answer") is False:
        ratio += " ⚠ differs"
    return (_ms(app["median"]) + single, _ms(app["p95"]), _ms(floor["median"]) if floor else "—", ratio)


def _largest(results: dict) -> str | None:
    q = results.get("queries") or {}
    return max(q, key=int) if q else None


def _at(n) -> str:
    """The goals are set at 100万 projects; a smaller run says where it measured."""
    n = int(n)
    return f" at {_n(n)} projects" if n >= 1_000_000 else f" (goal at 100万 projects; measured at {_n(n)})"


def goals(results: dict) -> list[tuple[str, str, str, bool | None]]:
    rows = []
    fresh = (results.get("loading") or {}).get("fresh")
    if fresh:
        rows.append((f"Loader ≤ {LOAD_GOAL}× a bare calamine read (one city-month, {fresh['files']} district ledgers)",
                     f"{fresh['ratio_to_bare']:.2f}× ({_s(fresh['seconds']['loader']['median'])} s vs "
                     f"{_s(fresh['seconds']['bare']['median'])} s)", "", fresh["ratio_to_bare"] <= LOAD_GOAL))
    l200 = results.get("ledger200k")
    if l200 and "ratio" in l200:
        rows.append((f"Loader ≤ {LOAD_GOAL}× a bare calamine read (one 200,000-row ledger, bench/ledger_200k.py)",
                     f"{l200['ratio']:.2f}× ({_s(l200['loader_median'])} s vs {_s(l200['bare_median'])} s)", "",
                     l200["ratio"] <= LOAD_GOAL))
    big = _largest(results)
    if big:
        data = results["queries"][big]
        over, total, worst = [], 0, None
        page_over, page_worst = [], None
        seen = set()
        for sc in data["scenarios"]:
            for key, r in sc["queries"].items():
                if "skipped" in r and "timed out" not in r["skipped"]:
                    continue
                unique = key if not QUERIES[key].filtered else (key, sc["key"])
                if unique in seen:
                    continue
                seen.add(unique)
                total += 1
                p95 = r["app"]["p95"] if "app" in r else float("inf")
                if p95 >= P95_GOAL:
                    over.append((p95, key, sc["label"]))
                if worst is None or p95 > worst[0]:
                    worst = (p95, key, sc["label"])
            for page, st in sc["pages"].items():
                if page == "click":
                    continue
                p95 = st.get("p95", float("inf")) if "incomplete" not in st else float("inf")
                if p95 >= PAGE_GOAL:
                    page_over.append((p95, page, sc["label"]))
                if page_worst is None or p95 > page_worst[0]:
                    page_worst = (p95, page, sc["label"])
        uniq = sorted({k for _, k, _ in over})
        rows.append((f"p95 of every page query < {P95_GOAL * 1000:.0f} ms{_at(big)}",
                     f"{len(over)} of {total} (query × view; unfiltered queries once) at or over; worst "
                     f"{'interrupted' if worst and worst[0] == float('inf') else _ms(worst[0]) + ' ms'} "
                     f"({worst[1] if worst else '—'})",
                     "over: " + ", ".join(uniq) if uniq else "", not over))
        rows.append((f"A page's server-side work < {PAGE_GOAL:.0f} s (p95){_at(big)}",
                     f"{len(page_over)} of {sum(1 for sc in data['scenarios'] for p in sc['pages'] if p != 'click')} "
                     "(page × scenario) at or over",
                     "over: " + ", ".join(sorted({_page_calls(data)[p][0] for _, p, _ in page_over})) if page_over else "",
                     not page_over))
        ratios = sorted(r["ratio"] for sc in data["scenarios"] for r in sc["queries"].values() if r.get("ratio"))
        if ratios:
            median = ratios[len(ratios) // 2]
            rows.append(("App overhead over the same aggregation in direct SQL (no goal number given)",
                         f"median ratio {median:.2f}× over {len(ratios)} (query × scenario); connection open "
                         f"{_ms(data['connect']['median'])} ms", "", None))
    app = results.get("app")
    if app and app.get("peak_rss_mb"):
        rows.append((f"App process peak RSS < {RSS_GOAL} MB serving every page{_at(app['projects'])}",
                     f"{app['peak_rss_mb']:,.0f} MB (VmHWM)", "", app["peak_rss_mb"] < RSS_GOAL))
    export = results.get("export")
    if export:
        if "not_measured" in export:
            rows.append(("Weekly deck export", f"not measured: {export['not_measured']}", "", None))
        else:
            for n, e in export.items():
                app_deck = e.get("in_app") or {}
                if "seconds" in app_deck:
                    warm = app_deck["warm_runs"] > 0
                    rows.append((f"Weekly deck, warm in the app, 10+ slides < 10 s (bench/deck.py's goal) at {_n(n)} projects",
                                 f"{_s(app_deck['seconds']['median'])} s for {app_deck['slides']} slides"
                                 + ("" if warm else " (first build only: too slow to repeat)"), "",
                                 app_deck["seconds"]["median"] < 10 and app_deck["slides"] >= 10))
                elif app_deck:
                    rows.append((f"Weekly deck, warm in the app at {_n(n)} projects",
                                 f"failed or over {_s(app_deck.get('seconds_spent'))} s", "", False))
                cli = e.get("cli") or {}
                if "seconds" in cli:
                    rows.append((f"Weekly deck, `python -m report slides` (whole process) at {_n(n)} projects",
                                 f"{_s(cli['seconds']['median'])} s, {cli.get('slides')} slides", "no goal number given",
                                 None))
                elif cli:
                    rows.append((f"Weekly deck, `python -m report slides` at {_n(n)} projects",
                                 f"failed or timed out after {_s(cli.get('warmup_seconds'))} s", "", False))
    return rows


def write_markdown(results: dict, path: Path) -> None:
    path = Path(path)
    path.write_text(render(results), encoding="utf-8")


def render(results: dict) -> str:
    a = results["args"]
    m = results["machine"]
    out: list[str] = []
    w = out.append
    w("# 性能基准 · Benchmarks\n")
    w(f"> Generated by `{a['command'].strip()}` on {results['generated_at']} "
      f"({results['total_seconds'] / 60:.1f} min). **Do not edit by hand**: run the command again "
      "(`make bench` for the full size). Raw numbers: `bench/out/results.json`.")
    if a.get("quick") or max(a["sizes"]) < 1_000_000:
        w(f"> ⚠ This run is at a reduced size (largest warehouse {_n(max(a['sizes']))} projects); "
          "the full benchmark is `make bench` (10万 … 100万 projects).")
    la, lb = m.get("load_average_start"), results.get("load_average_end")
    if la:
        busy = la[0] > (m.get("logical_cores") or 1) * 0.7
        w(f"> Load average at start {la[0]:.1f} / end {lb[0] if lb else float('nan'):.1f} on "
          f"{m.get('logical_cores')} cores" + (" — **the machine was busy; timings are noisy.**" if busy else "."))
    w("")
    w("## 结论 · Goals\n")
    w("| goal | measured | notes | verdict |")
    w("|---|---|---|---|")
    for goal, measured, note, flag in goals(results) + lake_report.goals(results):
        w(f"| {goal} | {measured} | {note} | {_ok(flag)} |")
    w("")

    w("## How to reproduce\n")
    w("```bash\nmake bench                 # = .venv/bin/python -m bench : 1万 / 10万 / 100万 projects, 10 repetitions\n"
      "python -m bench --quick    # 1万 / 10万, 3 repetitions\n"
      "python -m bench --projects 300000 --repeat 5 --skip app,export\n```\n")
    w("Steps: generate (cached in `bench/out/`, rebuilt when the generator, schema or reference data change) → "
      "loading (real ledger files) → `bench/ledger_200k.py` → every page's queries at every size → the app's "
      "memory in Chromium → the weekly deck. `--skip loading,ledger200k,queries,app,export` leaves steps out. "
      "Nothing is downloaded; the browser is Debian's `/usr/bin/chromium`. A smaller version runs in "
      "`make test` (`tests/test_bench_smoke.py`) without timing assertions.\n")

    steps = results.get("steps") or {}
    if steps:
        w("This run's steps: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in steps.items()) + ".\n")
    w("## Machine\n")
    d = m.get("disk", {})
    pk = m.get("packages", {})
    w(f"- CPU: {m['cpu']}, {m['logical_cores']} logical cores ({m.get('physical_cores')} physical)")
    w(f"- RAM: {m['ram_gb']:.1f} GB")
    w(f"- Disk: {' '.join(x for x in (d.get('device', '?'), d.get('fstype'), d.get('model')) if x)}, "
      f"{d.get('size_gb', 0):.0f} GB, {d.get('free_gb', 0):.0f} GB free (where `bench/out` is)"
      + ("" if d.get("rotational") is None else f", kernel rotational flag {int(d['rotational'])}"))
    w(f"- OS: {m['os']}; Python {m['python']}; {m.get('chromium') or 'no Chromium'}")
    w("- Packages: " + ", ".join(f"{k} {v}" for k, v in pk.items() if v))
    w("")

    _design(w, results)
    _datasets(w, results)
    _loading(w, results)
    _queries(w, results)
    lake_report.section(w, results)
    _app(w, results)
    _export(w, results)
    _gaps(w, results)
    return "\n".join(out) + "\n"


def _design(w, results: dict) -> None:
    ref = results["reference"]
    w("## Design\n")
    w(f"**Province reference.** `bench/henan.py` writes a reference folder for {ref['city']} (city code 410000, "
      f"boundary `data/boundaries/410000_full.json`) with all {ref['districts']} county-level areas: real "
      "国家统计局 codes and names (160 districts/counties/county-level cities and 21 functional zones with a "
      "statistical code) from `bench/data/henan_areas.csv`, derived from the shared real data "
      "(`admin_codes/nbs_county_level_areas.csv`; centres from `centroids/amap_admin_centers_2019.csv`, "
      "GCJ-02; four areas renamed since 2019 use their old code's centre; zones use their city's centre). "
      "Chains, stages, header synonyms, parks and indicators are the configured city's files with city_code "
      "rewritten. The benchmark runs with `REFERENCE_PATH` / `SETTINGS_PATH` pointing there.\n")
    w("**Province warehouses** (`bench/generate.py`). 1M projects × ~30 monthly snapshots is ~30M ledger rows: "
      "writing that as spreadsheets and loading it would take hours, so the warehouse the loader *would* have "
      "produced after 54 months of ledgers (2021-07 … 2025-12) is written directly with DuckDB SQL — same "
      "schema (`warehouse/sql/schema`), same conventions: one `loads` row per district ledger per month with "
      "its file name, sheets, skipped/rejected rows and warnings; `project_rows` in load order with exactly "
      "the columns each district's layout carries (项目编号 and 投资方类型 only in the CSV export, no coordinates "
      "in a legacy .xls, masked amounts in a publication copy …); identities as the loader makes them; "
      "`project_current` equal to the loader's own refresh SQL; 目标任务 and 指标月报 rows for 2024–2025; "
      "2025's 六职招商 quarterly workbooks (`bench/six_data.py`: six leaders per district, their trips and "
      "companies received, ~2% of the ledger's projects as 包抓 lines). "
      "Projects move 在谈 → 签约 → (履约) → 开工 → 投产 → 达效 with monthly chances, stall, get dropped and "
      "join 三个一批 batches like the demo's. Deterministic: one numpy PCG64 stream per seed.\n")
    w("**Loading** uses real files: the month after the warehouse's newest (2026-01) of one city's district "
      f"ledgers ({ref.get('sample_city_name')}), written by `etl.layouts` in each district's layout, and "
      "loaded by `python -m etl load` as a whole process. Nothing is extrapolated.\n")
    w("**Queries**: `bench/queries.py` lists what every page asks for when it opens (mirroring `pages/*.py`), "
      "and for each the same aggregation written directly in SQL on the tables (the floor). The app way runs "
      "the page's calls on one read-only connection opened for the page with `warehouse.db.reading` (as "
      "`ui.data.page_run` does) — Streamlit's cache is not used. Three views: everything (all time), the default view a page opens with "
      "(the newest year), an analyst's filter (one city's districts, one cluster, the newest year).\n")
    c = (results.get("loading") or {}).get("consistency")
    if c:
        v = c["values"]
        w("**Is the generated warehouse what the loader writes?** Checked in every run:")
        w(f"- schema: generated vs loaded warehouse — {c['schema']['tables']} tables, {c['schema']['columns']} "
          f"columns, identical: **{c['schema']['same']}**;")
        w(f"- values: the sample month loaded by the loader vs the generator's rows for it — {v['matched']:,} of "
          f"{v['expected']:,} projects matched by identity ({v['only_expected']} only generated, "
          f"{v['only_loaded']} only loaded), {v['columns_compared']} columns compared, mismatching columns: "
          f"**{', '.join(f'{k} ({n})' for k, n in v['mismatches'].items()) or 'none'}**;")
        cur = c["current"]
        if cur.get("skipped"):
            w(f"- `project_current` vs the loader's refresh: not checked ({cur['skipped']}).")
        else:
            w(f"- `project_current` ({_n(c['current_projects'])} projects) vs the loader's "
              f"`etl.store.REFRESH_CURRENT_SQL` over every project: identical: **{cur['same']}**.")
        w("")


def _datasets(w, results: dict) -> None:
    w("## Data sets\n")
    w("| projects | monthly snapshot rows (`project_rows`) | loads | 六职 trips / receptions / 包抓 lines | DuckDB file "
      "| generation |")
    w("|---:|---:|---:|---:|---:|---:|")
    for n, info in sorted(results["warehouses"].items(), key=lambda kv: int(kv[0])):
        gen = f"{info['seconds']:.0f} s" + (" (cached)" if info.get("reused") else "")
        six = info.get("six_rows") or {}
        six_text = " / ".join(f"{six[k]:,}" for k in ("trips", "receptions", "assignments")) if six else "—"
        w(f"| {int(n):,} | {info['history_rows']:,} | {info['loads']:,} | {six_text} | {info['db_bytes'] / 1e6:,.0f} MB "
          f"| {gen} |")
    w("")


def _loading(w, results: dict) -> None:
    L = results.get("loading")
    l200 = results.get("ledger200k")
    if not L and not l200:
        return
    w("## Loading\n")
    if L:
        f = L["fresh"]
        s = f["seconds"]
        w(f"One month ({L['as_of']}) of {L['city']}'s district ledgers from the {_n(f['projects'])}-project data "
          f"set: {f['files']} files ({f['bytes'] / 1e6:.1f} MB; {', '.join(f['layouts'])}), "
          f"{f['rows_loaded']:,} project rows loaded ({f['sheet_rows_read']:,} sheet rows read by the bare read). "
          f"Whole processes, {s['loader']['n']} rounds interleaved; median (min–max) seconds:\n")
        w("| | seconds | peak RSS | loader ÷ this |")
        w("|---|---:|---:|---:|")
        loader = s["loader"]["median"]
        for key, label in (("bare", "bare calamine read (floor: `bench/readers.py bare`)"),
                           ("loader", "loader (`python -m etl load … --json`) into an empty warehouse"),
                           ("analyst", "analyst script: pandas + openpyxl → DuckDB (`bench/readers.py analyst`)")):
            x = s[key]
            w(f"| {label} | {_s(x['median'])} ({_s(x['min'])}–{_s(x['max'])}) | {_mb(f['peak_rss_mb'][key])} | "
              f"{loader / x['median']:.2f}× |")
        w("")
        w(f"Loader: **{f['rows_per_second']:,.0f} rows/s**; {f['ratio_to_bare']:.2f}× the bare read; "
          f"{f['ratio_to_analyst']:.2f}× the analyst script (which only stores raw cells: no header detection, "
          "units, dates, districts, chains, identities, 合计 checks or audit trail)."
          + (f" Problems: {f['problems']}" if f["problems"] else "") + "\n")
        w("The same month loaded into a copy of each generated warehouse (a real monthly update: the month's "
          "projects already have years of history; identity unification and the current-state refresh run "
          "against it):\n")
        w("| warehouse | files | rows | seconds, median (min–max) | rows/s | peak RSS |")
        w("|---:|---:|---:|---:|---:|---:|")
        for n, r in sorted(L["incremental"].items(), key=lambda kv: int(kv[0])):
            x = r["seconds"]
            w(f"| {_n(n)} projects | {r['files']} | {r['rows_loaded']:,} | {_s(x['median'])} "
              f"({_s(x['min'])}–{_s(x['max'])}, n={x['n']}) | {r['rows_per_second']:,.0f} | {_mb(r['peak_rss_mb'])} |")
        w("")
    if l200:
        if "error" in l200:
            w(f"`bench/ledger_200k.py` failed: `{l200['error'][-300:]}`\n")
        else:
            w(f"`bench/ledger_200k.py` (one flat {l200['rows']:,}-row ledger, {l200['file_mb']:.1f} MB, the configured "
              f"city's reference): bare read {_s(l200['bare_median'])} s, loader {_s(l200['loader_median'])} s, "
              f"ratio **{l200['ratio']:.2f}** (runs: bare {', '.join(_s(x) for x in l200['bare'])}; loader "
              f"{', '.join(_s(x) for x in l200['loader'])}).\n")


def _queries(w, results: dict) -> None:
    Q = results.get("queries")
    if not Q:
        return
    a = results["args"]
    w("## Page queries\n")
    w(f"Server time without Streamlit's cache, {a['repeat']} repetitions after one warm-up (the floor: "
      f"{max(3, (a['repeat'] + 1) // 2)}; a call slower than 5 s "
      f"is measured once; one slower than {a['cap']:.0f} s is interrupted and the rest of that page is not run). "
      "**App** = `warehouse.*` function on the page's read-only connection; **floor** = the same "
      "aggregation written directly in SQL on a connection of its own; ratio = app ÷ floor (medians). ⚠ marks a "
      "floor whose rows differ from the app's (every floor is checked against the app's rows in each run).\n")
    sizes = sorted(Q, key=int)
    w("### Page totals (server-side work of opening a page: opening the warehouse once and the sum of its calls), "
      "median / p95 ms\n")
    header = "| page | " + " | ".join(f"{_n(n)} · {sc['label']}" for n in sizes for sc in Q[n]["scenarios"]) + " |"
    w(header)
    w("|---|" + "---:|" * (header.count("|") - 2))
    for page, (title, keys) in _page_calls(Q[sizes[-1]]).items():
        cells = []
        for n in sizes:
            for sc in Q[n]["scenarios"]:
                st = sc["pages"].get(page, {})
                if "incomplete" in st:
                    cells.append("incomplete: " + ", ".join(f"{k} {v}" for k, v in list(st["incomplete"].items())[:2]))
                else:
                    cells.append(f"{_ms(st.get('median'))} / {_ms(st.get('p95'))}")
        w(f"| {title} | " + " | ".join(cells) + " |")
    w("")
    w(f"Opening a read-only connection (`warehouse.db.reading` + `SELECT 1`): "
      + ", ".join(f"{_n(n)} {_ms(Q[n]['connect']['median'])} ms" for n in sizes) + ".\n")
    big = sizes[-1]
    _query_table(w, Q[big], big)
    for n in sizes[:-1]:
        w(f"<details><summary>Every query at {_n(n)} projects</summary>\n")
        _query_table(w, Q[n], n)
        w("</details>\n")


def _page_calls(data: dict) -> dict:
    """page → (title, query keys), as recorded from the pages' descriptions in the run."""
    return data["scenarios"][0]["page_calls"] if data.get("scenarios") else {}


def _query_table(w, data: dict, n) -> None:
    w(f"### Every query at {_n(n)} projects (ms)\n")
    scen = data["scenarios"]
    w("| page | query | " + " | ".join(f"{sc['label']}: median / p95 / floor / ratio" for sc in scen) + " |")
    w("|---|---|" + "---|" * len(scen))
    seen = set()
    for page, (title, keys) in _page_calls(data).items():
        for key in keys:
            if key in seen:
                continue
            seen.add(key)
            q = QUERIES[key]
            cells = []
            for sc in scen:
                r = sc["queries"].get(key)
                if r is None:
                    cells.append("—")
                    continue
                med, p95, fl, ratio = _query_cell(r)
                cells.append(" / ".join(x for x in (med, p95, fl, ratio) if x != "") if med != "not run"
                             else f"not run: {ratio}")
                if not q.filtered:
                    cells += ["(same: not filtered)"] * (len(scen) - 1)
                    break
            w(f"| {title} | {q.label} `{key}`" + (f" ×{q.calls}" if q.calls > 1 else "") + " | " + " | ".join(cells) + " |")
    w("")


def _app(w, results: dict) -> None:
    app = results.get("app")
    if not app:
        return
    w("## The app's memory\n")
    if "skipped" in app:
        w(f"Not measured: {app['skipped']}\n")
        return
    w(f"`streamlit run app.py` against the {_n(app['projects'])}-project warehouse, every page of the navigation "
      "opened once in Chromium (Playwright, one session, cold cache; 目标进度 last, so that a script still running "
      "is not charged to the next page), server RSS sampled every 100 ms from `/proc/<pid>/status`.\n")
    w(f"- idle after start: {app['idle_rss_mb']:,.0f} MB; after every page: {app['final_rss_mb']:,.0f} MB; "
      f"**peak (VmHWM): {app['peak_rss_mb']:,.0f} MB**\n")
    w("| page | ready in the browser (s) | RSS after (MB) | peak while loading (MB) | status |")
    w("|---|---:|---:|---:|---|")
    for p in app["pages"]:
        w(f"| {p['title']} | {p['seconds']:.1f} | {p['rss_after_mb'] or 0:,.0f} | {p['peak_rss_mb'] or 0:,.0f} | "
          f"{p['status']} |")
    w("\n“Ready” = the page's title is shown and Streamlit has stopped running (the map also waits for its canvas): "
      "server queries, chart building and browser rendering together; the first page also pays the app's "
      "imports. Screenshots: `bench/out/screens/`.\n")
    L = results.get("loading")
    if L:
        f = L["fresh"]
        w(f"A load's memory: the loader process peaked at {_mb(f['peak_rss_mb']['loader'])} loading the city-month "
          "into an empty warehouse, and at "
          + ", ".join(f"{_mb(r['peak_rss_mb'])} into the {_n(n)} warehouse" for n, r in
                      sorted(L["incremental"].items(), key=lambda kv: int(kv[0]))) + ".\n")


def _export(w, results: dict) -> None:
    e = results.get("export")
    if e is None:
        return
    w("## Export\n")
    if "not_measured" in e:
        w(f"| weekly deck | **not measured: {e['not_measured']}** |\n|---|---|\n")
        return
    w("The weekly meeting deck two ways. **In the app, warm**: one process starts the chart renderer (one Chromium, "
      "timed apart), builds one deck (imports, caches), then builds it again and again — `bench/deck.py`'s "
      "`build_once`, what the 导出PPT button costs once the app is running. **Command line**: "
      "`python -m report slides --out F.pptx --db …` as a whole process (a scheduled job), run once to warm the OS "
      "caches, then timed.\n")
    w("| warehouse | slides | in the app: renderer start / first deck / warm median (s) | command line (s) | "
      "peak RSS app / CLI | file |")
    w("|---:|---:|---|---:|---:|---:|")
    for n, x in sorted(e.items(), key=lambda kv: int(kv[0])):
        a, c = x.get("in_app") or {}, x.get("cli") or {}
        if "seconds" in a:
            warm = _s(a["seconds"]["median"]) + (f" (n={a['warm_runs']})" if a["warm_runs"] else " (not repeated)")
            app_cell = f"{_s(a['renderer_start'])} / {_s(a['first'])} / {warm}"
        elif a:
            app_cell = f"failed/timeout after {_s(a.get('seconds_spent'))} s"
        else:
            app_cell = "—"
        if "seconds" in c:
            cli_cell = _s(c["seconds"]["median"]) + ("" if c.get("warm") else " (1 run)")
        elif c:
            cli_cell = f"failed/timeout after {_s(c.get('warmup_seconds'))} s"
        else:
            cli_cell = "—"
        slides = a.get("slides") or c.get("slides") or "—"
        size = a.get("bytes") or c.get("bytes")
        w(f"| {_n(n)} | {slides} | {app_cell} | {cli_cell} | {_mb(a.get('peak_rss_mb'))} / {_mb(c.get('peak_rss_mb'))} | "
          f"{(size or 0) / 1e6:.1f} MB |")
    w("")


def _gaps(w, results: dict) -> None:
    w("## Known gaps\n")
    w("- The generated history lists every project in every monthly ledger from its entry month; districts keep "
      "one layout for all months (real districts switch); no project moves between districts or changes "
      "identity (coded ↔ uncoded), so the loader's identity unification is exercised only by the incremental "
      "load. Terminated projects are only dropped before they start.\n"
      "- Page totals are the server-side queries only (no chart building); the browser “ready” times include "
      "everything but are single cold runs at the largest size.\n"
      "- The province map's polygons are cities (`410000_full.json` has no county level); counties' totals do not "
      "colour them (`mapdata.district_totals` maps an administrative county to its own code).\n"
      "- 目标进度's floor is its own view on an open connection (`indicator_progress`): it shows the app's overhead "
      "around the view, not whether the view's SQL could be faster.\n"
      "- Excel exports (台账, 督办清单) are not timed.\n")
