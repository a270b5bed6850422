"""The DuckLake part of BENCHMARKS.md (bench/lake.py): goals and a section, beside the file's."""

from __future__ import annotations

PAGE_GOAL_SECONDS, RATIO_GOAL = 1.0, 1.5


def _ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f}"


def _pages(q: dict | None, scenario: str) -> dict:
    for sc in (q or {}).get("scenarios", []):
        if sc["key"] == scenario:
            return {page: (sc["page_calls"][page][0], st) for page, st in sc["pages"].items()}
    return {}


def _worst(L: dict, key: str, scenario: str) -> tuple[float | None, float | None]:
    """The slowest page's p95 on the lake, and the largest lake ÷ file ratio of page medians."""
    lake = _pages(L.get(key), scenario)
    file = _pages(L.get("_file"), scenario)
    p95s = [st["p95"] for _, st in lake.values() if "p95" in st]
    ratios = [st["median"] / file[p][1]["median"] for p, (_, st) in lake.items()
              if "median" in st and "median" in file.get(p, ("", {}))[1] and file[p][1]["median"]]
    return (max(p95s) if p95s else None, max(ratios) if ratios else None)


def goals(results: dict) -> list[tuple[str, str, str, bool | None]]:
    L = results.get("lake")
    if not L:
        return []
    L = dict(L, _file=(results.get("queries") or {}).get(str(L["projects"])))
    n = f"{L['projects']:,}"
    rows = []
    for key, when in (("after_loads", "after 54 monthly loads"), ("after_compaction", "after compaction")):
        p95, ratio = _worst(L, key, "all")
        if p95 is not None:
            rows.append((f"DuckLake: every page p95 < {PAGE_GOAL_SECONDS:.0f} s at {n} projects, {when}",
                         f"slowest page p95 {_ms(p95)} ms", "no filter (the whole province)", p95 < PAGE_GOAL_SECONDS))
        if ratio is not None:
            rows.append((f"DuckLake: page time < {RATIO_GOAL}× the DuckDB file, {when}",
                         f"largest ratio {ratio:.2f}×", "page medians, same run", ratio < RATIO_GOAL))
    c = L.get("concurrent")
    if c:
        ch = c["check"]
        ok = (not c["errors"] and not c["read_errors"] and ch["loads_mismatched"] == 0 and ch["contents_twice"] == 0
              and ch["rows_added"] == ch["rows_loaded_reported"] and c["statuses"].get("loaded") == c["files"])
        rows.append((f"DuckLake: {c['loaders']} loaders × {c['files'] // c['loaders']} ledgers at once, "
                     f"{c['readers']} readers: no error, nothing lost or doubled",
                     f"{c['statuses']}, {len(c['errors'])} loader / {len(c['read_errors'])} reader errors, "
                     f"{ch['rows_added']:,} rows added = {ch['rows_loaded_reported']:,} reported",
                     f"reader page p95 {_ms(c['reader_page']['p95'])} ms during the loads", ok))
    return rows


def section(w, results: dict) -> None:
    L = results.get("lake")
    if not L:
        return
    file_q = (results.get("queries") or {}).get(str(L["projects"]))
    r = L["replay"]
    w("## DuckLake over PostgreSQL, beside the DuckDB file\n")
    w(f"The {L['projects']:,}-project warehouse written into a lake (catalog: PostgreSQL 15 on loopback; data: "
      f"Parquet files on the local disk) as **{r['months']} monthly transactions** — each month's loads and ledger "
      "rows appended, the current state and history summaries of every project that month listed deleted and "
      f"inserted again, as the loader does — in {r['seconds']:.0f} s (a month: median "
      f"{r['month_seconds']['median']:.1f} s, p95 {r['month_seconds']['p95']:.1f} s), each followed by the loader's "
      f"maintenance (compaction once the live files pass `compact_after_files`: "
      f"{_compactions(r.get('compactions'))}), leaving "
      f"{r['live_files']:,} data files. Table by table equal to the file (rows, fingerprint of every row, sums): "
      f"**{'yes' if r['same_as_file'] else 'NO: ' + ', '.join(r['differences'])}**. Compaction "
      f"(`python -m warehouse compact`) then took {L.get('compaction_seconds', 0):.0f} s and left "
      f"{L.get('files_after_compaction', '—')} files.\n")
    for scenario in ("all", "default"):
        lake_a, lake_b = _pages(L.get("after_loads"), scenario), _pages(L.get("after_compaction"), scenario)
        file = _pages(file_q, scenario)
        if not lake_a:
            continue
        w(f"### Page totals, {scenario} view, median / p95 ms\n")
        w("| page | DuckDB file | lake after 54 loads | lake after compaction | lake ÷ file (compacted) |")
        w("|---|---:|---:|---:|---:|")
        for page, (title, st) in lake_a.items():
            f = file.get(page, ("", {}))[1]
            b = lake_b.get(page, ("", {}))[1]
            ratio = f"{b['median'] / f['median']:.2f}" if b.get("median") and f.get("median") else "—"
            w(f"| {title} | {_ms(f.get('median'))} / {_ms(f.get('p95'))} | {_ms(st.get('median'))} / "
              f"{_ms(st.get('p95'))} | {_ms(b.get('median'))} / {_ms(b.get('p95'))} | {ratio} |")
        w("")
    c = L.get("concurrent")
    if c:
        ch = c["check"]
        w("### Many writers at once\n")
        w(f"{c['loaders']} `python -m etl load` processes, each with {c['files'] // c['loaders']} district ledgers of "
          f"the month after (real .xlsx/.xls/.csv files in the five layouts), started together against the lake while "
          f"{c['readers']} reader processes opened the 总览 and 项目台账 pages' queries one page run after another: "
          f"{c['seconds']:.1f} s for all {c['files']} files; outcome {c['statuses']}; loader errors "
          f"{len(c['errors'])}, reader errors {len(c['read_errors'])}. Rows: {ch['rows_before']:,} → "
          f"{ch['rows_after']:,} (+{ch['rows_added']:,}; the loads reported {ch['rows_loaded_reported']:,}); loads "
          f"whose stored rows differ from what they reported: {ch['loads_mismatched']}; contents loaded twice: "
          f"{ch['contents_twice']}. Reader page run during the loads: median {_ms(c['reader_page']['median'])} ms, "
          f"p95 {_ms(c['reader_page']['p95'])} ms over {c['reader_page']['n']} page runs. Writers take turns behind "
          "the lake's advisory lock (warehouse/lake.py); readers take no lock.\n")


def _compactions(done: list | None) -> str:
    if done is None:
        return "not recorded"
    if not done:
        return "none was needed"
    return f"{len(done)}×, after months " + ", ".join(f"{c['month']} ({c['seconds']:.0f} s)" for c in done)
