"""账号管理 (系统管理员): who may sign in — new accounts, disabling and enabling, new passwords.

Every change is a line in the audit trail. The same changes can be made on the server with
`python -m accounts` (README).
"""

import polars as pl
import streamlit as st

from report import vocab
from report import format as fmt
from ui import auth, data, render
from ui.page import tool
from warehouse import accounts
from warehouse.accounts import AccountError
from warehouse.db import writing
from warehouse.reference import load_reference
from warehouse.settings import warehouse_path

admin = tool("accounts")
DISTRICTS = {d.name: d.code for d in load_reference().districts}
CODE_NAMES = {code: name for name, code in DISTRICTS.items()}


def listing() -> pl.DataFrame:
    rows = [{"login": a.login, "name": a.name, "role": a.role,
             "districts": "、".join(CODE_NAMES.get(c, c) for c in a.districts) if a.districts else "全部县区",
             "email": a.email, "account_state": _state(a)} for a in data.call_unscoped(accounts.all_accounts)]
    return pl.DataFrame(rows, schema={k: pl.String for k in ("login", "name", "role", "districts", "email",
                                                             "account_state")})


def _state(a: accounts.Account) -> str:
    if a.disabled:
        return "已停用"
    if a.locked_until is not None:
        return f"锁定至{a.locked_until:%Y-%m-%d %H:%M}（到时自动解除）"
    return "正常" if a.has_password else "正常（仅统一身份认证）"


def change(action: str, detail: str, work) -> None:
    """One account change: made, audited, and said; a refusal says why in Chinese."""
    data.release()
    try:
        with writing(warehouse_path()) as con:
            work(con)
    except AccountError as exc:
        st.error(fmt.text(str(exc)))
        return
    auth.record(action, detail, account=admin)
    st.success(fmt.text(detail) + "。")


def add_form() -> None:
    with st.form("account-add", clear_on_submit=True):
        st.markdown("**新建账号**")
        a, b, c = st.columns(3)
        login = a.text_input("登录名", max_chars=64, help="字母、数字和 _ . @ -")
        name = b.text_input("姓名或单位", max_chars=60)
        role = c.selectbox("角色", list(vocab.ROLES), format_func=vocab.ROLES.get, index=1, placeholder="请选择")
        districts = st.multiselect("所属县区（县区填报员）", list(DISTRICTS), placeholder="县区填报员必选，其他角色不选", select_all=False)
        d, e, f = st.columns(3)
        email = d.text_input("邮箱（统一身份认证按邮箱匹配时用）", max_chars=120)
        password = e.text_input("初始密码", type="password", max_chars=128)
        again = f.text_input("再输入一次", type="password", max_chars=128)
        submitted = st.form_submit_button("新建", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("两次输入的密码不一致。")
        return
    change("account_add", f"新建账号 {login.strip()}（{vocab.ROLES[role]}）",
           lambda con: accounts.add(con, login, role, password or None, districts=tuple(districts),
                                    name=name.strip() or None, email=email.strip() or None))


def one_account(rows: pl.DataFrame) -> None:
    st.markdown("**停用、启用或重设密码**")
    login = st.selectbox("账号", rows["login"].to_list(), key="account-pick", placeholder="请选择")
    chosen = data.call_unscoped(accounts.get, login)
    left, right = st.columns(2)
    with left:
        if chosen.disabled:
            if st.button("启用", key="account-enable"):
                change("account_enable", f"启用账号 {login}", lambda con: accounts.set_disabled(con, login, False))
        elif login != admin.login and st.button("停用", key="account-disable"):
            change("account_disable", f"停用账号 {login}", lambda con: accounts.set_disabled(con, login, True))
    with right, st.form("account-password", clear_on_submit=True):
        password = st.text_input("新密码", type="password", max_chars=128)
        if st.form_submit_button("重设密码"):
            change("account_password", f"重设账号 {login} 的密码", lambda con: accounts.set_password(con, login, password))


rows = listing()
render.show_frame(rows, ["login", "name", "role", "districts", "email", "account_state"])
st.caption("市级用户、领导和系统管理员看全部县区；县区填报员只看、只报送所属县区。密码经不可逆加密后保存，任何人（包括系统管理员）都看不到。")
add_form()
one_account(rows)
