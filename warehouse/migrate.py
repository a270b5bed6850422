"""Move a warehouse between the two backends, exactly: a city's DuckDB file into a lake (when the
province takes it over) and a lake back into a DuckDB file (a city's own copy, an archive).

    python -m warehouse migrate --to ducklake --file data/warehouse.duckdb
    python -m warehouse migrate --to duckdb --file 备份.duckdb

One DuckDB instance does the copy, table by table in one transaction (the lake's own instance,
with the file attached): a copy that fails leaves the target as it was. The target must be empty
(a copy is never merged into other data). Afterwards every table is compared on both sides: its
row count, a fingerprint of all its rows (the sum of the rows' hashes) and the sum of every
number column; the id sequences continue after the largest id copied, and the districts'
submitted files move with the rows that name them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import db, lake as ducklake, settings

SEQUENCE_OF = {"load_id_seq": ("loads", "load_id"), "audit_id_seq": ("audit_log", "audit_id"),
               "submission_id_seq": ("submissions", "submission_id"), "score_input_seq": ("score_inputs", "input_id")}
NUMERIC = ("DECIMAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT")   # exact sums (a DOUBLE sum depends on the order)
ATTACHED = "migration_file"


class MigrationError(Exception):
    """Why a migration was not done (Chinese, for the person running it)."""


@dataclass
class Result:
    tables: dict[str, int] = field(default_factory=dict)          # table → rows copied
    checked: dict[str, tuple] = field(default_factory=dict)       # table → (rows, fingerprint, sums)
    files: int = 0

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return (f"已迁移{len(self.tables)}张表、共{rows:,}行，两边逐表核对行数、全部行的指纹与金额合计一致；"
                f"随行迁移已上报文件{self.files}个。")


def tables_of(con, catalog: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "ORDER BY table_name", [catalog]).fetchall()]


def _columns(con, catalog: str, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ? ORDER BY column_name", [catalog, table]).fetchall()]


def fingerprint(con, catalog: str, table: str) -> tuple:
    """(rows, sum of the rows' hashes, sum of each number column): equal on both sides of an exact copy."""
    cols = _columns(con, catalog, table)
    packed = ", ".join(f'"{c}" := "{c}"' for c, _ in cols)
    sums = [f'sum("{c}")' for c, t in cols if t.startswith(NUMERIC)]
    row = con.execute(f'SELECT count(*), coalesce(sum(hash(struct_pack({packed})))::HUGEINT, 0)'
                      f'{"".join(", " + s for s in sums)} FROM "{catalog}".main."{table}"').fetchone()
    return tuple(str(v) for v in row)


def _data_rows(con, catalog: str) -> int:
    present = set(tables_of(con, catalog))
    return sum(con.execute(f'SELECT count(*) FROM "{catalog}".main."{t}"').fetchone()[0]
               for t in ("loads", "accounts", "audit_log", "project_rows") if t in present)


def _copy(con, source: str, target: str, result: Result) -> None:
    tables = [t for t in tables_of(con, source) if t in set(tables_of(con, target))]

    def work(con):
        for table in tables:
            order = f" ORDER BY {ducklake.SORTED[table]}" if table in ducklake.SORTED else ""
            where = " WHERE key <> 'schema'" if table == "meta" else ""
            if table == "meta":
                con.execute(f"DELETE FROM \"{target}\".main.meta WHERE key <> 'schema'")
            else:
                con.execute(f'DELETE FROM "{target}".main."{table}"')
            con.execute(f'INSERT INTO "{target}".main."{table}" BY NAME '
                        f'SELECT * FROM "{source}".main."{table}"{where}{order}')
            result.tables[table] = con.execute(f'SELECT count(*) FROM "{source}".main."{table}"{where}').fetchone()[0]

    db.transact(con, work)


def _check(con, source: str, target: str, result: Result) -> None:
    wrong = []
    for table in result.tables:
        if table == "meta":
            continue
        a, b = fingerprint(con, source, table), fingerprint(con, target, table)
        if a != b:
            wrong.append(f"{table}（源：{a[0]}行，目标：{b[0]}行）")
        result.checked[table] = a
    if wrong:
        raise MigrationError("迁移后核对不一致：" + "；".join(wrong) + "。请勿使用目标仓库，并把此信息发给系统管理员。")


def _move_files(con, target: str, old_dir: Path, new_dir: Path, result: Result) -> None:
    """The districts' submitted files, into the target's folder; their rows point there."""
    rows = con.execute(f'SELECT submission_id, stored_path FROM "{target}".main.submissions').fetchall()
    moved = []
    for sid, stored in rows:
        src = Path(stored)
        if not src.exists():
            continue
        dst = new_dir / "submissions" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.resolve() != dst.resolve():
            shutil.copy2(src, dst)
        moved.append((str(dst), sid))
    if moved and old_dir.resolve() != new_dir.resolve():
        db.transact(con, lambda c: c.executemany(
            f'UPDATE "{target}".main.submissions SET stored_path = ? WHERE submission_id = ?', moved))
    result.files = len(moved)


def _refuse_if_full(con, catalog: str, what: str) -> None:
    if _data_rows(con, catalog):
        raise MigrationError(f"{what}已有数据（台账、账号或操作日志），迁移只写入空的数据仓库，以免两份数据混在一起。"
                             "请换一个新的目标，或先确认目标可以清空。")


def to_lake(file: str | Path, lake_name: str | Path | None = None) -> Result:
    """The DuckDB file `file` → the lake (the deployment's, or the one `lake_name` names)."""
    file = Path(file)
    if not db.exists(file, "duckdb"):
        raise MigrationError(f"找不到数据仓库文件 {file}。")

    def attached(con):
        con.execute(f"ATTACH '{_quoted(file)}' AS {ATTACHED} (READ_ONLY)")
        return ATTACHED, lambda: con.execute(f"DETACH {ATTACHED}")

    return _into_lake(lake_name, attached, db.files_dir(file, "duckdb"))


def lake_copy(source: str | Path, target: str | Path) -> Result:
    """One lake → another, empty one in the same catalog (a test's or a training's own copy)."""
    if not db.exists(source, "ducklake"):
        raise MigrationError("源数据湖中还没有数据仓库，没有可复制的内容。")

    def attached(con):
        return con.instance.alias(settings.lake(source)), lambda: None

    return _into_lake(target, attached, db.files_dir(source, "ducklake"))


def _into_lake(lake_name, attach, source_files: Path) -> Result:
    con = db.connect(lake_name, backend_name="ducklake")
    lake_cat = con.execute("SELECT current_database()").fetchone()[0]
    result = Result()
    try:
        _refuse_if_full(con, lake_cat, "目标数据湖")
        source, detach = attach(con)
        try:
            _copy(con, source, lake_cat, result)
            _check(con, source, lake_cat, result)
            for sequence, (table, column) in SEQUENCE_OF.items():
                last = con.execute(f'SELECT coalesce(max("{column}"), 0) FROM {table}').fetchone()[0]
                con.instance.set_sequence(con.lake, sequence, int(last))
            _move_files(con, lake_cat, source_files, db.files_dir(lake_name, "ducklake"), result)
        finally:
            detach()
    finally:
        con.close()
    return result


def to_file(file: str | Path, lake_name: str | Path | None = None) -> Result:
    """The lake → a new DuckDB file `file`."""
    file = Path(file)
    if not db.exists(lake_name, "ducklake"):
        raise MigrationError("数据湖中还没有数据仓库，没有可迁移的内容。")
    if file.exists():
        raise MigrationError(f"文件 {file} 已存在：迁移只写入新文件，请换一个文件名。")
    db.connect(file, backend_name="duckdb").close()          # the file with its schema
    con = db.connect(lake_name, backend_name="ducklake")
    lake_cat = con.execute("SELECT current_database()").fetchone()[0]
    result = Result()
    try:
        con.execute(f"ATTACH '{_quoted(file)}' AS {ATTACHED}")
        try:
            _copy(con, lake_cat, ATTACHED, result)
            _check(con, lake_cat, ATTACHED, result)
            _move_files(con, ATTACHED, db.files_dir(lake_name, "ducklake"), db.files_dir(file, "duckdb"), result)
        finally:
            con.execute(f"DETACH {ATTACHED}")
    except BaseException:
        con.close()
        file.unlink(missing_ok=True)
        raise
    con.close()
    with db.writing(file, backend_name="duckdb") as fcon:
        for sequence, (table, column) in SEQUENCE_OF.items():
            last = fcon.execute(f'SELECT coalesce(max("{column}"), 0) FROM {table}').fetchone()[0]
            fcon.execute(f"DROP SEQUENCE IF EXISTS {sequence}")
            fcon.execute(f"CREATE SEQUENCE {sequence} START {int(last) + 1}")
    return result


def _quoted(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
