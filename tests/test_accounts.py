"""Accounts and the audit trail: hashed passwords, lockout, the command line, and signing in and out
of the app (AppTest) with what each role may open."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auth_fixture import sign_in
from test_pages_app import APP, button, metrics, open_page, plain
from warehouse import accounts, audit
from warehouse import db as wdb
from warehouse.db import reading, writing
from warehouse_copy import copy_warehouse, stored_bytes

ROOT = Path(__file__).resolve().parent.parent


def _accounts_cli(db: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "accounts", *args, "--db", str(db)], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_passwords_are_argon2_hashes_never_the_password(tmp_path):
    db = tmp_path / "w.duckdb"
    with writing(db) as con:
        accounts.add(con, "wang", "city", "Secret#2025", name="王")
        digest = con.execute("SELECT password_hash FROM accounts WHERE login = 'wang'").fetchone()[0]
    assert digest.startswith("$argon2id$") and "Secret#2025" not in digest
    assert b"Secret#2025" not in stored_bytes(db)
    with writing(db) as con:
        assert accounts.authenticate(con, "wang", "Secret#2025").account.login == "wang"
        assert accounts.authenticate(con, "wang", "secret#2025").account is None


def test_lockout_after_repeated_failures_and_its_end(tmp_path):
    db = tmp_path / "w.duckdb"
    now = datetime(2025, 6, 1, 9, 0)
    with writing(db) as con:
        accounts.add(con, "li", "leader", "Leader#2025")
        reasons = [accounts.authenticate(con, "li", "wrong", now).reason for _ in range(5)]
        assert reasons[:4] == [accounts.WRONG] * 4 and "锁定15分钟" in reasons[4]
        locked = accounts.authenticate(con, "li", "Leader#2025", now + timedelta(minutes=14))
        assert locked.account is None and "已锁定" in locked.reason           # even the right password
        assert accounts.authenticate(con, "li", "Leader#2025", now + timedelta(minutes=16)).account is not None
        # a login that does not exist reads like a wrong password
        assert accounts.authenticate(con, "nobody", "x", now).reason == accounts.WRONG


def test_account_rules_in_chinese(tmp_path):
    with writing(tmp_path / "w.duckdb") as con:
        for kwargs, words in ((dict(login="a b", role="city", password="Abc12345"), "登录名"),
                              (dict(login="x", role="district", password="Abc12345"), "必须指定所属县区"),
                              (dict(login="y", role="admin", password="Abc12345", districts=("郾城区",)), "不指定县区"),
                              (dict(login="z", role="district", password="Abc12345", districts=("火星区",)), "没有这个县区"),
                              (dict(login="w", role="city", password="short1"), "至少需要8位"),
                              (dict(login="v", role="city", password="abcdefgh"), "字母和数字"),
                              (dict(login="u", role="boss", password="Abc12345"), "角色只能是")):
            with pytest.raises(accounts.AccountError, match=words):
                accounts.add(con, kwargs.pop("login"), kwargs.pop("role"), kwargs.pop("password"), **kwargs)


def test_a_city_account_given_its_districts_sees_them_only(tmp_path):
    """Province deployment: a 市级用户 (or 领导) account given its city's districts is scoped to them;
    one without districts (the province's) sees everything."""
    with writing(tmp_path / "w.duckdb") as con:
        city = accounts.add(con, "luohe", "city", "Luohe@2025", districts=("郾城区", "源汇区"))
        province = accounts.add(con, "sheng", "leader", "Sheng@2025")
    assert set(city.scope.districts) == {"411103", "411102"} and city.scope.login == "luohe"
    assert province.scope.everything


def test_the_command_line(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    made = _accounts_cli(db, "add", "yc", "--role", "district", "--district", "郾城区", "--district", "经开区",
                         stdin="Yc#123456\n")
    assert made.returncode == 0 and "已新建账号 yc（县区填报员）" in made.stdout
    listed = _accounts_cli(db, "list")
    assert "yc\t县区填报员\t郾城区、漯河经济技术开发区" in listed.stdout
    assert _accounts_cli(db, "add", "yc", "--role", "city", stdin="Abc#12345\n").returncode == 1
    refused = _accounts_cli(db, "add", "q", "--role", "city", stdin="")
    assert refused.returncode == 1 and "没有读到密码" in refused.stderr
    assert _accounts_cli(db, "disable", "yc").returncode == 0
    assert _accounts_cli(db, "reset-password", "yc", stdin="New#123456\n").returncode == 0
    usage = _accounts_cli(db, "add", "zz")
    assert usage.returncode == 2 and "缺少必需的参数" in usage.stderr
    with writing(db) as con:
        assert accounts.authenticate(con, "yc", "New#123456").reason == "该账号已停用，请联系系统管理员。"
        trail = audit.entries(con)
    assert trail["action"].to_list() == ["account_password", "account_disable", "account_add"]
    assert set(trail["login"]) == {"命令行"}
    # WAREHOUSE_PATH, as for python -m etl
    env_db = tmp_path / "env.duckdb"
    run = subprocess.run([sys.executable, "-m", "accounts", "add", "e1", "--role", "leader"], input="Lead#12345\n",
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env={**__import__("os").environ,
                                                                                      "WAREHOUSE_PATH": str(env_db)})
    assert run.returncode == 0 and wdb.exists(env_db)


def test_the_audit_trail_is_append_only():
    """No code updates or deletes a row of audit_log: warehouse/audit.py only inserts."""
    offending = []
    for path in [*ROOT.glob("*.py"), *(p for d in ("warehouse", "etl", "ui", "pages", "report", "accounts")
                                      for p in (ROOT / d).rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+audit_log", text, re.I):
            offending.append(path.name)
    assert offending == []


# --- the app ------------------------------------------------------------------------------------


@pytest.fixture()
def small(small_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(small_warehouse))
    return small_warehouse


def _sign_in_form(at: AppTest, login: str, password: str) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    inputs["用户名"].set_value(login)
    inputs["密码"].set_value(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def test_nothing_but_the_sign_in_page_before_signing_in(small):
    for page in ("pages/overview.py", "pages/ledger.py", "pages/data.py", "pages/accounts.py"):
        at = open_page(page, login=None) if page == "pages/overview.py" else AppTest.from_file(APP).run()
        if page != "pages/overview.py":
            at.switch_page(page).run()
        assert [t.value for t in at.title] == ["招商引资驾驶舱"]
        assert {t.label for t in at.text_input} == {"用户名", "密码"} and [b.label for b in at.button] == ["登录"]
        assert not at.metric and not at.dataframe and not at.get("plotly_chart") and not at.multiselect


def test_signing_in_out_and_the_trail(small):
    at = open_page("pages/overview.py", login=None)
    _sign_in_form(at, "city", "wrong-password")
    assert any("用户名或密码不正确" in e.value for e in at.error) and not at.metric
    _sign_in_form(at, "city", "City@2025")
    assert metrics(at)["签约项目"] and "当前用户" in plain(" ".join(c.value for c in at.sidebar.caption))
    menu = [link.label for link in at.sidebar.get("page_link")]
    assert menu == ["总览", "大屏展示", "产业链", "三个一批", "目标进度", "项目地图", "项目台账", "预警督办", "六职招商", "考评排名",
                    "数据管理", "考评录入"]
    next(b for b in at.sidebar.button if b.label == "退出登录").click().run()
    assert [t.value for t in at.title] == ["招商引资驾驶舱"] and any("已退出登录" in i.value for i in at.info)
    with reading(small) as con:
        trail = audit.entries(con, "city")
    assert trail["action"].to_list()[:3] == ["sign_out", "sign_in", "sign_in_failed"]
    assert trail["ok"].to_list()[:3] == [True, True, False]


def test_lockout_in_the_app(small_warehouse, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    copy_warehouse(small_warehouse, db)
    monkeypatch.setenv("WAREHOUSE_PATH", str(db))
    at = open_page("pages/overview.py", login=None)
    for _ in range(5):
        _sign_in_form(at, "leader", "not-the-password")
    assert any("已锁定15分钟" in e.value for e in at.error)
    _sign_in_form(at, "leader", "Leader@2025")
    assert any("已锁定" in e.value for e in at.error) and not at.metric


def test_a_session_expires(small):
    at = open_page("pages/overview.py")
    at.session_state["_auth"] = {**at.session_state["_auth"], "last_seen": time.monotonic() - 9 * 3600}
    at.run()
    assert [t.value for t in at.title] == ["招商引资驾驶舱"]
    assert any("已自动退出" in i.value for i in at.info)


def test_what_each_role_may_open(small):
    leader = open_page("pages/overview.py", login="leader")
    assert "数据管理" not in [link.label for link in leader.get("page_link")]
    refused = open_page("pages/data.py", login="leader")
    assert any("无权打开" in w.value for w in refused.warning) and not refused.get("file_uploader")
    district = open_page("pages/accounts.py", login="yancheng")
    assert any("无权打开" in w.value for w in district.warning) and not district.dataframe
    admin = open_page("pages/accounts.py", login="admin")
    logins = admin.dataframe[0].value["账号"].to_list()
    assert {"admin", "city", "leader", "yancheng"} <= set(logins)
    assert [link.label for link in admin.get("page_link")][-2:] == ["账号管理", "操作日志"]


def test_a_district_account_sees_its_own_district(small):
    own = open_page("pages/overview.py", {"district": "召陵区", "year": "all"}, login="yancheng")
    assert own.multiselect(key="flt_districts").options == ["郾城区"]
    assert own.multiselect(key="flt_districts").value == []           # the hand-made 召陵区 is ignored
    bars = [json.loads(c.proto.spec)["data"][0] for c in own.get("plotly_chart")]
    (ranking,) = [b for b in bars if b.get("orientation") == "h" and "customdata" in b and b["type"] == "bar"
                  and any("郾城区" in str(x) for x in b.get("y", []))]
    assert ranking["y"] == ["郾城区"]                                 # the ranking has its own district only
    ledger = open_page("pages/ledger.py", {"year": "all"}, login="yancheng")
    assert set(ledger.dataframe[0].value["县区"]) == {"郾城区"}
    assert metrics(ledger)["符合条件的项目"] == "3个"                     # P03 P04 P11 of the fixture
