"""Accounts: who may sign in, with which role and districts; passwords and lockout.

Passwords are hashed with argon2id (argon2-cffi, the maintained binding of the Password Hashing
Competition's winner) and never stored, logged or shown. After `accounts.max_failed_attempts`
wrong passwords in a row an account is locked for `accounts.lockout_minutes` (settings).

Roles (DOMAIN.md "Who may see and change what"):
  admin     系统管理员  everything; accounts, reference data, settings
  city      市级用户    all districts; load any district's ledger, review submissions
  leader    领导        all districts; view and export, no loading
  district  县区填报员  its own district(s) only; submits its own ledgers
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from warehouse.scope import EVERYTHING, Scope, valid_login
from warehouse.settings import settings

ROLES = ("admin", "city", "leader", "district")
LOADERS = ("admin", "city", "district")          # may upload ledgers
REVIEWERS = ("admin", "city")                    # may accept or return a submission
_HASHER = PasswordHasher()
# a hash to verify against when the login does not exist: a wrong login costs the same time
_NO_ACCOUNT = _HASHER.hash("没有这个账号")


class AccountError(ValueError):
    """A change that cannot be made; the message is for people (Chinese)."""


@dataclass(frozen=True)
class Account:
    login: str
    name: str | None
    role: str
    districts: tuple[str, ...]       # district codes (district accounts)
    email: str | None = None
    disabled: bool = False
    locked_until: datetime | None = None
    has_password: bool = True

    @property
    def scope(self) -> Scope:
        """A district account's districts; in a province deployment also a city's (a 市级用户 or 领导
        account given its city's districts sees that city); none given: everything."""
        return Scope(self.districts, self.login) if self.districts else EVERYTHING

    @property
    def may_load(self) -> bool:
        return self.role in LOADERS

    @property
    def may_review(self) -> bool:
        return self.role in REVIEWERS


_COLUMNS = "login, name, role, districts, email, disabled, locked_until, password_hash IS NOT NULL"


def _account(row) -> Account:
    login, name, role, districts, email, disabled, locked, has_password = row
    return Account(login, name, role, tuple(districts or ()), email, bool(disabled), locked, bool(has_password))


def get(con, login: str) -> Account | None:
    row = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE login = ?", [login]).fetchone()
    return _account(row) if row else None


def by_email(con, email: str) -> Account | None:
    row = con.execute(f"SELECT {_COLUMNS} FROM accounts WHERE lower(email) = lower(?) ORDER BY login LIMIT 1",
                      [email]).fetchone()
    return _account(row) if row else None


def all_accounts(con) -> list[Account]:
    return [_account(r) for r in con.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY role, login").fetchall()]


def count(con) -> int:
    return con.execute("SELECT count(*) FROM accounts").fetchone()[0]


def district_codes(names) -> tuple[str, ...]:
    """District names, short names or codes (the city's reference data) → codes; an unknown one
    is refused with the choices."""
    from warehouse.reference import load_reference

    known = load_reference().districts
    lookup = {k: d.code for d in known for k in (d.code, d.name, d.short_name) if k}
    codes = []
    for n in names:
        if n not in lookup:
            raise AccountError(f"没有这个县区：“{n}”。可选：{'、'.join(d.name for d in known)}")
        codes.append(lookup[n])
    return tuple(dict.fromkeys(codes))


def _check_password(password: str) -> None:
    shortest = int(settings().get("accounts", "password_min_length"))
    if len(password) < shortest:
        raise AccountError(f"密码至少需要{shortest}位。")
    if password.isdigit() or password.isalpha():
        raise AccountError("密码需同时包含字母和数字（可加符号）。")


def _validate(role: str, districts: tuple[str, ...]) -> None:
    if role not in ROLES:
        raise AccountError(f"角色只能是：{'、'.join(ROLES)}")
    if role == "district" and not districts:
        raise AccountError("县区填报员账号必须指定所属县区（--district）。")
    if role == "admin" and districts:
        raise AccountError("系统管理员看全部县区，不指定县区；省级部署中的市级用户、领导账号可指定本市的县区。")


def add(con, login: str, role: str, password: str | None, *, districts: tuple[str, ...] = (),
        name: str | None = None, email: str | None = None) -> Account:
    """A new account (password None: signs in only by 统一身份认证)."""
    login = (login or "").strip()
    if not valid_login(login):
        raise AccountError("登录名只能由字母、数字和 _ . @ - 组成（1至64位）。")
    codes = district_codes(tuple(districts))
    _validate(role, codes)
    if get(con, login):
        raise AccountError(f"账号“{login}”已存在。")
    digest = None
    if password is not None:
        _check_password(password)
        digest = _HASHER.hash(password)
    now = datetime.now()
    con.execute("INSERT INTO accounts (login, name, role, districts, email, password_hash, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [login, name, role, list(codes) or None, email, digest, now, now])
    return get(con, login)


def set_password(con, login: str, password: str) -> None:
    if not get(con, login):
        raise AccountError(f"没有账号“{login}”。")
    _check_password(password)
    con.execute("UPDATE accounts SET password_hash = ?, failed_attempts = 0, locked_until = NULL, updated_at = ? "
                "WHERE login = ?", [_HASHER.hash(password), datetime.now(), login])


def set_disabled(con, login: str, disabled: bool) -> None:
    if not get(con, login):
        raise AccountError(f"没有账号“{login}”。")
    con.execute("UPDATE accounts SET disabled = ?, updated_at = ? WHERE login = ?", [disabled, datetime.now(), login])


@dataclass(frozen=True)
class SignIn:
    account: Account | None
    reason: str | None = None        # why not, in Chinese (the same words for a wrong login and password)


WRONG = "用户名或密码不正确。"


def authenticate(con, login: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a password; count failures and lock the account after too many (one write)."""
    now = now or datetime.now()
    row = con.execute("SELECT password_hash, failed_attempts FROM accounts WHERE login = ?", [login]).fetchone()
    account = get(con, login) if row else None
    if account is None or row[0] is None:
        _verify(_NO_ACCOUNT, password)
        return SignIn(None, WRONG)
    if account.locked_until and account.locked_until > now:
        return SignIn(None, f"密码连续错误次数过多，账号已锁定至{account.locked_until:%H:%M}，请稍后再试或联系系统管理员。")
    if account.disabled:
        _verify(row[0], password)
        return SignIn(None, "该账号已停用，请联系系统管理员。")
    if not _verify(row[0], password):
        return SignIn(None, _failed(con, login, row[1] + 1, now))
    con.execute("UPDATE accounts SET failed_attempts = 0, locked_until = NULL, last_sign_in = ? WHERE login = ?",
                [now, login])
    return SignIn(account)


def has_password(con, login: str, password: str) -> bool:
    """Is this the account's password? (No counting, no lockout: for `accounts demo --show`.)"""
    row = con.execute("SELECT password_hash FROM accounts WHERE login = ?", [login]).fetchone()
    return bool(row and row[0] and _verify(row[0], password))


def _verify(digest: str, password: str) -> bool:
    try:
        return _HASHER.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _failed(con, login: str, attempts: int, now: datetime) -> str:
    limit = int(settings().get("accounts", "max_failed_attempts"))
    minutes = int(settings().get("accounts", "lockout_minutes"))
    if attempts >= limit:
        con.execute("UPDATE accounts SET failed_attempts = 0, locked_until = ? WHERE login = ?",
                    [now + timedelta(minutes=minutes), login])
        return f"密码连续错误{limit}次，账号已锁定{minutes}分钟。"
    con.execute("UPDATE accounts SET failed_attempts = ? WHERE login = ?", [attempts, login])
    return WRONG            # the same words as for a login that does not exist


def district_names(con, codes: tuple[str, ...]) -> list[str]:
    """The districts' names, in the order given (a code the reference no longer has stays a code)."""
    from warehouse.reference import load_reference

    rows = {d.code: d.name for d in load_reference().districts}
    rows.update(dict(con.execute("SELECT code, name FROM ref_districts").fetchall()))
    return [rows.get(c, c) for c in codes]
