"""Load: parsed ledgers → the warehouse, one transaction per file.

A file loads completely or not at all: its load row, project rows, rejected and skipped rows,
warnings and the refreshed current state of the projects it touches are written in a single
DuckDB transaction. Parsing happens before the warehouse is opened, so the write lock is held
only for the insert (the dashboard keeps reading meanwhile).
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.kinds import DATA_TABLES, KINDS
from etl.store import refresh_current
from etl.read import SPREADSHEET_SUFFIXES, RefusedFile, read_workbook
from warehouse import db as wdb
from warehouse.reference import Reference, load_reference, write_reference_tables
from warehouse.settings import warehouse_path


@dataclass
class FileResult:
    path: str
    status: str                      # loaded / unchanged / refused
    message: str | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_skipped: int = 0
    rows_rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    preview: pl.DataFrame | None = None
    as_of: date | None = None
    load_id: int | None = None

    def as_json(self) -> dict:
        return {"path": self.path, "status": self.status, "message": self.message,
                "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
                "warnings": self.warnings}


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and every spreadsheet below a folder (sorted, office lock files skipped)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SPREADSHEET_SUFFIXES
                              and not f.name.startswith(("~$", ".~"))))
        else:
            out.append(p)
    return out


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_file(path: Path, ref: Reference, as_of: date | None, file_name: str | None = None):
    """Read a file and parse it as the first kind (etl.kinds.KINDS) that recognises its content."""
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise RefusedFile(f"不支持的文件类型“{path.suffix or '无扩展名'}”，请上传 .xlsx、.xlsm、.xls 或 .csv 文件。")
    wb = read_workbook(path)
    for kind in KINDS:
        if kind.claims(wb, ref):
            return kind.parse(wb, ref, as_of=as_of, file_name=file_name)
    raise RefusedFile("无法识别文件内容：既不是项目台账，也不是目标任务表或指标完成情况表。")


def _summary(parsed) -> str:
    return (f"数据日期{parsed.as_of.isoformat()}（{parsed.as_of_source}）：读取{parsed.rows_read}行，"
            f"入库{parsed.rows_loaded}{getattr(parsed, 'row_noun', '行')}，跳过{parsed.rows_skipped}行，"
            f"拒收{parsed.rows_rejected}行。")


def _warning_texts(parsed) -> list[str]:
    return [msg for _, _, msg in parsed.warnings]


def load_files(paths: list[Path], *, db: str | Path | None = None, as_of: date | None = None,
               dry_run: bool = False, names: dict[Path, str] | None = None,
               progress=None) -> list[FileResult]:
    """Load each file (or folder) into the warehouse. `names` maps a temporary upload path to the
    file name the person chose (the browser upload); `progress(i, n, path)` is called per file.

    Files are read and parsed one ahead on a worker thread while this thread writes the one
    before (calamine, polars and DuckDB all release the GIL): file i+1 is parsed while file i is
    written. Writes stay in order, one transaction per file. The warehouse is opened for writing
    only once the first file is parsed, so the dashboard is not kept waiting while it is read."""
    ref = load_reference()
    files = expand_paths([Path(p) for p in paths])
    known = {} if dry_run else _known_contents(db)
    results = []
    writer = _Writer(db)
    ahead: deque[_Pending] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as pool:
        def start(i: int) -> None:
            path = files[i]
            name = (names or {}).get(path, path.name)
            try:
                digest = file_hash(path)
            except OSError:
                digest = None
            parsing = None
            if digest is not None and digest not in known:
                parsing = pool.submit(_parse_safely, path, ref, as_of, name)
            ahead.append(_Pending(path, name, digest, parsing))

        try:
            if files:
                start(0)
            for i in range(len(files)):
                if i + 1 < len(files):
                    start(i + 1)
                pending = ahead.popleft()
                if progress:
                    progress(i, len(files), pending.path)
                results.append(_load_one(pending, ref, known, writer=writer, dry_run=dry_run))
                writer.breathe()
        finally:
            for pending in ahead:
                if pending.parsing is not None:
                    pending.parsing.cancel()
            writer.close()
    return results


@dataclass
class _Pending:
    path: Path
    name: str
    digest: str | None
    parsing: Future | None           # → the parsed file, or the exception that refused it


def _parse_safely(path: Path, ref: Reference, as_of, name: str):
    try:
        return parse_file(path, ref, as_of, file_name=name)
    except Exception as exc:          # handed to the writing thread, which turns it into a refusal
        return exc


def _known_contents(db) -> dict[str, tuple]:
    """content hash → (load_id, loaded_at) of every loaded file, read before the batch starts, so
    that unchanged files are not even parsed (the writing thread checks again before writing)."""
    if not warehouse_path(db).exists():
        return {}
    try:
        with wdb.reading(db) as con:
            return {h: (i, t) for h, i, t in con.execute(
                "SELECT content_hash, max(load_id), max(loaded_at) FROM loads WHERE status = 'loaded' "
                "GROUP BY content_hash").fetchall()}
    except duckdb.Error:
        return {}


class _Writer:
    """One write connection shared by the files of a batch (opening and checkpointing per file
    costs more than loading a small ledger), handed back at least every RELEASE_SECONDS between
    files so that the dashboard's read-only connections get their turn."""

    RELEASE_SECONDS = 1.0

    def __init__(self, db):
        self.db = db
        self.con = None
        self.opened = 0.0

    def get(self):
        if self.con is None:
            self.con = wdb.connect(self.db)
            self.opened = time.monotonic()
        return self.con

    def breathe(self) -> None:
        if self.con is not None and time.monotonic() - self.opened > self.RELEASE_SECONDS:
            self.close()

    def close(self) -> None:
        if self.con is not None:
            try:
                self.con.close()
            except duckdb.Error:
                pass
            self.con = None


