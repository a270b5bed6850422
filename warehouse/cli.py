"""python -m warehouse migrate | compact — for the people who run the system (README, 省级部署).

    python -m warehouse migrate --to ducklake --file data/warehouse.duckdb   # a city's file → the lake
    python -m warehouse migrate --to duckdb --file 备份.duckdb                # the lake → a new file
    python -m warehouse compact                                               # merge the lake's small files

The lake is the deployment's (WAREHOUSE_BACKEND=ducklake, DUCKLAKE_CATALOG, DUCKLAKE_DATA_PATH, or
[warehouse] in data/settings.toml); --db names another one, as it names a file for `python -m etl`.
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m warehouse", description="数据仓库维护：迁移与整理")
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("migrate", help="在 DuckDB 文件与数据湖（DuckLake）之间完整迁移数据仓库")
    m.add_argument("--to", required=True, choices=("ducklake", "duckdb"), help="迁移到哪种后端")
    m.add_argument("--file", required=True, help="DuckDB 仓库文件：迁往数据湖时为源文件，迁回时为新文件")
    m.add_argument("--db", help="数据湖的名称（默认：本部署的数据湖）")
    c = sub.add_parser("compact", help="整理数据湖：合并小文件、清理不再需要的旧文件")
    c.add_argument("--db", help="数据湖的名称（默认：本部署的数据湖）")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from warehouse import db, migrate

    try:
        if args.command == "compact":
            db.compact(args.db)
            print("数据湖已整理。")
            return 0
        result = (migrate.to_lake if args.to == "ducklake" else migrate.to_file)(args.file, args.db)
    except migrate.MigrationError as exc:
        print(f"未迁移：{exc}", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError) as exc:
        print(f"无法连接数据湖：{exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
