"""Signed-in browsers: a page reload or a new tab stays signed in, for `accounts.session_hours`
after the last click.

Right after a correct password the page asks for a one-time code (`new_claim`, valid one minute)
and its browser trades it at the server's /session/claim route (server.py) for a session token,
which the server sets as an HttpOnly cookie (no script of the page can read it). A later page run
finds the account by that cookie (`signed_in`). Only SHA-256 hashes of codes and tokens are stored;
signing out ends the session (`end`), and the cookie is worth nothing from then on.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from warehouse.settings import settings

COOKIE = "zs_session"
CLAIM_SECONDS = 60
TOUCH_SECONDS = 300          # last_seen is written at most this often (a page run is not a write)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hours() -> float:
    return float(settings().get("accounts", "session_hours"))


def new_claim(con, login: str, address: str | None = None) -> str:
    code = secrets.token_urlsafe(24)
    now = datetime.now()
    con.execute("INSERT INTO sessions (token_hash, kind, login, created_at, last_seen, address) "
                "VALUES (?, 'claim', ?, ?, ?, ?)", [_hash(code), login, now, now, address])
    return code


def redeem(con, code: str, address: str | None = None) -> str | None:
    """A fresh one-time code → a session token (the cookie's value); None for anything else."""
    now = datetime.now()
    row = con.execute("SELECT login, created_at FROM sessions WHERE token_hash = ? AND kind = 'claim' AND NOT ended",
                      [_hash(code or "")]).fetchone()
    if row is None:
        return None
    con.execute("UPDATE sessions SET ended = TRUE WHERE token_hash = ?", [_hash(code)])
    if now - row[1] > timedelta(seconds=CLAIM_SECONDS):
        return None
    token = secrets.token_urlsafe(32)
    con.execute("INSERT INTO sessions (token_hash, kind, login, created_at, last_seen, address) "
                "VALUES (?, 'session', ?, ?, ?, ?)", [_hash(token), row[0], now, now, address])
    return token


def signed_in(con, token: str | None) -> tuple[str, datetime] | None:
    """(login, last_seen) of a live session token, or None (unknown, ended or idle too long)."""
    if not token:
        return None
    row = con.execute("SELECT login, last_seen FROM sessions WHERE token_hash = ? AND kind = 'session' AND NOT ended",
                      [_hash(token)]).fetchone()
    if row is None or datetime.now() - row[1] > timedelta(hours=_hours()):
        return None
    return row[0], row[1]


def touch(con, token: str) -> None:
    con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", [datetime.now(), _hash(token)])


def end(con, token: str | None) -> None:
    if token:
        con.execute("UPDATE sessions SET ended = TRUE WHERE token_hash = ?", [_hash(token)])
