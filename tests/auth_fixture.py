"""Signing in for tests: an account in the test's warehouse, and a session that is signed in as it
(AppTest), or a browser context that signed in through the sign-in page (Playwright).

The session state a test sets is what ui.auth sets after a correct password; the page still
checks the account against the warehouse on every run (a disabled account is signed out).
"""

from __future__ import annotations

import time
from pathlib import Path

from warehouse import accounts
from warehouse.db import writing
from warehouse.settings import warehouse_path

from accounts.cli import DEMO

SERVED: dict[str, Path] = {}     # browser tests: url of a running app → the warehouse it serves

# login → (role, districts, password): the accounts the tests sign in with, the demo's own
ACCOUNTS = {login: (role, districts, password) for login, role, _, password, districts in DEMO}


def add_accounts(con) -> None:
    """Every test account, in a warehouse being built (the fixtures' builders call this)."""
    for login, (role, districts, password) in ACCOUNTS.items():
        if accounts.get(con, login) is None:
            accounts.add(con, login, role, password, districts=districts, name=f"测试账号 {login}")


def ensure_account(db: Path | str | None, login: str) -> accounts.Account:
    role, districts, password = ACCOUNTS[login]
    with writing(db) as con:
        return accounts.get(con, login) or accounts.add(con, login, role, password, districts=districts,
                                                       name=f"测试账号 {login}")


def sign_in(at, login: str = "city", db: Path | str | None = None):
    """An AppTest signed in as `login` (the account is made in the warehouse when missing)."""
    account = ensure_account(db or warehouse_path(), login)
    at.session_state["_auth"] = {"login": account.login, "via": "local", "last_seen": time.monotonic()}
    at.session_state["_scope"] = account.scope
    return account