def _unchanged(path: Path, name: str, previous: tuple) -> FileResult:
    return FileResult(str(path), "unchanged", f"{name}：内容与{previous[1]:%Y-%m-%d %H:%M}入库的版本相同，未作改动。",
                      load_id=previous[0])


def _load_one(pending: _Pending, ref: Reference, known: dict, *, writer: _Writer, dry_run) -> FileResult:
    path, name, digest = pending.path, pending.name, pending.digest
    if digest is None:
        return FileResult(str(path), "refused", f"{name}：找不到该文件或无权读取。")
    if not dry_run:
        previous = known.get(digest) or _previous_load(writer, digest)
        if previous is not None:
            return _unchanged(path, name, previous)
    parsed = pending.parsing.result()
    if isinstance(parsed, RefusedFile):
        if not dry_run:
            _record_refusal(writer, path, name, digest, str(parsed))
        return FileResult(str(path), "refused", f"{name}：{parsed}")
    if isinstance(parsed, Exception):  # a reader bug must not become a traceback in front of a person
        message = f"{name}：读取时出现意外错误，文件未入库（{type(parsed).__name__}）。请将文件发给系统管理员。"
        if not dry_run:
            _record_refusal(writer, path, name, digest, message)
        return FileResult(str(path), "refused", message)

    result = FileResult(str(path), "loaded", f"{name}：{_summary(parsed)}", rows_read=parsed.rows_read,
                        rows_loaded=parsed.rows_loaded, rows_skipped=parsed.rows_skipped,
                        rows_rejected=parsed.rows_rejected, warnings=_warning_texts(parsed),
                        rejected=parsed.rejected, as_of=parsed.as_of)
    if dry_run:
        result.preview = parsed.preview
        return result
    try:
        result.load_id = write_parsed(parsed, path, name, digest, ref, con=writer.get())
    except duckdb.Error as exc:
        writer.close()   # after a failed write (a full disk) start again from what is on disk
        text = str(exc)
        reason = "磁盘空间不足" if ("space" in text.lower() or "No space" in text) else "写入仓库失败"
        return FileResult(str(path), "refused", f"{name}：{reason}，文件未入库，仓库保持原状。（{text[:200]}）")
    return result


