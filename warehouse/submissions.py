"""填报与审核: district ledgers waiting for the city, accepted (loaded) or returned with a comment.

A district account's upload (unless settings accounts.district_direct_load) is kept as a file under
the submissions folder beside the warehouse and a row here, status pending; a city or admin
account previews it, then accepts it (the loader loads it with the submitter's districts as its
scope, and the row gets the load) or returns it with a comment the district reads on its
数据管理 page, together with the rows the preview rejected and why.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import polars as pl

from warehouse.db import files_dir, next_id

PENDING, ACCEPTED, RETURNED = "pending", "accepted", "returned"
COLUMNS = ("submission_id", "submitted_at", "login", "district_names", "file_name", "submission_status", "summary",
           "reviewed_by", "reviewed_at", "comment", "load_id")


def folder(warehouse: Path) -> Path:
    return files_dir(warehouse) / "submissions"


def add(con, warehouse: Path, login: str, districts: tuple[str, ...], upload: Path, file_name: str,
        content_hash: str, summary: str, rejected: list[dict]) -> int:
    """Keep the file and its row (pending); returns the submission's number."""
    sid = next_id(con, "submission_id_seq")
    target = folder(warehouse) / f"{sid:06d}{Path(file_name).suffix.lower()[:8]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(upload, target)
    con.execute(
        "INSERT INTO submissions (submission_id, submitted_at, login, districts, file_name, stored_path, content_hash,"
        " status, summary, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sid, datetime.now(), login, list(districts), file_name, str(target), content_hash, PENDING, summary,
         json.dumps(rejected[:500], ensure_ascii=False, default=str)])
    return sid


def listing(con, status: str | None = None, limit: int = 500) -> pl.DataFrame:
    """The submissions (newest first), with the submitter's districts by name."""
    return con.execute(
        """SELECT s.submission_id, s.submitted_at, s.login,
                  (SELECT string_agg(d.name, '、' ORDER BY d.sort_order) FROM ref_districts d
                   WHERE list_contains(s.districts, d.code)) AS district_names,
                  s.file_name, s.status AS submission_status, s.summary, s.reviewed_by, s.reviewed_at, s.comment,
                  s.load_id, s.districts
           FROM submissions s WHERE (? IS NULL OR s.status = ?)
           ORDER BY s.submission_id DESC LIMIT ?""", [status, status, int(limit)]).pl()


def get(con, submission_id: int) -> dict | None:
    cur = con.execute("SELECT * FROM submissions WHERE submission_id = ?", [int(submission_id)])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row)) if row else None


def rejected_rows(sub: dict) -> list[dict]:
    try:
        return json.loads(sub.get("rejected") or "[]")
    except ValueError:
        return []


def review(con, submission_id: int, status: str, reviewer: str, comment: str = "", load_id: int | None = None) -> None:
    if status not in (ACCEPTED, RETURNED):
        raise ValueError(status)
    con.execute("UPDATE submissions SET status = ?, reviewed_by = ?, reviewed_at = ?, comment = ?, load_id = ? "
                "WHERE submission_id = ? AND status = ?",
                [status, reviewer, datetime.now(), comment[:1000], load_id, int(submission_id), PENDING])
