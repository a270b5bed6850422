"""Load: files → the warehouse, one transaction per file. read → normalise → save.

Each file is parsed in a memory-bounded child process (etl/worker.py: read, then the first kind
of etl/kinds.py that recognises it), before the warehouse is opened for writing, so the write lock
is held only for the insert (the dashboard keeps reading meanwhile). This module owns the write:
idempotence (the content hash), the transaction, the `loads` row, the supersede of an earlier
version, the rejected/skipped/warning rows (etl/audit.py), then the kind's own save (etl/save.py).
A file loads completely or not at all.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from etl import audit
from etl.errors import RefusedFile
from etl.kinds import kind_named
from etl.scope import supersedable
from etl.sniff import SPREADSHEET_SUFFIXES
from etl.worker import Job, ParseWorker
from warehouse import db as wdb, derived
from warehouse.reference import Reference, load_reference, write_reference_tables


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


def _summary(parsed) -> str:
    return (f"数据日期{parsed.as_of.isoformat()}（{parsed.as_of_source}）：读取{parsed.rows_read}行，"
            f"入库{parsed.rows_loaded}{getattr(parsed, 'row_noun', '行')}，跳过{parsed.rows_skipped}行，"
            f"拒收{parsed.rows_rejected}行。")


def _warning_texts(parsed) -> list[str]:
    return [msg for _, _, msg in parsed.warnings]


def load_files(paths: list[Path], *, db: str | Path | None = None, as_of: date | None = None,
               dry_run: bool = False, names: dict[Path, str] | None = None, progress=None,
               user: str | None = None, districts: Collection[str] | None = None) -> list[FileResult]:
    """Load each file (or folder) into the warehouse. `names` maps a temporary upload path to the
    file name the person chose (the browser upload); `progress(i, n, path)` is called per file.
    `user` is recorded with each load (loads.loaded_by); `districts` are the district codes the
    uploader may write (None: all — the city's accounts and the command line), see etl/scope.py.

    Files are read and parsed one ahead on a worker thread while this thread writes the one
    before (calamine, polars and DuckDB all release the GIL): file i+1 is parsed while file i is
    written. Writes stay in order, one transaction per file. The warehouse is opened for writing
    only once the first file is parsed, so the dashboard is not kept waiting while it is read."""
    files = expand_paths([Path(p) for p in paths])
    worker = ParseWorker()
    if files:
        worker.start()              # the child imports while this process reads the warehouse
    scope = frozenset(districts) if districts is not None else None
    batch = _Batch(load_reference(), {} if dry_run else _known_contents(db), _Writer(db), dry_run, user, scope)
    writer = batch.writer
    results = []
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
            if digest is not None and digest not in batch.known:
                parsing = pool.submit(_parse_safely, worker, Job(str(path), name, as_of, scope))
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
                results.append(_load_one(pending, batch))
                writer.breathe()
        finally:
            for pending in ahead:
                if pending.parsing is not None:
                    pending.parsing.cancel()
            writer.close()
            worker.close()
    if not dry_run and any(r.status == "loaded" for r in results):
        try:
            wdb.maintain(db)        # a lake's small files merged once there are many
        except Exception as exc:    # the files are loaded and committed: their results stand
            print(f"入库已完成；整理数据湖文件未成功（{exc}），下次入库时会再整理。", file=sys.stderr)
    return results


@dataclass
class _Batch:
    ref: Reference
    known: dict                      # content hash → (load_id, loaded_at) of what is loaded
    writer: "_Writer"
    dry_run: bool
    user: str | None
    scope: frozenset[str] | None


@dataclass
class _Pending:
    path: Path
    name: str
    digest: str | None
    parsing: Future | None           # → the parsed file, or the exception that refused it


def _parse_safely(worker: ParseWorker, job: Job):
    try:
        return worker.parse(job)
    except Exception as exc:          # handed to the writing thread, which turns it into a refusal
        return exc


def _known_contents(db) -> dict[str, tuple]:
    """content hash → (load_id, loaded_at) of every loaded file, read before the batch starts, so
    that unchanged files are not even parsed (the writing thread checks again before writing)."""
    if not wdb.exists(db):
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


def _load_one(pending: _Pending, batch: _Batch) -> FileResult:
    path, name, digest = pending.path, pending.name, pending.digest
    if digest is None:
        return FileResult(str(path), "refused", f"{name}：找不到该文件或无权读取。请确认文件仍在原处，或重新选择文件上传。")
    if not batch.dry_run:
        previous = batch.known.get(digest) or _previous_load(batch.writer, digest)
        if previous is not None:
            return _unchanged(path, name, previous)
    parsed = pending.parsing.result()
    if isinstance(parsed, Exception) and not isinstance(parsed, RefusedFile):
        # a reader bug must not become a traceback in front of a person
        parsed = RefusedFile(f"读取时出现意外错误（{type(parsed).__name__}），文件未入库。"
                             "请用Excel或WPS打开后“另存为”.xlsx再试；仍不行的，请将文件发给系统管理员。")
    try:
        if isinstance(parsed, RefusedFile):
            raise parsed
        if batch.dry_run:
            _preview_scope(parsed, batch)
            return _result(parsed, path, name, preview=True)
        load_id = write_parsed(parsed, path, name, digest, batch.ref, con=batch.writer.get(), user=batch.user,
                               scope=batch.scope)
    except RefusedFile as refusal:
        if not batch.dry_run:
            _record_refusal(batch, path, name, digest, str(refusal))
        return FileResult(str(path), "refused", f"{name}：{refusal}")
    except TimeoutError as busy:        # other loaders held the warehouse past the wait: this file only
        return FileResult(str(path), "refused", f"{name}：{busy}文件未入库，仓库保持原状；"
                                                "本批其余文件照常处理，这一个请稍后重新上传。")
    except duckdb.Error as exc:
        batch.writer.close()   # after a failed write (a full disk) start again from what is on disk
        text = str(exc)
        reason = "磁盘空间不足" if ("space" in text.lower() or "No space" in text) else "写入仓库失败"
        return FileResult(str(path), "refused", f"{name}：{reason}，文件未入库，仓库保持原状。请稍后重试或联系系统管理员。"
                                                f"（{text[:200]}）")
    result = _result(parsed, path, name)
    result.load_id = load_id
    return result


def _result(parsed, path: Path, name: str, preview: bool = False) -> FileResult:
    return FileResult(str(path), "loaded", f"{name}：{_summary(parsed)}", rows_read=parsed.rows_read,
                      rows_loaded=parsed.rows_loaded, rows_skipped=parsed.rows_skipped,
                      rows_rejected=parsed.rows_rejected, warnings=_warning_texts(parsed),
                      rejected=parsed.rejected, as_of=parsed.as_of, preview=parsed.preview if preview else None)


def _preview_scope(parsed, batch: _Batch) -> None:
    """The upload preview applies the account's scope as the load will, against what is loaded now."""
    check = kind_named(parsed.kind).check_scope
    if batch.scope is None or check is None:
        return
    if not wdb.exists(batch.writer.db):
        check(None, parsed, batch.scope)
        return
    with wdb.reading(batch.writer.db) as con:
        check(con, parsed, batch.scope)


PREVIOUS_LOAD_SQL = ("SELECT load_id, loaded_at FROM loads WHERE content_hash = ? AND status = 'loaded' "
                     "ORDER BY load_id DESC LIMIT 1")


def _previous_load(writer: _Writer, digest: str):
    """Was this content loaded before? Asked on the open write connection, or on a short read-only
    one so that the write lock is not taken just to find out."""
    if writer.con is not None:
        return writer.con.execute(PREVIOUS_LOAD_SQL, [digest]).fetchone()
    with wdb.reading(writer.db) as con:
        return con.execute(PREVIOUS_LOAD_SQL, [digest]).fetchone()


def _record_refusal(batch: _Batch, path: Path, name: str, digest: str, message: str) -> None:
    """A refused file leaves the data as it was; only its line in the audit log is added."""
    try:
        audit.record_refusal(batch.writer.get(), name, str(path), digest, message, batch.user)
    except duckdb.Error:
        batch.writer.close()


SUPERSEDED_SQL = "SELECT load_id FROM loads WHERE file_name = ? AND as_of = ? AND status = 'loaded'"


def write_parsed(parsed, path: Path, name: str, digest: str, ref: Reference, *, con, user: str | None = None,
                 scope: frozenset[str] | None = None) -> int:
    """One transaction: the account's scope checked against the warehouse, the reference tables,
    the supersede of an earlier version of the same file (same name and as-of date: a district
    re-sending a corrected ledger), the audit row and audit rows, then the kind's own rows
    (etl/save.py). RefusedFile when the scope leaves nothing to load."""
    kind = kind_named(parsed.kind)
    warnings = list(parsed.warnings)

    def work(con) -> int:
        parsed.warnings = list(warnings)      # the work may run again (another writer committed first)
        if scope is not None and kind.check_scope is not None:
            kind.check_scope(con, parsed, scope)
        write_reference_tables(con, ref)
        load_id = wdb.next_id(con, "load_id_seq")
        earlier = [int(r[0]) for r in con.execute(SUPERSEDED_SQL, [name, parsed.as_of]).fetchall()]
        mine, others = supersedable(con, earlier, scope)
        if others:
            parsed.warnings.append((None, "未替代", f"已有同名、同数据日期的文件（第{'、'.join(map(str, others))}次入库）"
                                    "含有本账号填报范围以外的县区，未被替代；本次作为新的一次入库。"))
        audit.supersede(con, mine, load_id)
        audit.record_load(con, load_id, parsed, name, str(path), digest, _summary(parsed), user)
        kind.save(con, load_id, parsed, name)
        derived.refresh_city(con)
        return load_id

    return wdb.transact(con, work)
