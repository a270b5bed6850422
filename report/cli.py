"""python -m report: meeting material from the command line (for a scheduled job).

    python -m report slides --out 周例会.pptx [--db FILE] [--district 郾城区 …] [--chain 肉制品 …] [--as-of 2025-06-30]
    python -m report page overview --out 总览.pptx [same filters]
    python -m report excel --out 预警督办清单.xlsx --list stalled [same filters]

Exit status: 0 written, 1 the warehouse is missing or empty or the file could not be made,
2 usage error (unknown option, bad date, unknown district or chain). Messages are in Chinese.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_MESSAGES = (
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 的取值 \2 无效（可选：\3）"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),
)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        # prefix "" is argparse naming a subcommand's program: leave that alone
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2) and section titles."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        for pattern, replacement in _MESSAGES:
            if re.match(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}：错误：{message}\n")
        sys.exit(EXIT_USAGE)


class UsageError(Exception):
    """A value the warehouse does not know (exit 2)."""


class Failure(Exception):
    """Nothing to report on, or the file could not be made (exit 1)."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效日期（格式 YYYY-MM-DD，例如 2025-06-30）") from None


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="文件", help="输出文件路径")
    p.add_argument("--db", metavar="文件", help="数据仓库文件（默认：环境变量 WAREHOUSE_PATH，或 data/warehouse.duckdb）")
    p.add_argument("--district", action="append", default=[], metavar="县区",
                   help="只统计这些县区；可重复，或用逗号分隔，如 --district 郾城区,源汇区")
    p.add_argument("--chain", action="append", default=[], metavar="产业链",
                   help="只统计这些产业链；可重复，或用逗号分隔")
    p.add_argument("--as-of", type=_iso_date, metavar="YYYY-MM-DD",
                   help="统计截止日期：统计当年1月1日至该日（默认：最新台账日期）")


def build_parser() -> argparse.ArgumentParser:
    from pages import report_pages

    parser = ChineseArgumentParser(prog="python -m report", description="生成会议材料：周例会PPT、页面PPT、Excel清单。")
    sub = parser.add_subparsers(dest="command", title="命令", metavar="命令", parser_class=ChineseArgumentParser)
    sub.required = True
    slides = sub.add_parser("slides", help="周例会PPT（总体情况、县区、产业链、目标任务、三个一批、预警项目）",
                            description="生成招商引资工作周例会PPT（16:9）。\n例：python -m report slides --out 周例会.pptx")
    _add_filters(slides)
    page = sub.add_parser("page", help="某个页面的PPT", description="生成某个页面的PPT（16:9）。\n"
                          "例：python -m report page chains --out 产业链.pptx")
    page.add_argument("page", choices=[p.key for p in report_pages()], metavar="页面",
                      help="页面：" + "、".join(f"{p.key}（{p.deck}）" for p in report_pages()))
    _add_filters(page)
    excel = sub.add_parser("excel", help="项目清单或预警督办清单（Excel）",
                           description="导出 Excel 清单。\n例：python -m report excel --list stalled --out 预警督办清单.xlsx")
    excel.add_argument("--list", dest="list_name", choices=["projects", "stalled"], default="projects",
                       metavar="清单", help="projects：项目台账（默认）；stalled：预警督办清单")
    _add_filters(excel)
    return parser


def _split(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        for part in re.split(r"[,，、]", v):
            if part.strip() and part.strip() not in out:
                out.append(part.strip())
    return tuple(out)


def _filters(con, args):
    """Filters from the options; unknown districts/chains are a usage error."""
    from warehouse.filters import Filters
    from warehouse.freshness import newest_as_of
    from warehouse.options import filter_options

    opts = filter_options(con)
    districts, chains = _split(args.district), _split(args.chain)
    for label, values, known in (("县区", districts, opts.districts), ("产业链", chains, opts.chains)):
        unknown = [v for v in values if v not in known]
        if unknown:
            raise UsageError(f"未知{label}：{'、'.join(unknown)}。可选：{'、'.join(known)}")
    end = args.as_of or newest_as_of(con)
    return Filters(districts=districts, chains=chains, date_from=date(end.year, 1, 1), date_to=end), end


def _warehouse(db: str | None) -> Path:
    from warehouse.db import exists
    from warehouse.settings import warehouse_path

    path = warehouse_path(db)
    if not exists(path):
        raise Failure(f"数据仓库不存在：{path}。请先导入台账（python -m etl load 台账文件夹），"
                      "或用 --db 指定数据仓库文件。")
    return path


def _require_data(con, path: Path) -> None:
    from warehouse.freshness import data_status

    try:
        empty = data_status(con)["empty"]
    except Exception as exc:  # noqa: BLE001 - not a warehouse, or a broken one
        raise Failure(f"无法读取数据仓库 {path}：{exc}") from exc
    if empty:
        raise Failure(f"数据仓库 {path} 中还没有项目台账，无法生成材料。请先导入台账：python -m etl load 台账文件夹")


def _write_atomically(out: Path, data: bytes) -> None:
    """A scheduled job never leaves half a file: write beside it, then rename."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=out.suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes it private; a handout is not
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _make(args) -> tuple[bytes, str]:
    import duckdb

    import pages
    from report.describe import filters_text
    from warehouse.db import reading

    path = _warehouse(args.db)
    try:
        with reading(path) as con:
            _require_data(con, path)
            f, end = _filters(con, args)
            if args.command == "excel":
                return _excel(con, f, args.list_name, filters_text(f)), "Excel 清单"
            deck = (pages.weekly_deck(con, f, end) if args.command == "slides"
                    else pages.page_deck(con, args.page, f))
    except duckdb.Error as exc:
        raise Failure(f"无法读取数据仓库 {path}：{exc}") from exc
    data = deck.to_bytes()     # the charts render here, with the warehouse closed again
    return data, f"{len(deck.slides)}页"


def _excel(con, f, list_name: str, subtitle: str) -> bytes:
    from report.excel import xlsx_bytes
    from warehouse import ledger, stalls

    if list_name == "stalled":
        n, m = stalls.stall_months()
        return xlsx_bytes([("预警项目", stalls.stalled_projects(con, f)),
                           ("按县区", stalls.stalled_summary(con, f, "district")),
                           ("按责任单位", stalls.stalled_summary(con, f, "responsible_unit"))],
                          title=f"预警督办清单（签约超{n}个月未开工、开工超{m}个月未投产）", subtitle=subtitle)
    return xlsx_bytes([("项目台账", ledger.project_list(con, f, limit=ledger.EXCEL_MAX_ROWS))],
                      title="项目台账", subtitle=subtitle)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        data, what = _make(args)
        out = Path(args.out)
        _write_atomically(out, data)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except Failure as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"错误：无法写入 {args.out}：{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a scheduled job needs a message, not a traceback
        from report.render import RenderError

        if isinstance(exc, RenderError):
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_FAILED
        raise
    print(f"已生成：{out}（{what}，用时{time.perf_counter() - started:.1f}秒）")
    return EXIT_OK
