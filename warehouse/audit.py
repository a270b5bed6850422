"""The audit trail (操作日志): who did what, when, from which address — append-only.

`record` is the only function that writes audit_log, and it only inserts: no code updates or
deletes a row (tests/test_accounts.py checks the whole code base for it). Actions are codes
(report/vocab.py names them in Chinese); the detail is a Chinese sentence for people.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from warehouse.db import next_id

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "session_expired", "load", "refuse", "submit", "accept",
           "return", "export", "account_add", "account_disable", "account_enable", "account_password",
           "score_input")


def record(con, action: str, login: str | None, *, role: str | None = None, ok: bool = True,
           detail: str = "", address: str | None = None, districts: tuple[str, ...] = ()) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con.execute(
        "INSERT INTO audit_log (audit_id, happened_at, login, role, action, ok, detail, address, districts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [next_id(con, "audit_id_seq"), datetime.now(), login, role, action, ok, detail[:2000], address, list(districts) or None])


def entries(con, login: str | None = None, actions: tuple[str, ...] = (), since: date | None = None,
            until: date | None = None, limit: int = 5_000) -> pl.DataFrame:
    """The trail, newest first, optionally for one login, some actions and a date range."""
    return con.execute(
        """SELECT audit_id, happened_at, login, role, action, ok, detail, address, districts FROM audit_log
           WHERE (? IS NULL OR login = ?) AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], action))
             AND (? IS NULL OR happened_at >= ?) AND (? IS NULL OR happened_at < ?::DATE)
           ORDER BY audit_id DESC LIMIT ?""",
        [login, login, list(actions), list(actions), since, since, until, _next_day(until), int(limit)]).pl()


def _next_day(d: date | None):
    return None if d is None else d + timedelta(days=1)
