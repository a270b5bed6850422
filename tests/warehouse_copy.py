"""A test's own copy of a shared warehouse, on whichever backend the suite runs (make test: the
DuckDB file, copied with its write-ahead log; make test-ducklake: a lake copied into a new one,
checked by warehouse.migrate like a migration)."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse import db, migrate


def copy_warehouse(source: Path, target: Path, backend: str | None = None) -> Path:
    """`backend` overrides the setting (a test that has both)."""
    target = Path(target)
    if db.lake_backend(target, backend):
        migrate.lake_copy(source, target)
        return target
    shutil.copy(source, target)
    if _wal(source).exists():
        shutil.copy(_wal(source), _wal(target))
    return target


def stored_bytes(warehouse: Path) -> bytes:
    """Every byte the warehouse keeps on disk: the DuckDB file and its log, or the lake's data files."""
    if db.lake_backend(warehouse):
        from warehouse.settings import lake

        folder = Path(lake(warehouse).data_path)
        return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    wal = _wal(warehouse)
    return Path(warehouse).read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _wal(path: Path) -> Path:
    """DuckDB's write-ahead log beside the file."""
    return Path(str(path) + ".wal")
