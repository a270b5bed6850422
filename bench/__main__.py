"""python -m bench: the performance benchmarks (issue 6), results in BENCHMARKS.md.

    python -m bench                       # full: 10k / 100k / 1M projects (make bench)
    python -m bench --quick               # 10k / 100k, fewer repetitions
    python -m bench --projects 300000 --repeat 5
    python -m bench --sizes 2000 --repeat 1 --skip ledger200k,app,export --out /tmp/b --md /tmp/b/B.md

Steps (each can be skipped with --skip): warehouses (always), loading, ledger200k, queries, app,
export. Generated warehouses and ledger files are cached in --out (bench/out, git-ignored) and
rebuilt when the generator, the schema or the reference changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("loading", "ledger200k", "queries", "lake", "app", "export")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--projects", type=int, default=None,
                    help="largest warehouse (default 1,000,000; --quick 100,000); sizes are N/100, N/10, N")
    ap.add_argument("--sizes", default=None, help="explicit warehouse sizes, comma-separated (overrides --projects)")
    ap.add_argument("--repeat", type=int, default=None, help="repetitions per query (default 10; --quick 3)")
    ap.add_argument("--quick", action="store_true", help="100k projects at most, fewer repetitions")
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--sample-city", default="410500", help="city whose month of ledgers is loaded (default 安阳市)")
    ap.add_argument("--cap", type=float, default=60.0, help="seconds after which a query is interrupted")
    ap.add_argument("--export-timeout", type=float, default=300.0, help="seconds before a deck export is stopped")
    ap.add_argument("--views", default="all,default,narrow",
                    help="which filter views to time: all (no filter), default (the newest year), narrow (an analyst's)")
    ap.add_argument("--lake-loaders", type=int, default=8, help="DuckLake: loader processes at once (default 8)")
    ap.add_argument("--lake-files", type=int, default=20, help="DuckLake: district ledgers per loader (default 20)")
    ap.add_argument("--lake-readers", type=int, default=4, help="DuckLake: reader processes meanwhile (default 4)")
    ap.add_argument("--skip", default="", help=f"steps to skip: {','.join(STEPS)}")
    ap.add_argument("--report-only", action="store_true",
                    help="only write the report again from --out/results.json (after editing bench/report.py)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"), help="work folder (cached data, results.json)")
    ap.add_argument("--md", default=str(ROOT / "BENCHMARKS.md"), help="where to write the report")
    args = ap.parse_args(argv)
    largest = args.projects or (100_000 if args.quick else 1_000_000)
    if args.sizes:
        args.size_list = sorted({int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()})
    else:
        args.size_list = sorted({n for n in (largest // 100, largest // 10, largest) if n >= 1000} or {largest})
        if args.quick and not args.projects:
            args.size_list = [10_000, 100_000]
    args.repeat = args.repeat or (3 if args.quick else 10)
    args.load_repeat = max(1, min(args.repeat, 5))
    args.view_list = [v.strip() for v in args.views.split(",") if v.strip()]
    if not set(args.view_list) <= {"all", "default", "narrow"} or not args.view_list:
        ap.error("--views takes all, default, narrow")
    args.skip_set = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip_set - set(STEPS)
    if unknown:
        ap.error(f"unknown steps: {', '.join(sorted(unknown))}")
    return args


def log(text: str) -> None:
    print(text, flush=True)


def _code(path: Path) -> bytes:
    """A Python file's code without comments and docstrings (editing those keeps the caches)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree).encode()


