"""Command line: python -m etl load|demo|template. Thin: argument parsing, then calls into etl.load."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path

STATUS_MARK = {"loaded": "已入库", "unchanged": "未变化", "refused": "已拒收"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: exit status 2, in Chinese
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n")


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD，收到“{text}”") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m etl", description="招商引资台账入库工具")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    load = sub.add_parser("load", help="把台账文件或文件夹载入仓库",
                          description="载入 .xlsx/.xlsm/.xls/.csv 台账（文件夹则载入其下所有台账）。"
                                      "例：python -m etl load data/ledgers/ --as-of 2024-06-30")
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    load.add_argument("--db", help="仓库文件（默认 data/warehouse.duckdb，或环境变量 WAREHOUSE_PATH）")
    load.add_argument("--as-of", type=_as_of, help="数据日期 YYYY-MM-DD（默认取台账标题、文件名或修改时间）")
    load.add_argument("--json", action="store_true", help="只在标准输出打印一个JSON结果")

    demo = sub.add_parser("demo", help="生成漯河市演示数据并载入仓库",
                          description="在 data/demo/ 生成演示台账并载入。例：python -m etl demo")
    demo.add_argument("--db", help="仓库文件（默认同 load）")
    demo.add_argument("--out", type=Path, help="演示台账目录（默认 data/demo）")

    template = sub.add_parser("template", help="生成空白台账模板（含下拉选项和填报说明）",
                              description="例：python -m etl template 台账模板.xlsx")
    template.add_argument("out", type=Path, metavar="OUT.xlsx")
    return parser


def _progress_bar(enabled: bool):
    if not enabled:
        return None, None
    from tqdm import tqdm

    bar = {"bar": None}

    def progress(i: int, n: int, path: Path):
        if bar["bar"] is None:
            bar["bar"] = tqdm(total=n, unit="个文件", file=sys.stderr, dynamic_ncols=True)
        elif i:
            bar["bar"].update(1)
        bar["bar"].set_postfix_str(path.name[-40:])

    def close():
        if bar["bar"] is not None:
            bar["bar"].update(1)
            bar["bar"].close()

    return progress, close


def print_results(results, stream=sys.stdout) -> None:
    for r in results:
        print(f"[{STATUS_MARK[r.status]}] {r.message}", file=stream)
        for w in r.warnings:
            print(f"    提示：{w}", file=stream)
        for rej in r.rejected[:10]:
            print(f"    拒收：{rej['source_sheet']} 第{rej['source_row']}行 — {rej['reason']}", file=stream)
        if len(r.rejected) > 10:
            print(f"    ……另有{len(r.rejected) - 10}行被拒收，详见“数据管理”页面。", file=stream)
    counts = {s: sum(r.status == s for r in results) for s in STATUS_MARK}
    print(f"共{len(results)}个文件：已入库{counts['loaded']}个，未变化{counts['unchanged']}个，已拒收{counts['refused']}个。",
          file=stream)


CLI_USER = "命令行"     # loads.loaded_by of a load from the command line


@contextlib.contextmanager
def _stdout_kept_for_json():
    """While files are loaded, whatever writes to fd 1 (a library's warnings) goes to stderr, so
    that stdout carries the one JSON object only."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def cmd_load(args) -> int:
    from etl.load import load_files

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"参数错误：找不到 {'、'.join(missing)}", file=sys.stderr)
        return 2
    progress, close = _progress_bar(not args.json and sys.stderr.isatty())
    error = None
    try:
        with _stdout_kept_for_json() if args.json else contextlib.nullcontext():
            results = load_files(args.paths, db=args.db, as_of=args.as_of, progress=progress, user=CLI_USER)
    except Exception as exc:      # the warehouse cannot be opened, …: a message, never a traceback
        results, error = [], f"入库未能完成：{str(exc).rstrip('。')}。请检查仓库文件（--db）是否可写、是否被其他程序占用后重试。"
    if close:
        close()
    if args.json:
        out = {"files": [r.as_json() for r in results]}
        if error:
            out["error"] = error
        json.dump(out, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_results(results)
        if error:
            print(error, file=sys.stderr)
    return 1 if error or any(r.status == "refused" for r in results) else 0


def cmd_demo(args) -> int:
    from etl.demo import generate_demo
    from etl.load import load_files
    from warehouse.settings import DATA_DIR, warehouse_path

    out = args.out or DATA_DIR / "demo"
    print(f"正在生成演示台账到 {out} …", file=sys.stderr)
    files = generate_demo(out)
    progress, close = _progress_bar(sys.stderr.isatty())
    results = load_files([out], db=args.db, progress=progress)
    if close:
        close()
    loaded = sum(r.status == "loaded" for r in results)
    rows = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    from etl.demo.scores import add_demo_scores

    add_demo_scores(args.db)            # the 考评 entries a clerk would type (服务保障 …)
    print(f"演示数据：{len(files)}个台账文件，新入库{loaded}个，共{rows}个项目行，拒收{rejected}行（演示用的问题行）。"
          f"仓库：{warehouse_path(args.db)}")
    return 1 if any(r.status == "refused" for r in results) else 0


def cmd_template(args) -> int:
    from etl.template import write_template

    path = write_template(args.out)
    print(f"已生成台账模板：{path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return {"load": cmd_load, "demo": cmd_demo, "template": cmd_template}[args.command](args)