PREVIOUS_LOAD_SQL = ("SELECT load_id, loaded_at FROM loads WHERE content_hash = ? AND status = 'loaded' "
                     "ORDER BY load_id DESC LIMIT 1")


def _previous_load(writer: _Writer, digest: str):
    """Was this content loaded before? Asked on the open write connection, or on a short read-only
    one so that the write lock is not taken just to find out."""
    if writer.con is not None:
        return writer.con.execute(PREVIOUS_LOAD_SQL, [digest]).fetchone()
    with wdb.reading(writer.db) as con:
        return con.execute(PREVIOUS_LOAD_SQL, [digest]).fetchone()


def _record_refusal(writer: _Writer, path: Path, name: str, digest: str, message: str) -> None:
    """A refused file leaves the data as it was; only its line in the audit log is added."""
    try:
        writer.get().execute(
            "INSERT INTO loads (load_id, file_name, file_path, content_hash, kind, status, message, loaded_at) "
            "VALUES (nextval('load_id_seq'), ?, ?, ?, NULL, 'refused', ?, ?)",
            [name, str(path), digest, message, datetime.now()])
    except duckdb.Error:
        writer.close()


def write_parsed(parsed, path: Path, name: str, digest: str, ref: Reference, *, con) -> int:
    """One transaction: audit row, the kind's own rows, rejected/skipped rows, warnings, and the
    current state of every project touched. A newer file with the same name and as-of date
    supersedes the older one (a district re-sending a corrected ledger)."""
    try:
        con.execute("BEGIN TRANSACTION")
        write_reference_tables(con, ref)
        load_id = con.execute("SELECT nextval('load_id_seq')").fetchone()[0]
        superseded = [int(r[0]) for r in con.execute(
            "SELECT load_id FROM loads WHERE file_name = ? AND as_of = ? AND status = 'loaded'",
            [name, parsed.as_of]).fetchall()]
        full = pl.DataFrame({"project_id": []}, schema={"project_id": pl.String})
        if superseded:
            ids = ", ".join(map(str, superseded))   # integers from the table: literal, so zone maps prune
            full = con.execute(f"SELECT DISTINCT project_id FROM project_rows WHERE load_id IN ({ids})").pl()
            for table in DATA_TABLES:
                con.execute(f"DELETE FROM {table} WHERE load_id IN ({ids})")
            con.execute(f"UPDATE loads SET status = 'superseded', message = message || ? WHERE load_id IN ({ids})",
                        [f"（已被第{load_id}次入库的新版本替代）"])
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, name, str(path), digest, parsed.kind, _summary(parsed), parsed.as_of,
             parsed.as_of_source, datetime.now(), parsed.rows_read, parsed.rows_loaded,
             parsed.rows_skipped, parsed.rows_rejected, _warning_texts(parsed)])
        needs_full = parsed.store(con, load_id, name, full)
        if parsed.rejected:
            con.executemany("INSERT INTO rejected_rows VALUES (?, ?, ?, ?, ?, ?)",
                            [(load_id, name, r["source_sheet"], r["source_row"], r["reason"], r["raw_values"])
                             for r in parsed.rejected])
        if parsed.skipped:
            con.executemany("INSERT INTO skipped_rows VALUES (?, ?, ?, ?, ?)",
                            [(load_id, r["source_sheet"], r["source_row"], r["reason"], r["raw_values"])
                             for r in parsed.skipped])
        if parsed.warnings:
            con.executemany("INSERT INTO load_warnings VALUES (?, ?, ?, ?)",
                            [(load_id, sheet, kind, msg) for sheet, kind, msg in parsed.warnings])
        refresh_current(con, pl.concat([full, needs_full], how="vertical_relaxed"))
        con.execute("COMMIT")
        return load_id
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
