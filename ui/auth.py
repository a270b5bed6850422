"""Signing in and out: nothing of the data is drawn before a person has signed in.

`require()` is called first in every run (app.py, and every page for a page run on its own): it
returns the signed-in account, or draws the sign-in page (用户名, 密码, 登录; and 统一身份认证 when
.streamlit/secrets.toml configures it) and stops the run. After a correct password the browser
also gets an HttpOnly session cookie (warehouse/sessions.py, server.py), so a reload or a new tab
stays signed in. A session ends with 退出登录, after `accounts.session_hours` without a click, or
when the account is disabled. Sign-in (success and failure), sign-out and expiry are in the audit
trail with the client's address.
"""

from __future__ import annotations

import json
import time

import streamlit as st
import streamlit.components.v1 as components

from report import format as fmt
from ui import data
from warehouse import accounts, audit, sessions
from warehouse.accounts import Account
from warehouse.db import writing
from warehouse.settings import settings, warehouse_path

SESSION = "_auth"            # {"login", "via" (local/cookie/sso), "last_seen" (monotonic seconds)}
CLAIM = "_auth_claim"        # the one-time code for the session cookie, until the page hands it over
ENDING = "_auth_ending"      # the browser is to drop its session cookie (after 退出登录)
SSO_REFUSED = "_auth_sso_refused"   # the 统一身份认证 identity this system has no account for
NOTICE = "_auth_notice"      # a line for the next sign-in page (expired, signed out …)
ROLE_NAMES = {"admin": "系统管理员", "city": "市级用户", "leader": "领导", "district": "县区填报员"}