def fingerprint(*parts) -> str:
    """What a cached warehouse or ledger sample was made from: files (code without comments),
    folders (every file below) and values."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = sorted(part.rglob("*")) if part.is_dir() else [part]
            for f in files:
                if f.is_file() and "__pycache__" not in f.parts:
                    h.update(str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f).encode())
                    h.update(_code(f) if f.suffix == ".py" else f.read_bytes())
        else:
            h.update(repr(part).encode())
    return h.hexdigest()[:16]


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if args.report_only:
        from bench.report import write_markdown
        write_markdown(json.loads((out / "results.json").read_text(encoding="utf-8")), Path(args.md))
        log(f"已重写 {args.md}")
        return 0

    # the province reference first: warehouse modules read REFERENCE_PATH when imported
    from bench.henan import write_reference
    from bench.machine import describe, load_average
    ref_dir, settings_path = write_reference(out / "henan")
    os.environ["REFERENCE_PATH"] = str(ref_dir)
    os.environ["SETTINGS_PATH"] = str(settings_path)
    # the generated warehouses are DuckDB files, whatever the backend around (make test-ducklake):
    # the lake step moves to the lake itself, side by side with them
    os.environ["WAREHOUSE_BACKEND"] = "duckdb"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    from bench import generate, query_bench
    from warehouse.reference import load_reference

    ref = load_reference()
    machine = describe(out)
    log(f"性能基准：{', '.join(f'{n:,}' for n in args.size_list)} 个项目，每项重复 {args.repeat} 次；"
        f"机器 {machine['cpu']}，{machine['logical_cores']} 核，{machine['ram_gb']:.0f}GB；"
        f"当前负载 {machine['load_average_start']}")
    results: dict = {"generated_at": datetime.now().isoformat(timespec="seconds"), "machine": machine,
                     "args": {"sizes": args.size_list, "repeat": args.repeat, "load_repeat": args.load_repeat,
                              "seed": args.seed, "sample_city": args.sample_city, "cap": args.cap, "views": args.view_list,
                              "skipped": sorted(args.skip_set), "quick": args.quick,
                              "command": "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)},
                     "reference": {"districts": len(ref.districts), "chains": len(ref.chains),
                                   "city": ref.city_name, "sample_city": args.sample_city,
                                   "sample_city_name": _city_name(args.sample_city)},
                     "steps": {}}

    # 1. warehouses ------------------------------------------------------------------------------
    code_print = fingerprint(ROOT / "bench" / "generate.py", ROOT / "bench" / "six_data.py",
                             ROOT / "bench" / "henan.py", ROOT / "bench" / "data" / "henan_areas.csv", ROOT / "warehouse" / "sql",
                             ROOT / "data" / "reference", ROOT / "warehouse" / "reference.py",
                             ROOT / "warehouse" / "derived.py", args.seed)
    warehouses: dict[int, Path] = {}
    results["warehouses"] = {}
    t0 = time.perf_counter()
    for n in args.size_list:
        db = out / f"warehouse_{n}.duckdb"
        stamp = out / f"warehouse_{n}.json"
        info = json.loads(stamp.read_text()) if stamp.exists() and db.exists() else {}
        if info.get("fingerprint") == code_print:
            log(f"仓库 {n:,} 个项目：沿用 {db.name}（生成器与参考数据未变）")
            info["reused"] = True
        else:
            log(f"生成仓库 {n:,} 个项目 → {db.name}")
            g = generate.build_warehouse(db, n, seed=args.seed, ref=ref, progress=log)
            info = {"fingerprint": code_print, "projects": g.projects, "history_rows": g.history_rows,
                    "loads": g.loads, "seconds": g.seconds, "db_bytes": g.db_bytes,
                    "newest_as_of": g.newest_as_of.isoformat(), "six_rows": g.six_rows, "reused": False}
            stamp.write_text(json.dumps(info, ensure_ascii=False, indent=1))
            log(f"  完成：{g.history_rows:,} 行月度快照，{g.db_bytes / 1e6:,.0f}MB，{g.seconds:.0f}s")
        info["db_bytes"] = db.stat().st_size
        results["warehouses"][str(n)] = info
        warehouses[n] = db
    results["steps"]["warehouses"] = time.perf_counter() - t0
    largest = max(args.size_list)

    # 2. loading --------------------------------------------------------------------------------
    if "loading" not in args.skip_set:
        t0 = time.perf_counter()
        results["loading"] = run_loading(args, out, ref, warehouses, env, code_print)
        results["steps"]["loading"] = time.perf_counter() - t0
    if "ledger200k" not in args.skip_set:
        t0 = time.perf_counter()
        results["ledger200k"] = run_ledger200k(args)
        results["steps"]["ledger200k"] = time.perf_counter() - t0

    # 3. queries --------------------------------------------------------------------------------
    if "queries" not in args.skip_set:
        t0 = time.perf_counter()
        results["queries"] = {}
        for n in args.size_list:
            log(f"页面查询：{n:,} 个项目")
            results["queries"][str(n)] = query_bench.run(warehouses[n], repeat=args.repeat,
                                                         sample_city=args.sample_city, cap=args.cap,
                                                         progress=log, label=_short(n), views=args.view_list)
        results["steps"]["queries"] = time.perf_counter() - t0

    # 3b. the same on DuckLake over PostgreSQL, side by side ---------------------------------------
    if "lake" not in args.skip_set:
        from bench import lake

        t0 = time.perf_counter()
        results["lake"] = lake.run(args, out, ref, warehouses, env, results.get("queries"), progress=log)
        results["steps"]["lake"] = time.perf_counter() - t0

    # 4. the app's memory -------------------------------------------------------------------------
    if "app" not in args.skip_set:
        from bench import app_memory
        t0 = time.perf_counter()
        log(f"应用内存：streamlit + Chromium 依次打开每个页面（{largest:,} 个项目）")
        results["app"] = {"projects": largest, **app_memory.run(warehouses[largest], env, out / "screens",
                                                                progress=log)}
        results["steps"]["app"] = time.perf_counter() - t0

    # 5. export ------------------------------------------------------------------------------------
    if "export" not in args.skip_set:
        t0 = time.perf_counter()
        results["export"] = run_export(args, out, warehouses, env)
        results["steps"]["export"] = time.perf_counter() - t0

    results["load_average_end"] = load_average()
    results["total_seconds"] = time.perf_counter() - started
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                      encoding="utf-8")
    from bench.report import write_markdown
    write_markdown(results, Path(args.md))
    log(f"完成，用时 {results['total_seconds'] / 60:.1f} 分钟：{args.md}，{out / 'results.json'}")
    return 0


def _short(n: int) -> str:
    return f"{n // 10000}万" if n >= 10000 and n % 10000 == 0 else f"{n:,}"


def _city_name(code: str) -> str:
    from bench.henan import areas
    return next((a["city_name"] for a in areas() if a["city_code"] == code), code)


def run_loading(args, out: Path, ref, warehouses: dict[int, Path], env: dict, code_print: str) -> dict:
    from bench import consistency, generate, loading
    from bench.ledgers import city_districts, write_sample

    codes = [d.code for d in city_districts(ref, args.sample_city)]
    if not codes:
        raise SystemExit(f"参考数据中没有城市 {args.sample_city} 的县区")
    as_of = generate.month_end(generate.SAMPLE_MONTH)
    layout_print = fingerprint(code_print, ROOT / "bench" / "ledgers.py", ROOT / "etl" / "layouts.py", args.sample_city)
    samples: dict[int, list[Path]] = {}
    plans = {}
    for n in sorted(warehouses):
        folder = out / f"ledgers_{n}_{args.sample_city}"
        stamp = folder / "stamp.json"
        if stamp.exists() and json.loads(stamp.read_text()).get("fingerprint") == layout_print:
            files = [folder / f for f in json.loads(stamp.read_text())["files"]]
            log(f"台账样本 {n:,}：沿用 {folder.name}")
        else:
            log(f"写台账样本（{_city_name(args.sample_city)} {as_of:%Y年%m月}，{n:,} 个项目的仓库）→ {folder.name}")
            if folder.exists():
                for f in sorted(folder.rglob("*"), reverse=True):
                    f.unlink() if f.is_file() else f.rmdir()
            plans[n] = generate.plan_projects(ref, n, args.seed)
            files = write_sample(folder, ref, plans[n], args.sample_city, seed=args.seed)
            stamp.write_text(json.dumps({"fingerprint": layout_print,
                                         "files": [str(f.relative_to(folder)) for f in files]}, ensure_ascii=False))
        samples[n] = files
    largest = max(warehouses)
    scratch = out / "scratch"
    result: dict = {"as_of": as_of.isoformat(), "city": _city_name(args.sample_city)}

    log(f"入库（空仓库）：{len(samples[largest])} 个文件，与 calamine 裸读、pandas+openpyxl 脚本同轮交替，"
        f"各 {args.load_repeat} 轮")
    kept = out / "loaded_sample.duckdb"
    kept.unlink(missing_ok=True)
    result["fresh"] = loading.fresh_load(samples[largest], as_of, args.load_repeat, env, scratch, progress=log,
                                         keep=kept)
    result["fresh"]["projects"] = largest

    log("一致性：生成的仓库与入库程序写出的仓库")
    plan = plans.get(largest)
    if plan is None:
        plan = generate.plan_projects(ref, largest, args.seed)
    result["consistency"] = {
        "schema": consistency.compare_schema(warehouses[largest], kept),
        "values": consistency.compare_values(kept, ref, plan, generate.SAMPLE_MONTH, codes),
        "current_projects": min(warehouses),
    }
    if min(warehouses) <= 200_000:      # the loader's refresh over every project of a copy: fine when small
        result["consistency"]["current"] = consistency.compare_current(warehouses[min(warehouses)],
                                                                       scratch / "current_check.duckdb")
    else:
        result["consistency"]["current"] = {"same": None, "skipped": "smallest warehouse over 200,000 projects"}
    c = result["consistency"]
    log(f"  表结构相同：{c['schema']['same']}；样本逐行比较 {c['values']['matched']:,} 行，"
        f"不一致列：{c['values']['mismatches'] or '无'}；当前状态与入库程序的 SQL 相同：{c['current']['same']}")

    result["incremental"] = {}
    for n in sorted(warehouses):
        reps = max(1, min(args.load_repeat, 2 if n == largest and n >= 500_000 else 3))
        log(f"入库（{n:,} 个项目的仓库，下一个月）：{len(samples[n])} 个文件，{reps} 次")
        result["incremental"][str(n)] = loading.incremental_load(warehouses[n], samples[n], as_of, reps, env,
                                                                 scratch, progress=log)
    return result


def run_ledger200k(args) -> dict:
    """bench/ledger_200k.py as it is (the configured city's reference), in a clean environment."""
    repeat = 2 if args.quick else max(1, min(args.repeat, 5))
    log(f"20万行台账（bench/ledger_200k.py）：{repeat} 次")
    env = {k: v for k, v in os.environ.items() if k not in ("REFERENCE_PATH", "SETTINGS_PATH")}
    env["PYTHONPATH"] = str(ROOT)
    code = ("import json, sys; from bench.ledger_200k import measure; "
            f"print(json.dumps(measure(200_000, {repeat})))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        return {"error": r.stderr[-1500:]}
    doc = json.loads(r.stdout.strip().splitlines()[-1])
    log(f"  裸读 {doc['bare_median']:.2f}s，入库 {doc['loader_median']:.2f}s，比值 {doc['ratio']:.2f}")
    return doc


def run_export(args, out: Path, warehouses: dict[int, Path], env: dict) -> dict:
    """The weekly deck two ways: warm inside one process as the app makes it (bench/deck.py's
    build_once after the chart renderer has started), and the command a scheduled job runs
    (`python -m report slides`, a whole process, after one warm-up run for the OS caches)."""
    from bench.loading import run_process
    from bench.stats import summary

    if not (ROOT / "report" / "__main__.py").exists():
        return {"not_measured": "report package not present"}
    result = {}
    repeat = 2 if args.quick else max(1, min(args.repeat, 5))
    for n in sorted({min(warehouses), max(warehouses)}):
        entry: dict = {}
        if (ROOT / "bench" / "deck.py").exists():
            log(f"周例会PPT（{n:,} 个项目，进程内、渲染器已启动）：{repeat} 次")
            r = run_process([sys.executable, "-m", "bench.export_bench", str(warehouses[n]), str(repeat)], env,
                            timeout=args.export_timeout)
            if r["returncode"] == 0 and not r["timeout"]:
                doc = json.loads(r["stdout"].strip().splitlines()[-1])
                entry["in_app"] = {**doc, "seconds": summary(doc["warm"] or [doc["first"]]), "warm_runs": len(doc["warm"]),
                                   "peak_rss_mb": r["rss_mb"]}
                log(f"  {doc['slides']} 页，渲染器启动 {doc['renderer_start']:.1f}s，首次 {doc['first']:.1f}s，"
                    f"预热后中位 {entry['in_app']['seconds']['median']:.1f}s")
            else:
                entry["in_app"] = {"failed": "timeout" if r["timeout"] else r["stderr"][-300:],
                                   "seconds_spent": r["seconds"]}
                log(f"  失败或超时（{r['seconds']:.0f}s）")
        deck = out / "scratch" / f"deck_{n}.pptx"
        deck.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "report", "slides", "--out", str(deck), "--db", str(warehouses[n])]
        log(f"周例会PPT（{n:,} 个项目，命令行 python -m report slides）：预热一次")
        first = run_process(cmd, env, timeout=args.export_timeout)
        cli: dict = {"warmup_seconds": first["seconds"], "returncode": first["returncode"],
                     "timeout": first["timeout"], "message": (first["stdout"] + first["stderr"]).strip()[-300:]}
        if first["returncode"] == 0 and not first["timeout"]:
            cli["bytes"] = deck.stat().st_size
            cli["slides"] = _slides(deck)
            reps = 0 if first["seconds"] > 120 else (1 if args.quick else 2)
            times = [run_process(cmd, env, timeout=args.export_timeout)["seconds"] for _ in range(reps)]
            cli["seconds"] = summary(times or [first["seconds"]])
            cli["warm"] = bool(times)
            cli["peak_rss_mb"] = first["rss_mb"]
            log(f"  {cli['slides']} 页，{cli['seconds']['median']:.1f}s")
        else:
            log(f"  失败或超时：{cli['message'][-200:]}")
        entry["cli"] = cli
        result[str(n)] = entry
        deck.unlink(missing_ok=True)
    return result


def _slides(path: Path) -> int | None:
    try:
        from pptx import Presentation
        return len(Presentation(str(path)).slides)
    except Exception:
        return None


if __name__ == "__main__":
    sys.exit(main())