def address() -> str | None:
    """The client's IP address (None where there is no client: AppTest, a background thread)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001
        return None
    return ip if isinstance(ip, str) else None


def record(action: str, detail: str, *, account: Account | None = None, login: str | None = None, ok: bool = True,
           districts: tuple[str, ...] = (), where: str | None = None) -> None:
    """One line of the audit trail (this thread's read connection is closed first: see warehouse.db)."""
    who = account or current()
    data.release()
    with writing(warehouse_path()) as con:
        audit.record(con, action, login or (who.login if who else None), role=who.role if who else None, ok=ok,
                     detail=detail, address=where if where is not None else address(),
                     districts=districts or (who.districts if who else ()))


def _account(login: str) -> Account | None:
    return data.call_unscoped(accounts.get, login)


def current() -> Account | None:
    """The signed-in account of this session, or None."""
    state = st.session_state.get(SESSION)
    if not state:
        return None
    account = _account(state["login"])
    return account if account is not None and not account.disabled else None


def _expired(state: dict) -> bool:
    hours = float(settings().get("accounts", "session_hours"))
    return time.monotonic() - state.get("last_seen", 0) > hours * 3600


def require() -> Account:
    """The signed-in account; else the sign-in page, and the run stops there."""
    state = st.session_state.get(SESSION)
    if state:
        account = _account(state["login"])
        if account is None or account.disabled:
            _end("账号已停用或不存在，请重新登录。")
        elif _expired(state):
            record("session_expired", "长时间未操作，自动退出", account=account)
            _end(f"超过{settings().get('accounts', 'session_hours')}小时未操作，已自动退出，请重新登录。")
        else:
            state["last_seen"] = time.monotonic()
            st.session_state[data.SCOPE] = account.scope     # a changed account takes effect at once
            return account
    account = _from_cookie() or _from_sso()
    if account is not None:
        return account
    sign_in_page()
    st.stop()


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no client (AppTest)
        return None
    return value if isinstance(value, str) else None


def _from_cookie() -> Account | None:
    """A browser that signed in before (a reload, a new tab): its session cookie's account."""
    token = _cookie()
    found = data.call_unscoped(sessions.signed_in, token) if token else None
    if found is None:
        return None
    account = _account(found[0])
    if account is None or account.disabled:
        return None
    if time.time() - found[1].timestamp() > sessions.TOUCH_SECONDS:
        data.release()
        with writing(warehouse_path()) as con:
            sessions.touch(con, token)
    _start(account, "cookie")
    return account


def _end(notice: str) -> None:
    st.session_state.pop(SESSION, None)
    st.session_state.pop(data.SCOPE, None)
    st.session_state[NOTICE] = notice


def _start(account: Account, via: str) -> None:
    st.session_state[SESSION] = {"login": account.login, "via": via, "last_seen": time.monotonic()}
    st.session_state[data.SCOPE] = account.scope
    st.session_state.pop(NOTICE, None)


# --- the sign-in page ---------------------------------------------------------------------------


def sign_in_page() -> None:
    if st.session_state.pop(ENDING, False):
        components.html("<script>fetch('/session/end', {credentials: 'same-origin'});</script>", height=0)
    st.title("招商引资驾驶舱")
    st.subheader("登录")
    if st.session_state.get(NOTICE):
        st.info(fmt.text(st.session_state[NOTICE]), icon=":material/info:")
    if not data.call_unscoped(accounts.count):
        st.warning("系统中还没有账号。请系统管理员在服务器上创建第一个账号：", icon=":material/person_add:")
        st.code("echo '初始密码' | .venv/bin/python -m accounts add admin --role admin", language=None)
        return
    with st.form("sign-in", border=True, enter_to_submit=True):
        login = st.text_input("用户名", max_chars=64, autocomplete="username")
        password = st.text_input("密码", type="password", max_chars=128, autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        _check(login.strip(), password)
    if not sso_configured():
        return
    if getattr(st.user, "is_logged_in", False):
        if st.button("退出统一身份认证，换一个身份", icon=":material/logout:"):
            st.session_state.pop(SSO_REFUSED, None)
            st.logout()
    elif st.button(str(settings().get("accounts", "sso_label")), icon=":material/badge:"):
        st.login()


def _check(login: str, password: str) -> None:
    if not login or not password:
        st.error("请输入用户名和密码。")
        return
    data.release()
    with writing(warehouse_path()) as con:
        result = accounts.authenticate(con, login, password)
        who = result.account
        audit.record(con, "sign_in" if who else "sign_in_failed", login, role=who.role if who else None,
                     ok=who is not None, detail="用户名密码登录" if who else f"登录失败：{result.reason}",
                     address=address(), districts=who.districts if who else ())
    if who is None:
        st.error(fmt.text(result.reason))
        return
    with writing(warehouse_path()) as con:
        code = sessions.new_claim(con, who.login, address())
    _start(who, "local")
    st.session_state[CLAIM] = code
    st.rerun()


def hand_over_cookie() -> None:
    """Right after signing in: the browser trades the one-time code for its session cookie
    (server.py /session/claim); where that route is missing (AppTest) nothing happens."""
    code = st.session_state.pop(CLAIM, None)
    if code:
        components.html(f"<script>fetch('/session/claim?c=' + {json.dumps(code)}, "
                        "{credentials: 'same-origin', cache: 'no-store'});</script>", height=0)


def sign_out() -> None:
    """退出登录 (a button's callback): the audit line, the session and its cookie end (and the
    统一身份认证 one)."""
    state = st.session_state.get(SESSION) or {}
    account = current()
    if account is not None:
        record("sign_out", "退出登录", account=account)
    token = _cookie()
    if token:
        with writing(warehouse_path()) as con:
            sessions.end(con, token)
    _end("已退出登录。")
    st.session_state[ENDING] = True
    if state.get("via") == "sso":
        st.logout()


# --- 统一身份认证 (OIDC, st.login) ----------------------------------------------------------------


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file
        return False


def _from_sso() -> Account | None:
    """A person the city's 统一身份认证 signed in (st.user): their account, matched by the claim the
    settings name (accounts.sso_match: email or login)."""
    if not sso_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    match = str(settings().get("accounts", "sso_match"))
    claim = st.user.get("email") if match == "email" else (st.user.get("preferred_username") or st.user.get("sub"))
    account = None
    if claim:
        account = data.call_unscoped(accounts.by_email, claim) if match == "email" else _account(str(claim))
    if account is None or account.disabled:
        if st.session_state.get(SSO_REFUSED) != claim:      # said (and audited) once per session
            record("sign_in_failed", f"统一身份认证登录失败：没有对应的账号（{claim}）", login=str(claim or ""), ok=False)
            st.session_state[SSO_REFUSED] = claim
        st.session_state[NOTICE] = (f"统一身份认证已通过（{claim}），但本系统没有对应的可用账号，"
                                    "请联系系统管理员开通。")
        return None
    record("sign_in", "统一身份认证登录", account=account)
    _start(account, "sso")
    return account


def signed_in_box(account: Account) -> None:
    """The sidebar's 'who am I' and the one-click sign-out."""
    where = "、".join(data.call(accounts.district_names, account.districts)) if account.districts else "全部县区"
    st.sidebar.caption(f"当前用户：{fmt.text(account.name or account.login)}（{ROLE_NAMES[account.role]}，{where}）")
    st.sidebar.button("退出登录", on_click=sign_out, key="sign-out", icon=":material/logout:", width="stretch")


def scope_label(account: Account | None) -> str | None:
    """Whose numbers a district account reads ("郾城区"); None for the whole city."""
    if account is None or account.scope.everything:
        return None
    return "、".join(data.call(accounts.district_names, account.districts))
